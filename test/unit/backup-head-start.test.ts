// Workers started while the repository opens (ops/backup/head-start.ts) must be started when the
// backup will read files, not when nothing changed since the last backup of the same paths, and
// never be left running, whichever way the backup ends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { BackupHeadStart, LocalBackend, Repository, backup, isCairnError } from '../../src-worker/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-head-start-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('workers start ahead without a record of an earlier backup, not when no file changed since it, and again after a change', async () => {
  const src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(src, 'sub', `f${i}.txt`), `file ${i}\n`);
  const repoDir = path.join(work, 'repo');
  const cacheRoot = path.join(work, 'cache');
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const repo = await Repository.open(new LocalBackend(repoDir), 'pw');
  await sleep(50); // the files' ctimes are well before the first backup's start
  const headStart = () => new BackupHeadStart([src], { repository: repoDir, cacheRoot });

  const first = headStart();
  await first.prefetch.finished;
  assert.equal(first.workersStarted, true, 'no record yet: a first backup reads files');
  const s1 = await backup(repo, { paths: [src], headStart: first });
  assert.equal(s1.filesNew, 20);
  assert.equal(first.take(), null, 'the backup took the workers (and ended them)');
  assert.equal(fs.readdirSync(path.join(cacheRoot, 'backup-starts')).length, 1, 'the start time is recorded');

  const second = headStart();
  await second.prefetch.finished;
  assert.equal(second.workersStarted, false, 'nothing changed since the last backup started');
  const relative = new BackupHeadStart([src], { repository: path.relative(process.cwd(), repoDir), cacheRoot });
  await relative.prefetch.finished;
  assert.equal(relative.workersStarted, false, 'the same repository named by a relative path finds the record');
  await relative.stop();
  const s2 = await backup(repo, { paths: [src], headStart: second });
  assert.equal(s2.filesUnmodified, 20);

  fs.writeFileSync(path.join(src, 'sub', 'f7.txt'), 'changed\n');
  const third = headStart();
  await third.prefetch.finished;
  assert.equal(third.workersStarted, true, 'a file changed after the last backup started');
  const s3 = await backup(repo, { paths: [src], headStart: third });
  assert.equal(s3.filesChanged, 1);

  const dry = headStart();
  fs.writeFileSync(path.join(src, 'sub', 'f8.txt'), 'changed too\n');
  await dry.prefetch.finished;
  await backup(repo, { paths: [src], headStart: dry, dryRun: true });
  const afterDry = headStart();
  await afterDry.prefetch.finished;
  assert.equal(afterDry.workersStarted, true, 'a dry run records nothing: the change is still news');
  await afterDry.stop();
  assert.equal(afterDry.take(), null, 'stop() ends the workers nobody took');

  const noCache = new BackupHeadStart([src], { repository: repoDir, cacheRoot: null });
  assert.equal(noCache.workersStarted, true, 'without a cache folder there is no record: workers start every time');
  await noCache.stop();
  await repo.backend.close();
});

test('a backup that fails before it reads anything ends the workers started for it', async () => {
  const repoDir = path.join(work, 'repo2');
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const repo = await Repository.open(new LocalBackend(repoDir), 'pw');
  const missing = path.join(work, 'does-not-exist');
  const hs = new BackupHeadStart([missing], { repository: repoDir, cacheRoot: path.join(work, 'cache2') });
  assert.equal(hs.workersStarted, true);
  await assert.rejects(backup(repo, { paths: [missing], headStart: hs }), (err) => isCairnError(err, 'SOURCE_MISSING'));
  assert.equal(hs.take(), null, 'its workers were ended');
  await repo.backend.close();
});
