// Lock files as other (older) restic processes leave them (test/helpers/old-locks.ts): fresh or
// older than 30 minutes, of a live or a dead process on this host, from another host, without
// uid/gid, written in another time zone, shared or exclusive. For each, `cairn unlock` removes
// exactly the locks `restic unlock` removes, and every lock restic 0.14 does not call stale stops
// Cairn's backup (shared) or forget (exclusive) exactly when it stops restic's.
//
// One difference, on purpose: restic 0.14 also refuses to start while a lock it calls stale is
// there (until `restic unlock`); Cairn passes over stale locks, by the same staleness rule.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeOldLock, type OldLock } from '../helpers/old-locks.ts';
import { cheapenKeys } from '../helpers/repo-format.ts';
import { cairn, restic, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let base: string;
let src: string;
/**
 * The "live process" holding locks: restic 0.14 probes a lock's process on this host with SIGHUP
 * (not signal 0), so it must be a process that ignores SIGHUP, not this test runner.
 */
let holder: ChildProcess;

before(async () => {
  holder = spawn('sh', ['-c', 'trap "" HUP; exec sleep 600'], { stdio: 'ignore' });
  work = tmpDir('old-locks');
  src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'file.txt'), 'locked or not\n');
  base = path.join(work, 'base');
  resticOk(base, ['init', '--repository-version', '1']);
  await cheapenKeys(base);
  resticOk(base, ['backup', src]);
});
after(() => {
  holder.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

/** A pid that was just used by a process that has ended. */
function deadPid(): number {
  const r = spawnSync('true');
  return r.pid!;
}

const MIN = 60_000;
const here = os.hostname();
const cases: { name: string; lock: () => OldLock; stale: boolean }[] = [
  { name: 'fresh, this host, process alive', lock: () => ({ ageMs: MIN, exclusive: true, hostname: here, pid: holder.pid! }), stale: false },
  { name: 'fresh, this host, process gone', lock: () => ({ ageMs: MIN, exclusive: true, hostname: here, pid: deadPid() }), stale: true },
  { name: '40 minutes old, this host, process alive', lock: () => ({ ageMs: 40 * MIN, exclusive: true, hostname: here, pid: holder.pid! }), stale: true },
  { name: 'fresh, another host', lock: () => ({ ageMs: MIN, exclusive: true, hostname: 'old-nas', pid: 1 }), stale: false },
  { name: 'fresh, another host, no uid/gid, written at +05:30', lock: () => ({ ageMs: 2 * MIN, exclusive: true, hostname: 'old-nas', pid: 4242, noIds: true, zoneMinutes: 330 }), stale: false },
  { name: '35 minutes old, another host, written at -08:00', lock: () => ({ ageMs: 35 * MIN, exclusive: true, hostname: 'old-nas', pid: 4242, zoneMinutes: -480 }), stale: true },
  { name: 'shared, fresh, another host', lock: () => ({ ageMs: MIN, exclusive: false, hostname: 'old-nas', pid: 4242 }), stale: false },
  { name: 'shared, 31 minutes old, another host', lock: () => ({ ageMs: 31 * MIN, exclusive: false, hostname: 'old-nas', pid: 4242 }), stale: true },
];

const copy = (from: string, name: string) => {
  const dir = path.join(work, name);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
};
const lockFiles = (repo: string) => fs.readdirSync(path.join(repo, 'locks')).sort();

cases.forEach((c, i) => {
  test(`an old lock (${c.name}): unlock removes it in both tools or in neither; it blocks Cairn when and as it blocks restic`, async () => {
    const repo = copy(base, `case-${i}`);
    const spec = c.lock();
    const lockId = await writeOldLock(repo, spec);
    const [forRestic, forCairn] = [copy(repo, `case-${i}-restic`), copy(repo, `case-${i}-cairn`)];

    // unlock
    resticOk(forRestic, ['unlock']);
    const u = cairn(['-r', forCairn, 'unlock']);
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(lockFiles(forCairn), lockFiles(forRestic), 'the same locks are left');
    assert.deepEqual(lockFiles(forRestic), c.stale ? [] : [lockId], c.stale ? 'restic calls it stale' : 'restic keeps it');

    // Who is blocked: a backup (shared lock) and a forget (exclusive lock).
    for (const [what, resticArgs, cairnArgs] of [
      ['backup', ['backup', src], ['backup', src]],
      ['forget', ['forget', '--keep-last', '5'], ['forget', '--keep-last', '5']],
    ] as const) {
      const wants = what === 'forget' ? 'exclusive' : 'shared';
      const r = restic(copy(repo, `case-${i}-${what}-restic`), [...resticArgs]);
      const k = cairn(['-r', copy(repo, `case-${i}-${what}-cairn`), ...cairnArgs]);
      const resticBlocked = r.code !== 0;
      const cairnBlocked = k.code !== 0;
      const conflicts = spec.exclusive || wants === 'exclusive';
      assert.equal(resticBlocked, conflicts, `restic ${what}: ${r.stderr}`);
      if (resticBlocked) assert.match(r.stderr, /already locked/);
      if (c.stale) {
        assert.equal(cairnBlocked, false, `cairn ${what} passes over a stale lock: ${k.stderr}`);
      } else {
        assert.equal(cairnBlocked, resticBlocked, `cairn ${what} ${resticBlocked ? 'is stopped' : 'goes ahead'} as restic: ${k.stderr}`);
        if (cairnBlocked) {
          assert.equal(k.code, 1);
          assert.match(k.stderr.trim(), new RegExp(`locked by an? (exclusive|shared) lock ${lockId.slice(0, 8)} held by olduser@${spec.hostname} \\(pid ${spec.pid}\\).*cairn unlock`));
          assert.equal(k.stderr.trim().split('\n').length, 1, 'one line');
        }
      }
    }
  });
});
