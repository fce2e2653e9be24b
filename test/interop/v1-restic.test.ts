// Repository format version 1 (what restic before 0.14 wrote, and `init --repository-version 1`),
// made by restic: Cairn runs every command on it; writing keeps it version 1 (no compressed blobs,
// unpacked files plain JSON, so restic 0.12 still reads it), and restic 0.14 checks it clean.
// v1-cairn.test.ts is the reverse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cheapenKeys, storedForm } from '../helpers/repo-format.ts';
import { cairn, cairnOk, dataset, restic, resticOk, tmpDir } from '../helpers/tools.ts';

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

test('a version 1 repository made by restic: Cairn runs every command on it, it stays version 1, restic checks it clean', async () => {
  const repo = path.join(work, 'restic-v1');
  resticOk(repo, ['init', '--repository-version', '1']);
  await cheapenKeys(repo);
  resticOk(repo, ['backup', src]);
  const first = json<{ id: string }[]>(resticOk(repo, ['snapshots', '--json']))[0]!.id;

  // Reading.
  assert.deepEqual(json<{ id: string }[]>(cairnOk(['-r', repo, 'snapshots', '--json'])).map((s) => s.id), [first]);
  const lsLines = (t: string) => t.trim().split('\n').slice(1).map((l) => json<{ path: string; type: string; size?: number }>(l)).map((n) => `${n.type} ${n.path} ${n.size ?? ''}`);
  assert.deepEqual(lsLines(cairnOk(['-r', repo, 'ls', '--json', first])), lsLines(resticOk(repo, ['ls', '--json', first])));
  restoredEquals(repo, first, 'cairn', src);

  // Writing: a backup on top of restic's, with it as parent.
  const next = changedSource('next');
  const summary = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', next]));
  const second = summary.snapshot_id;
  restoredEquals(repo, second, 'restic', next);
  await assertStillV1(repo);

  // diff, find, stats: the same answers as restic's.
  const third = lastJson<{ snapshot_id: string }>(resticOk(repo, ['--json', 'backup', next])).snapshot_id;
  const ours = changeLines(cairnOk(['-r', repo, 'diff', second, third]));
  assert.deepEqual(ours, changeLines(resticOk(repo, ['diff', second, third])));
  const firstNext = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', src])).snapshot_id;
  const d = changeLines(cairnOk(['-r', repo, 'diff', firstNext, second]));
  assert.deepEqual(d, changeLines(resticOk(repo, ['diff', firstNext, second])));
  const foundPaths = (t: string) => json<{ matches: { path: string }[] }[]>(t).flatMap((s) => s.matches.map((m) => m.path)).sort();
  assert.deepEqual(foundPaths(cairnOk(['-r', repo, '--json', 'find', 'added.txt'])), foundPaths(resticOk(repo, ['--json', 'find', 'added.txt'])));
  for (const mode of ['restore-size', 'raw-data']) {
    const a = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(cairnOk(['-r', repo, '--json', 'stats', '--mode', mode]));
    const b = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(resticOk(repo, ['--json', 'stats', '--mode', mode]));
    assert.equal(a.total_size, b.total_size, `stats --mode ${mode}: total size`);
    assert.equal(a.total_blob_count, b.total_blob_count, `stats --mode ${mode}: blob count`);
  }

  // tag, key add.
  cairnOk(['-r', repo, 'tag', '--add', 'from-cairn', second]);
  const tagged = json<{ id: string; original?: string }[]>(resticOk(repo, ['snapshots', '--json', '--tag', 'from-cairn']));
  assert.equal(tagged.length, 1);
  const pwFile = path.join(work, 'second-password');
  fs.writeFileSync(pwFile, 'another-password\n');
  cairnOk(['-r', repo, 'key', 'add', '--new-password-file', pwFile]);
  assert.equal(json<unknown[]>(resticOk(repo, ['snapshots', '--json'], { password: 'another-password' })).length, 4);

  // forget + prune, then repair index: restic still finds everything in order.
  cairnOk(['-r', repo, 'forget', first, firstNext]);
  const pruned = cairn(['-r', repo, 'prune', '--max-unused', '0']);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(resticOk(repo, ['check']), /no errors were found/);
  cairnOk(['-r', repo, 'repair', 'index', '--read-all-packs']);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  restoredEquals(repo, tagged[0]!.id, 'restic', next);
  await assertStillV1(repo);

  // --repack-uncompressed needs compression, which version 1 does not have (restic refuses too).
  const refused = cairn(['-r', repo, 'prune', '--repack-uncompressed']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /version 1/);
  assert.notEqual(restic(repo, ['prune', '--repack-uncompressed']).code, 0);

  // copy: into a version 1 repository Cairn creates, which stays version 1.
  const dst = path.join(work, 'copy-dst-v1');
  cairnOk(['-r', dst, 'init', '--repository-version', '1']);
  cairnOk(['-r', dst, 'copy', '--from-repo', repo], { env: { CAIRN_FROM_PASSWORD: 'test-password' } });
  assert.equal(json<unknown[]>(resticOk(dst, ['snapshots', '--json'])).length, 2);
  assert.match(resticOk(dst, ['check', '--read-data']), /no errors were found/);
  await assertStillV1(dst);
});
