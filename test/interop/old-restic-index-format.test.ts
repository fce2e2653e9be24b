// Index files in the old format (a bare list of packs, as the first restic versions wrote them),
// built from a version 1 repository restic 0.14 wrote (test/helpers/old-index.ts): Cairn reads them
// as restic 0.14 does, check hints at them as restic does, a Cairn backup into the repository
// works, and repair index and prune replace them by current ones; restic checks every step clean.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { toOldIndexFormat } from '../helpers/old-index.ts';
import { bothCheckClean, copyRepo, linesMatching, lsLines, makeOldBase, snapshotIds, type OldBase } from '../helpers/old-restic-fixture.ts';
import { listFiles, openRepo } from '../helpers/rewrite-repo.ts';
import { lastJson, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairnOk, resticOk } from '../helpers/tools.ts';

let base: OldBase;

before(async () => {
  base = await makeOldBase();
});
after(() => fs.rmSync(base.work, { recursive: true, force: true }));

const OLD_HINT = /^index [0-9a-f]{64} has old format$/;

/** True when every index file of the repository is in the current format (an object, not a list). */
async function allCurrentFormat(repoDir: string): Promise<boolean> {
  const repo = await openRepo(repoDir);
  for (const id of await listFiles(repo, 'index')) if (Array.isArray(await repo.loadUnpacked('index', id))) return false;
  return true;
}

test('old-format index files: read as restic 0.14 reads them, check hints like restic, backup works, repair index and prune rewrite them', async () => {
  const repo = copyRepo(base, 'old-format');
  const ids = await toOldIndexFormat(repo);
  assert.ok(ids.length >= 1);
  assert.equal(await allCurrentFormat(repo), false);

  // check: not an error for either tool; the same hint per index file, and the same advice.
  const checked = bothCheckClean(repo);
  const hints = linesMatching(checked.restic, OLD_HINT);
  assert.deepEqual(hints, ids.map((id) => `index ${id} has old format`).sort(), 'restic names every old-format index');
  assert.deepEqual(linesMatching(checked.cairn, OLD_HINT), hints, 'Cairn prints the hints restic prints');
  assert.match(checked.cairn, /non-critical, you can run `cairn repair index`/);
  const report = lastJson<{ num_errors: number; hints: { kind: string; object: string }[] }>(cairnOk(['-r', repo, '--json', 'check']));
  assert.equal(report.num_errors, 0);
  assert.deepEqual(report.hints.filter((h) => h.kind === 'old-index').map((h) => h.object).sort(), ids.map((id) => `index/${id}`).sort(), 'the JSON report names each index as a typed hint');

  // Reading.
  assert.deepEqual(snapshotIds(cairnOk(['-r', repo, 'snapshots', '--json'])), snapshotIds(resticOk(repo, ['snapshots', '--json'])));
  assert.deepEqual(lsLines(cairnOk(['-r', repo, 'ls', '--json', base.snaps[1]!])), lsLines(resticOk(repo, ['ls', '--json', base.snaps[1]!])));
  restoredEquals(base.work, repo, base.snaps[0]!, 'cairn', base.src);

  // Backup into it: the new index is in the current format, the old ones stay; restic checks it.
  const added = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', base.next])).snapshot_id;
  const after = bothCheckClean(repo, ['--read-data']);
  assert.deepEqual(linesMatching(after.restic, OLD_HINT), hints, 'the old files are still there, still readable');
  restoredEquals(base.work, repo, added, 'restic', base.next);

  // repair index writes the current format.
  const repaired = copyRepo({ ...base, repo }, 'old-format-repaired');
  cairnOk(['-r', repaired, 'repair', 'index']);
  assert.equal(await allCurrentFormat(repaired), true);
  const clean = bothCheckClean(repaired);
  assert.deepEqual(linesMatching(clean.restic + clean.cairn, /old format/), []);
  restoredEquals(base.work, repaired, base.snaps[1]!, 'restic', base.next);

  // prune, when packs leave the index, replaces every index file (as restic's prune does).
  cairnOk(['-r', repo, 'forget', base.snaps[0]!]);
  cairnOk(['-r', repo, 'prune', '--max-unused', '0']);
  assert.equal(await allCurrentFormat(repo), true);
  const pruned = bothCheckClean(repo, ['--read-data']);
  assert.deepEqual(linesMatching(pruned.restic + pruned.cairn, /old format/), []);
  restoredEquals(base.work, repo, added, 'restic', base.next);
});
