// Shared by the two version 1 interop tests (a repository made by Cairn, one made by restic): the
// source they back up, and the checks that a repository is still version 1 and restores exactly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareTrees } from './compare.ts';
import { makeOddTree } from './odd-files.ts';
import { storedForm } from './repo-format.ts';
import { cairnOk, dataset, resticOk, tmpDir } from './tools.ts';

/** A work folder with src/: the odd files and 4 MiB of the shared dataset. */
export function makeV1Source(): { work: string; src: string } {
  const work = tmpDir('v1');
  const src = path.join(work, 'src');
  makeOddTree(path.join(src, 'odd'), 7);
  fs.cpSync(dataset(4), path.join(src, 'dataset'), { recursive: true });
  fs.rmSync(path.join(src, 'dataset', '.complete'));
  return { work, src };
}

export const json = <T>(text: string): T => JSON.parse(text) as T;
export const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').pop()!) as T;

/** Asserts the repository is still a version 1 repository that restic before 0.14 can read. */
export async function assertStillV1(repo: string): Promise<void> {
  const form = await storedForm(repo);
  assert.equal(form.version, 1, 'the config still says version 1');
  assert.deepEqual(form.encodedUnpacked, [], 'index and snapshot files are plain JSON');
  assert.deepEqual(form.compressedBlobs, [], 'no blob is stored compressed');
  assert.equal(json<{ version: number }>(resticOk(repo, ['cat', 'config'])).version, 1);
}

export function restoredEquals(work: string, repo: string, snapshot: string, by: 'cairn' | 'restic', expected: string): void {
  const target = fs.mkdtempSync(path.join(work, `restore-${by}-`));
  if (by === 'cairn') cairnOk(['-r', repo, 'restore', snapshot, '--target', target]);
  else resticOk(repo, ['restore', snapshot, '--target', target]);
  assert.deepEqual(compareTrees(expected, path.join(target, expected)), [], `${by} restores ${snapshot} byte-identical`);
}

/** A changed copy of the source: one file edited, one added, one removed. */
export function changedSource(work: string, src: string, name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(src, dir, { recursive: true, verbatimSymlinks: true });
  fs.appendFileSync(path.join(dir, 'odd', 'plain.txt'), 'changed\n');
  fs.writeFileSync(path.join(dir, 'odd', 'added.txt'), `added in ${name}\n`.repeat(100));
  fs.rmSync(path.join(dir, 'odd', 'names', '.hidden'));
  return dir;
}

export const changeLines = (text: string) => text.split('\n').filter((l) => /^[-+MTU?] +\//.test(l)).sort();
