// restic writes, Cairn reads: Cairn restores what restic 0.14 backed up, byte-exact with metadata,
// and its check accepts restic's repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cairn, cairnOk, dataset, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let repo: string;
let src: string;

before(() => {
  work = tmpDir('r2c');
  repo = path.join(work, 'repo');
  src = path.join(work, 'src');
  makeOddTree(path.join(src, 'odd'), 2);
  fs.cpSync(dataset(48), path.join(src, 'dataset'), { recursive: true });
  fs.rmSync(path.join(src, 'dataset', '.complete'));
  resticOk(repo, ['init']);
  resticOk(repo, ['backup', src]);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('Cairn restores a restic snapshot byte for byte with metadata', () => {
  const target = path.join(work, 'restored');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
});

test('Cairn check accepts a restic repository, with read-data', () => {
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
});

test('Cairn lists restic snapshots and files like restic does', () => {
  const ours = JSON.parse(cairnOk(['-r', repo, 'snapshots', '--json'])) as { id: string; paths: string[] }[];
  const theirs = JSON.parse(resticOk(repo, ['snapshots', '--json'])) as { id: string; paths: string[] }[];
  assert.deepEqual(ours.map((s) => s.id), theirs.map((s) => s.id));
  const lines = (text: string) => text.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { path: string; type: string; size?: number }).map((n) => `${n.type} ${n.path} ${n.size ?? ''}`);
  assert.deepEqual(lines(cairnOk(['-r', repo, 'ls', '--json', 'latest'])), lines(resticOk(repo, ['ls', '--json', 'latest'])));
  const dir = path.join(src, 'odd');
  assert.equal(cairnOk(['-r', repo, 'ls', 'latest', dir]), resticOk(repo, ['ls', 'latest', dir]));
});

test('Cairn restores a subfolder and an include pattern like restic', () => {
  const t1 = path.join(work, 'inc-cairn'), t2 = path.join(work, 'inc-restic');
  const include = path.join(src, 'odd', 'unicode');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', t1, '--include', include]);
  resticOk(repo, ['restore', 'latest', '--target', t2, '--include', include]);
  assert.deepEqual(compareTrees(t2, t1, { checkDirTimes: false }), []);
  // A pattern that matches nothing: exit 0 as restic's, with a warning that says so.
  const none = cairn(['-r', repo, 'restore', 'latest', '--target', path.join(work, 'inc-none'), '--include', '/no/such/path']);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /nothing in snapshot [0-9a-f]{8} matches "\/no\/such\/path": "cairn ls [0-9a-f]{8}" lists what it holds/);
});
