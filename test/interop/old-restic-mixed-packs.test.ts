// Mixed packs (data and tree blobs in one pack), as restic before 0.8 and any version 1 writer
// could store them, built from a version 1 repository restic 0.14 wrote
// (test/helpers/mixed-packs.ts). Cairn reads and checks them as restic 0.14 does (a hint, not an
// error), copies out of them, and its prune separates them, as restic's does; restic checks each
// result clean, with every byte read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mixAllPacks } from '../helpers/mixed-packs.ts';
import { bothCheckClean, copyRepo, linesMatching, lsLines, makeOldBase, snapshotIds, type OldBase } from '../helpers/old-restic-fixture.ts';
import { storedForm } from '../helpers/repo-format.ts';
import { json, lastJson, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairnOk, resticOk } from '../helpers/tools.ts';

let base: OldBase;

before(async () => {
  base = await makeOldBase();
});
after(() => fs.rmSync(base.work, { recursive: true, force: true }));

const MIXED = /^pack [0-9a-f]{8} contains a mix of tree and data blobs$/;

test('mixed packs: read, checked with restic\'s hint, copied, backed up into, and separated by prune as restic\'s prune does', async () => {
  const repo = copyRepo(base, 'mixed');
  const mixed = await mixAllPacks(repo);
  assert.ok(mixed >= 2, 'several packs hold both kinds of blob');
  assert.equal((await storedForm(repo)).mixedPacks, mixed);

  // check: the same packs named by both, not an error, with --read-data.
  const checked = bothCheckClean(repo, ['--read-data']);
  const hints = linesMatching(checked.restic, MIXED);
  assert.equal(hints.length, mixed, 'restic names each mixed pack');
  assert.deepEqual(linesMatching(checked.cairn, MIXED), hints, 'Cairn names the same packs');
  assert.match(checked.cairn, /non-critical, you can run `cairn prune`/);

  // Reading.
  assert.deepEqual(snapshotIds(cairnOk(['-r', repo, 'snapshots', '--json'])), [...base.snaps].sort());
  assert.deepEqual(lsLines(cairnOk(['-r', repo, 'ls', '--json', base.snaps[1]!])), lsLines(resticOk(repo, ['ls', '--json', base.snaps[1]!])));
  restoredEquals(base.work, repo, base.snaps[0]!, 'cairn', base.src);

  // copy out of mixed packs: the copy has separate packs and restores exactly.
  const dst = path.join(base.work, 'mixed-copy');
  resticOk(dst, ['init', '--repository-version', '1']);
  cairnOk(['-r', dst, 'copy', '--from-repo', repo], { env: { CAIRN_FROM_PASSWORD: 'test-password' } });
  assert.equal((await storedForm(dst)).mixedPacks, 0);
  assert.doesNotMatch(resticOk(dst, ['check', '--read-data']), /mix of tree and data/);
  const copied = json<{ id: string }[]>(resticOk(dst, ['snapshots', '--json', '--path', base.next]));
  assert.equal(copied.length, 1);
  restoredEquals(base.work, dst, copied[0]!.id, 'restic', base.next);

  // A backup into it, then prune with both tools (each on its own copy): no mixed pack is left.
  const added = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', base.next])).snapshot_id;
  const byRestic = copyRepo({ ...base, repo }, 'mixed-restic-prune');
  resticOk(byRestic, ['prune']);
  cairnOk(['-r', repo, 'prune']);
  for (const r of [repo, byRestic]) {
    assert.equal((await storedForm(r)).mixedPacks, 0, `no mixed pack after prune (${path.basename(r)})`);
    const clean = bothCheckClean(r, r === repo ? ['--read-data'] : []);
    assert.deepEqual(linesMatching(clean.restic + clean.cairn, /mix of tree and data/), []);
  }
  restoredEquals(base.work, repo, added, 'restic', base.next);
  restoredEquals(base.work, repo, base.snaps[0]!, 'restic', base.src);
});
