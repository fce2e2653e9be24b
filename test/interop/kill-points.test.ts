// A backup killed with SIGKILL at any moment leaves a repository that restic accepts, and the next
// backup completes. Kill points are spread over the whole run (start-up, lock, index load, file
// reading, pack uploads, index and snapshot writes), with a random offset each.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { mulberry32 } from '../helpers/random.ts';
import { cairnOk, dataset, restic, resticOk, spawnCairn, tmpDir } from '../helpers/tools.ts';

const KILLS = 24;
let work: string;
let src: string;

before(() => {
  work = tmpDir('kill');
  src = dataset(64);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function runAndKill(args: string[], afterMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawnCairn(args, { stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => { killed = child.kill('SIGKILL'); }, afterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code });
    });
  });
}

test(`${KILLS} SIGKILLs at random points of a backup each leave a repository restic check accepts`, async () => {
  const probe = path.join(work, 'probe');
  cairnOk(['-r', probe, 'init']);
  const t0 = performance.now();
  cairnOk(['-r', probe, 'backup', src]);
  // How long a whole run takes; re-measured whenever a run finishes before its kill, so the kill
  // points stay spread over the run even when the machine is busier or quieter than at the probe.
  let fullMs = performance.now() - t0;

  const repo = path.join(work, 'repo');
  cairnOk(['-r', repo, 'init']);
  const random = mulberry32(20261125);
  let interrupted = 0;
  for (let attempt = 0; interrupted < KILLS; attempt++) {
    assert.ok(attempt < KILLS * 2, `only ${interrupted} of ${attempt} runs could be interrupted`);
    // A quarter of the points early, where lock and index set-up happen; the rest over the run.
    const share = interrupted < KILLS / 4 ? random() * 0.25 : (interrupted + random()) / KILLS;
    const at = Math.max(5, Math.round(share * fullMs));
    const started = performance.now();
    const r = await runAndKill(['-r', repo, 'backup', src], at);
    if (r.killed) {
      interrupted++;
    } else {
      assert.equal(r.code, 0, 'a run that was not killed must succeed');
      fullMs = performance.now() - started;
      // Forget the finished snapshot (deleting a snapshot file leaves a valid repository), so the
      // next run has no parent and does the whole work again.
      for (const f of fs.readdirSync(path.join(repo, 'snapshots'))) fs.rmSync(path.join(repo, 'snapshots', f));
    }
    // A SIGKILLed process cannot remove its lock. restic 0.14's check refuses any other lock, stale
    // or not, so first let restic's own unlock judge ours stale (dead PID on this host) and remove it.
    resticOk(repo, ['unlock']);
    assert.equal(resticOk(repo, ['list', 'locks']).trim(), '', 'restic must see the killed run\'s lock as stale');
    const check = restic(repo, ['check']);
    assert.equal(check.code, 0, `after a kill at ${at} ms of ~${Math.round(fullMs)} ms, restic check failed:\n${check.stderr}\n${check.stdout}`);
  }

  // The next backup completes, and everything is readable.
  cairnOk(['-r', repo, 'backup', src]);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  const target = path.join(work, 'restored');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
});
