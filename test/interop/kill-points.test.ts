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
  const fullMs = performance.now() - t0;

  const repo = path.join(work, 'repo');
  cairnOk(['-r', repo, 'init']);
  const random = mulberry32(20261125);
  let interrupted = 0;
  for (let i = 0; i < KILLS; i++) {
    // Spread over the run; a quarter of the points early, where lock and index set-up happen.
    const share = i < KILLS / 4 ? random() * 0.25 : (i + random()) / KILLS;
    const at = Math.max(5, Math.round(share * fullMs));
    const r = await runAndKill(['-r', repo, 'backup', src], at);
    if (r.killed) interrupted++;
    // A SIGKILLed process cannot remove its lock. restic 0.14's check refuses any other lock, stale
    // or not, so first let restic's own unlock judge ours stale (dead PID on this host) and remove it.
    resticOk(repo, ['unlock']);
    assert.equal(resticOk(repo, ['list', 'locks']).trim(), '', 'restic must see the killed run\'s lock as stale');
    const check = restic(repo, ['check']);
    assert.equal(check.code, 0, `after a kill at ${at} ms of ~${Math.round(fullMs)} ms, restic check failed:\n${check.stderr}\n${check.stdout}`);
  }
  assert.ok(interrupted >= KILLS * 0.75, `most runs must really be interrupted (got ${interrupted} of ${KILLS})`);

  // The next backup completes, and everything is readable.
  cairnOk(['-r', repo, 'backup', src]);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  const target = path.join(work, 'restored');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
});
