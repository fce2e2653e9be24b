// check and restore start reading while their lock waits out restic's 200 ms for a racing lock
// (RepositoryLock.begin). A lock that appears in that wait must still stop them with the lock's
// message, before restore writes anything, and their own lock file must be gone afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, RepositoryLock, backup, check, currentUser, findSnapshot, isCairnError, readWhileConfirming, restore } from '../../src-worker/index.ts';
import { encodeLock } from '../../src-worker/format/lock.ts';
import { formatTime, nowNs } from '../../src-worker/format/time.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-check-race-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

async function repository(name: string): Promise<{ repo: Repository; dir: string }> {
  const src = path.join(work, `${name}-src`);
  fs.mkdirSync(src);
  for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(src, `f${i}`), `file ${i}\n`.repeat(2000 + i));
  const dir = path.join(work, name);
  await Repository.init(new LocalBackend(dir), 'pw');
  const repo = await Repository.open(new LocalBackend(dir), 'pw');
  await backup(repo, { paths: [src], workers: 1 });
  return { repo, dir };
}

test('check reads during the lock wait and returns its result once the lock is confirmed', async () => {
  const { repo, dir } = await repository('ok');
  const { lock, confirmed } = await RepositoryLock.begin(repo, true);
  let confirmedAt = 0;
  void confirmed.then(() => { confirmedAt = performance.now(); });
  let firstProgressAt = 0;
  const result = await readWhileConfirming(confirmed, undefined, (signal) => check(repo, {
    readData: true, signal, onProgress: () => { firstProgressAt ||= performance.now(); },
  }));
  assert.ok(firstProgressAt > 0 && confirmedAt > 0);
  assert.ok(firstProgressAt < confirmedAt, 'the check was under way before the lock was confirmed');
  assert.deepEqual(result.problems, []);
  assert.equal(result.snapshots, 1);
  assert.equal(fs.readdirSync(path.join(dir, 'locks')).length, 1, 'the confirmed lock is held');
  await lock.release();
  assert.deepEqual(fs.readdirSync(path.join(dir, 'locks')), []);
});

test('a lock taken during the wait stops the check with that lock\'s error, and the check\'s lock is removed', async () => {
  const { repo, dir } = await repository('race');
  const { confirmed } = await RepositoryLock.begin(repo, true);
  const racing = await repo.saveUnpacked('locks', encodeLock({
    time: formatTime(nowNs()), exclusive: false, hostname: currentUser().hostname, username: 'backup-user', pid: process.pid,
  }));
  await assert.rejects(readWhileConfirming(confirmed, undefined, (signal) => check(repo, { readData: true, signal })), (err: unknown) => {
    assert.ok(isCairnError(err, 'REPO_LOCKED'), String(err));
    assert.match((err as Error).message, /locked by .*backup-user@/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(path.join(dir, 'locks')), [racing], 'only the racing lock is left');
});

test('a prune\'s lock taken during the wait stops a restore before it writes anything', async () => {
  const { repo, dir } = await repository('restore-race');
  const snapshot = await findSnapshot(repo, 'latest');
  const { confirmed } = await RepositoryLock.begin(repo, false);
  const racing = await repo.saveUnpacked('locks', encodeLock({
    time: formatTime(nowNs()), exclusive: true, hostname: currentUser().hostname, username: 'pruner', pid: process.pid,
  }));
  const target = path.join(work, 'restore-target');
  await assert.rejects(restore(repo, { snapshot, target, lockConfirmed: confirmed }), (err: unknown) => {
    assert.ok(isCairnError(err, 'REPO_LOCKED'), String(err));
    assert.match((err as Error).message, /exclusive lock .* held by pruner@/);
    return true;
  });
  assert.equal(fs.existsSync(target), false, 'nothing was written');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'locks')), [racing]);
});
