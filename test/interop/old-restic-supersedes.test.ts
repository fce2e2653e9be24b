// Supersedes chains whose superseded index files still exist (a rebuild or prune of any restic
// version stopped between writing the new index and deleting the old), packs listed by several
// index files, and blobs stored in two packs, built from a version 1 repository restic 0.14 wrote
// (test/helpers/old-index.ts). Every Cairn command agrees with restic 0.14 on it, and what Cairn
// writes (backup, forget, prune, repair index, copy) restic checks clean.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addSupersedesChain, duplicateBlobsWithRestic } from '../helpers/old-index.ts';
import { bothCheckClean, copyRepo, lsLines, makeOldBase, snapshotIds, type OldBase } from '../helpers/old-restic-fixture.ts';
import { listFiles, openRepo } from '../helpers/rewrite-repo.ts';
import { changeLines, json, lastJson, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairn, cairnOk, resticOk } from '../helpers/tools.ts';

let base: OldBase;

before(async () => {
  base = await makeOldBase();
});
after(() => fs.rmSync(base.work, { recursive: true, force: true }));

const SEVERAL = /^pack ([0-9a-f]{64}) contained in several indexes/;
const severalPacks = (text: string) => text.split('\n').map((l) => SEVERAL.exec(l)?.[1]).filter((id): id is string => !!id).sort();
const duplicateCount = (repo: string) => lastJson<{ duplicate_blobs: number }>(cairnOk(['-r', repo, '--json', 'check'])).duplicate_blobs;

test('supersedes chains with the superseded files still there, packs in several index files and blobs in two packs: every command agrees with restic, prune and repair index clean up without losing anything', async () => {
  const repo = copyRepo(base, 'supersedes');
  const dupSnap = duplicateBlobsWithRestic(repo, base.src);
  const before = await openRepo(repo).then((r) => listFiles(r, 'index'));
  const chain = await addSupersedesChain(repo, 3);
  assert.equal(chain.length, 3);
  const snaps = [...base.snaps, dupSnap];

  // check: clean for both; the same packs named as listed in several index files.
  const checked = bothCheckClean(repo);
  const several = severalPacks(checked.restic);
  assert.ok(several.length > 0, 'restic sees packs in several index files');
  assert.deepEqual(severalPacks(checked.cairn), several, 'Cairn names the packs restic names');
  assert.ok(duplicateCount(repo) > 0, 'Cairn counts the blobs stored twice');

  // Reading commands: the same answers as restic's.
  assert.deepEqual(snapshotIds(cairnOk(['-r', repo, 'snapshots', '--json'])), [...snaps].sort());
  assert.deepEqual(snapshotIds(resticOk(repo, ['snapshots', '--json'])), [...snaps].sort());
  for (const id of [base.snaps[1]!, dupSnap]) assert.deepEqual(lsLines(cairnOk(['-r', repo, 'ls', '--json', id])), lsLines(resticOk(repo, ['ls', '--json', id])));
  restoredEquals(base.work, repo, dupSnap, 'cairn', base.src);
  restoredEquals(base.work, repo, base.snaps[1]!, 'cairn', base.next);
  for (const mode of ['restore-size', 'raw-data', 'blobs-per-file']) {
    const a = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(cairnOk(['-r', repo, '--json', 'stats', '--mode', mode]));
    const b = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(resticOk(repo, ['--json', 'stats', '--mode', mode]));
    assert.deepEqual(a, b, `stats --mode ${mode}`);
  }
  const foundPaths = (t: string) => json<{ snapshot: string; matches: { path: string }[] }[]>(t).flatMap((s) => s.matches.map((m) => `${s.snapshot} ${m.path}`)).sort();
  assert.deepEqual(foundPaths(cairnOk(['-r', repo, '--json', 'find', 'plain.txt'])), foundPaths(resticOk(repo, ['--json', 'find', 'plain.txt'])));
  for (const [a, b] of [[base.snaps[0]!, dupSnap], [dupSnap, base.snaps[1]!]] as const) {
    assert.deepEqual(changeLines(cairnOk(['-r', repo, 'diff', a, b])), changeLines(resticOk(repo, ['diff', a, b])), `diff ${a.slice(0, 8)} ${b.slice(0, 8)}`);
  }

  // copy into a new repository: everything arrives once; restic checks the copy and restores it.
  const dst = path.join(base.work, 'supersedes-copy');
  resticOk(dst, ['init', '--repository-version', '1']);
  cairnOk(['-r', dst, 'copy', '--from-repo', repo], { env: { CAIRN_FROM_PASSWORD: 'test-password' } });
  assert.equal(snapshotIds(resticOk(dst, ['snapshots', '--json'])).length, 3);
  assert.match(resticOk(dst, ['check', '--read-data']), /no errors were found/);
  assert.equal(duplicateCount(dst), 0, 'the copy holds each blob once');
  const copied = json<{ id: string; paths: string[] }[]>(resticOk(dst, ['snapshots', '--json'])).find((s) => s.paths[0] === base.next)!;
  restoredEquals(base.work, dst, copied.id, 'restic', base.next);

  // repair index (on a copy): one set of current index files, nothing listed twice.
  const repaired = copyRepo({ ...base, repo }, 'supersedes-repaired');
  cairnOk(['-r', repaired, 'repair', 'index']);
  const afterRepair = await openRepo(repaired).then((r) => listFiles(r, 'index'));
  assert.ok(afterRepair.every((id) => !before.includes(id) && !chain.includes(id)), 'every old index file was replaced');
  const clean = bothCheckClean(repaired);
  assert.deepEqual(severalPacks(clean.restic), []);
  assert.deepEqual(severalPacks(clean.cairn), []);
  restoredEquals(base.work, repaired, dupSnap, 'restic', base.src);

  // backup with a parent, forget, then prune: duplicates gone, every remaining snapshot intact.
  const added = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', base.next])).snapshot_id;
  cairnOk(['-r', repo, 'forget', base.snaps[0]!]);
  const short = (ids: string[]) => ids.map((id) => id.slice(0, 8)).sort();
  assert.deepEqual(short(snapshotIds(resticOk(repo, ['snapshots', '--json']))), short([base.snaps[1]!, dupSnap, added]));
  const pruned = cairn(['-r', repo, 'prune', '--max-unused', '0']);
  assert.equal(pruned.code, 0, pruned.stderr);
  const afterPrune = bothCheckClean(repo, ['--read-data']);
  assert.deepEqual(severalPacks(afterPrune.restic), [], 'prune replaced the whole supersedes chain');
  assert.equal(duplicateCount(repo), 0, 'prune kept one copy of each blob');
  restoredEquals(base.work, repo, dupSnap, 'restic', base.src);
  restoredEquals(base.work, repo, added, 'restic', base.next);
  restoredEquals(base.work, repo, base.snaps[1]!, 'cairn', base.next);
});
