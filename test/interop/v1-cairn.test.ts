// Repository format version 1 made by `cairn init --repository-version 1`: restic reads it and
// writes into it, Cairn reads what restic wrote, and it stays version 1. v1-restic.test.ts is the reverse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cheapenKeys, storedForm } from '../helpers/repo-format.ts';
import { cairnOk, dataset, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;

before(() => {
  work = tmpDir('v1');
  src = path.join(work, 'src');
  makeOddTree(path.join(src, 'odd'), 7);
  fs.cpSync(dataset(4), path.join(src, 'dataset'), { recursive: true });
  fs.rmSync(path.join(src, 'dataset', '.complete'));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const json = <T>(text: string): T => JSON.parse(text) as T;
const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').pop()!) as T;

/** Asserts the repository is still a version 1 repository that restic before 0.14 can read. */
async function assertStillV1(repo: string): Promise<void> {
  const form = await storedForm(repo);
  assert.equal(form.version, 1, 'the config still says version 1');
  assert.deepEqual(form.encodedUnpacked, [], 'index and snapshot files are plain JSON');
  assert.deepEqual(form.compressedBlobs, [], 'no blob is stored compressed');
  assert.equal(json<{ version: number }>(resticOk(repo, ['cat', 'config'])).version, 1);
}

function restoredEquals(repo: string, snapshot: string, by: 'cairn' | 'restic', expected: string): void {
  const target = fs.mkdtempSync(path.join(work, `restore-${by}-`));
  if (by === 'cairn') cairnOk(['-r', repo, 'restore', snapshot, '--target', target]);
  else resticOk(repo, ['restore', snapshot, '--target', target]);
  assert.deepEqual(compareTrees(expected, path.join(target, expected)), [], `${by} restores ${snapshot} byte-identical`);
}

/** A changed copy of the source: one file edited, one added, one removed. */
function changedSource(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(src, dir, { recursive: true, verbatimSymlinks: true });
  fs.appendFileSync(path.join(dir, 'odd', 'plain.txt'), 'changed\n');
  fs.writeFileSync(path.join(dir, 'odd', 'added.txt'), `added in ${name}\n`.repeat(100));
  fs.rmSync(path.join(dir, 'odd', 'names', '.hidden'));
  return dir;
}

const changeLines = (text: string) => text.split('\n').filter((l) => /^[-+MTU?] +\//.test(l)).sort();

test('a version 1 repository made by Cairn: restic reads it and writes into it, Cairn reads what restic wrote', async () => {
  const repo = path.join(work, 'cairn-v1');
  const init = cairnOk(['-r', repo, 'init', '--repository-version', '1']);
  assert.match(init, /created restic repository/);
  await cheapenKeys(repo);
  assert.equal(json<{ version: number }>(resticOk(repo, ['cat', 'config'])).version, 1);
  const ours = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', src])).snapshot_id;
  await assertStillV1(repo);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  restoredEquals(repo, ours, 'restic', src);
  const next = changedSource('next-cairn');
  resticOk(repo, ['backup', next]);
  const theirs = json<{ id: string; paths: string[] }[]>(resticOk(repo, ['snapshots', '--json'])).find((s) => s.paths[0] === next)!.id;
  restoredEquals(repo, theirs, 'cairn', next);
  assert.deepEqual(changeLines(cairnOk(['-r', repo, 'diff', ours, theirs])), changeLines(resticOk(repo, ['diff', ours, theirs])));
  cairnOk(['-r', repo, 'forget', ours]);
  cairnOk(['-r', repo, 'prune']);
  resticOk(repo, ['forget', '--keep-last', '1', '--prune']);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  restoredEquals(repo, theirs, 'cairn', next);
  await assertStillV1(repo);
});
