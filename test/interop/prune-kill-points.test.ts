// A prune killed with SIGKILL right after any of its changes to the repository (each pack or index
// file stored, each file deleted) leaves a repository restic checks clean, in which every snapshot
// still restores exactly; the next prune then completes. The kill points come from a test-only
// switch, CAIRN_TEST_KILL_AFTER_MUTATIONS=N: the CLI kills itself right after its Nth change.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildPruneFixture, copyRepo, restoreDiffs, type PruneFixture } from '../helpers/prune-fixture.ts';
import { cairn, cairnOk, restic, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let fx: PruneFixture;

before(() => {
  work = tmpDir('prune-kill');
  fx = buildPruneFixture(work);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface Summary {
  unreferenced_packs: string[];
  removed_packs: string[];
  repacked_packs: string[];
  new_packs: number;
  index_files_written: number;
  index_files_replaced: number;
}

test('a prune SIGKILLed after each of its repository changes leaves a repository restic accepts, and the next prune completes', () => {
  // One full run on a copy counts the changes a prune of this repository makes.
  const probe = copyRepo(fx.base, path.join(work, 'probe'));
  const s = JSON.parse(cairnOk(['-r', probe, 'prune', '--max-unused', '0', '--json']).trim()) as Summary;
  const changes = s.unreferenced_packs.length + s.removed_packs.length + s.repacked_packs.length
    + s.new_packs + s.index_files_written + s.index_files_replaced;
  assert.ok(s.unreferenced_packs.length > 0 && s.repacked_packs.length > 0 && s.new_packs > 0 && s.index_files_replaced > 0,
    `the fixture must exercise every step: ${JSON.stringify(s)}`);

  // Kill after the 1st, 2nd, … change; each on a fresh copy, so every point of the sequence is covered.
  for (let n = 1; n < changes; n++) {
    const repo = copyRepo(fx.base, path.join(work, `kill-${n}`));
    const r = cairn(['-r', repo, 'prune', '--max-unused', '0'], { env: { CAIRN_TEST_KILL_AFTER_MUTATIONS: String(n) } });
    assert.equal(r.code, -1, `run ${n} must be killed (it exited with ${r.code}): ${r.stderr}`);
    // A SIGKILLed process leaves its lock; restic judges it stale (dead pid on this host) and removes it.
    resticOk(repo, ['unlock']);
    const check = restic(repo, ['check', '--read-data']);
    assert.equal(check.code, 0, `after a kill at change ${n} of ${changes}, restic check failed:\n${check.stderr}\n${check.stdout}`);
    // check --read-data proved every blob each snapshot reaches is there and intact (ids are content
    // hashes); restoring, the slow part, is done at the first and last kill points.
    if (n === 1 || n === changes - 1) assert.deepEqual(restoreDiffs(fx, repo, path.join(work, 'restore')), [], `after a kill at change ${n}`);
    // The next prune completes: checked after the first kill (unreferenced new files left) and
    // after the last (old index files and packs half deleted); the points between were checked above.
    if (n === 1 || n === changes - 1) {
      cairnOk(['-r', repo, 'prune', '--max-unused', '0']);
      assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/, `the prune after a kill at change ${n}`);
      if (n > 1) assert.deepEqual(restoreDiffs(fx, repo, path.join(work, 'restore')), [], `after the prune that followed a kill at change ${n}`);
    }
    fs.rmSync(repo, { recursive: true, force: true });
  }
  // Killing after the last change kills nothing that matters: the run is complete by then.
  console.log(`killed a prune at each of its first ${changes - 1} of ${changes} repository changes`);
});
