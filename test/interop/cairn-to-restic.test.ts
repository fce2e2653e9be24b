// Cairn writes, restic reads: a repository made by Cairn passes `restic check --read-data`, and
// restic restores exactly what was backed up (bytes and metadata).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cairnOk, dataset, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let repo: string;
let src: string;

before(() => {
  work = tmpDir('c2r');
  repo = path.join(work, 'repo');
  src = path.join(work, 'src');
  makeOddTree(path.join(src, 'odd'));
  // A slice of the shared benchmark dataset: text, media, VM images and duplicates.
  fs.cpSync(dataset(48), path.join(src, 'dataset'), { recursive: true });
  fs.rmSync(path.join(src, 'dataset', '.complete'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a repository Cairn wrote passes restic check --read-data', () => {
  cairnOk(['-r', repo, 'init']);
  cairnOk(['-r', repo, 'backup', src, '--tag', 'interop']);
  const out = resticOk(repo, ['check', '--read-data']);
  assert.match(out, /no errors were found/);
});

test('restic lists the snapshot Cairn wrote, with its tag and paths', () => {
  const snaps = JSON.parse(resticOk(repo, ['snapshots', '--json'])) as { paths: string[]; tags: string[] }[];
  assert.equal(snaps.length, 1);
  assert.deepEqual(snaps[0].paths, [src]);
  assert.deepEqual(snaps[0].tags, ['interop']);
});

test('restic restores what Cairn backed up, byte for byte with metadata', () => {
  const target = path.join(work, 'restored-by-restic');
  resticOk(repo, ['restore', 'latest', '--target', target]);
  const diffs = compareTrees(src, path.join(target, src));
  assert.deepEqual(diffs, []);
});

test('restic can extend a Cairn repository and Cairn reads the result', () => {
  fs.writeFileSync(path.join(src, 'odd', 'added-by-restic.txt'), 'restic was here\n');
  resticOk(repo, ['backup', src]);
  const out = cairnOk(['-r', repo, 'check', '--read-data']);
  assert.match(out, /no errors were found/);
  const target = path.join(work, 'restored-by-cairn');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
  fs.rmSync(path.join(src, 'odd', 'added-by-restic.txt'));
});
