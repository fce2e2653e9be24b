// Backup reads the index and the parent snapshot while its lock waits out restic's 200 ms for a
// racing exclusive lock. An exclusive lock that appears in that wait must still stop the backup
// with the lock's message, before anything is written into the repository.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CairnError, LocalBackend, Repository, backup, currentUser, isCairnError } from '../../src-worker/index.ts';
import { encodeLock } from '../../src-worker/format/lock.ts';
import { formatTime, nowNs } from '../../src-worker/format/time.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lock-race-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const filesUnder = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();

test('an exclusive lock taken during the lock wait stops the backup with its message; nothing is written', async () => {
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(src, `f${i}`), `file ${i}\n`.repeat(1000 + i));
  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  const first = await backup(repo, { paths: [src], workers: 1 });
  fs.appendFileSync(path.join(src, 'f0'), 'changed\n');
  fs.writeFileSync(path.join(src, 'new'), 'a new file\n');

  const before = new Set(filesUnder(repoDir));
  const running = backup(repo, { paths: [src], workers: 1 });
  // The backup's own lock file appears first; the exclusive one goes in right after it.
  const locksDir = path.join(repoDir, 'locks');
  while (fs.readdirSync(locksDir).length === 0) await new Promise((r) => setTimeout(r, 1));
  const me = currentUser();
  const exclusiveId = await repo.saveUnpacked('locks', encodeLock({
    time: formatTime(nowNs()), exclusive: true, hostname: me.hostname, username: 'pruner', pid: process.pid,
  }));

  await assert.rejects(running, (err: unknown) => {
    assert.ok(isCairnError(err, 'REPO_LOCKED'), String(err));
    assert.match((err as Error).message, /exclusive lock .* held by pruner@/);
    return true;
  });
  // Packs staged during the wait sit in the backend's own folder under tmp/, which closing it
  // removes (the CLI and the job runner close it however the backup ended).
  await repo.backend.close();
  const added = filesUnder(repoDir).filter((f) => !before.has(f));
  assert.deepEqual(added, [path.join(locksDir, exclusiveId)], 'only the exclusive lock is new: no pack, index, snapshot or staged file, and the backup removed its lock');
  assert.deepEqual(fs.readdirSync(path.join(repoDir, 'tmp')), [], 'the staging folder is gone');
  assert.equal((await repo.listSnapshots()).length, 1);
  assert.ok(first.snapshotId);
});

test('holdWritesUntil: packs, index files and snapshots wait for the promise and fail with its error; lock files do not wait', async () => {
  const repoDir = path.join(work, 'gate-repo');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  const packs = () => filesUnder(path.join(repoDir, 'data')).length;
  const snapshots = () => fs.readdirSync(path.join(repoDir, 'snapshots')).length;
  // One blob larger than a pack's target size: saveBlob commits the pack at once.
  const bigBlob = () => crypto.randomBytes(17 << 20);
  const snapshotJson = JSON.stringify({ time: formatTime(nowNs()), tree: '0'.repeat(64), paths: ['/x'], hostname: 'h', username: 'u' });

  let settle!: () => void;
  repo.holdWritesUntil(new Promise<void>((resolve) => { settle = resolve; }));
  const saving = repo.saveBlob('data', bigBlob());
  const snapshotting = repo.saveUnpacked('snapshots', snapshotJson);
  const lockId = await repo.saveUnpacked('locks', encodeLock({ time: formatTime(nowNs()), exclusive: false, hostname: 'h', username: 'u', pid: process.pid }));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(packs(), 0, 'no pack while held');
  assert.equal(snapshots(), 0, 'no snapshot while held');
  assert.ok(fs.existsSync(path.join(repoDir, 'locks', lockId)), 'the lock file was written at once');
  settle();
  await saving;
  await snapshotting;
  assert.equal(packs(), 1);
  assert.equal(snapshots(), 1);

  const lockError = new CairnError('REPO_LOCKED', 'locked by someone else');
  const failed = Promise.reject(lockError);
  failed.catch(() => {});
  repo.holdWritesUntil(failed);
  await assert.rejects(repo.saveBlob('data', bigBlob()), /locked by someone else/);
  await assert.rejects(repo.saveUnpacked('index', '{"packs":[]}'), /locked by someone else/);
  assert.equal(packs(), 1);
  repo.abandonWrites();

  repo.holdWritesUntil(null);
  await repo.saveBlob('data', bigBlob());
  assert.equal(packs(), 2, 'writes go on once the hold is lifted');
});
