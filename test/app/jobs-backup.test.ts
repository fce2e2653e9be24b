// The job runner end to end on real local repositories: backup, progress, cancel, the
// per-repository queue, failures without secrets, and the persisted history.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { JobEvent, JobProgress } from '../../src-main/jobs/index.ts';
import { jobFixture, PASSWORD, resticSnapshots, writeRandomFiles } from '../helpers/job-fixture.ts';
import { restic } from '../helpers/tools.ts';

const progressOf = (events: JobEvent[], jobId: string): JobProgress[] =>
  events.flatMap((e) => (e.type === 'job-progress' && e.jobId === jobId ? [e.progress] : []));

test('a backup job saves a snapshot restic check --read-data accepts, with monotonic progress and a log', async () => {
  const f = await jobFixture({ progressIntervalMs: 0 });
  const repo = await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 6, 400_000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });

  const queued = await f.service.start({ kind: 'backup', planId: 'docs', reason: 'manual' });
  assert.deepEqual(queued.repositoryIds, ['main']);
  const end = await f.service.wait(queued.id);
  assert.equal(end.state, 'succeeded', end.error);

  const snaps = resticSnapshots(repo);
  assert.equal(snaps.length, 1);
  assert.deepEqual(end.snapshotIds, [snaps[0].id]);
  assert.equal(end.summary?.filesNew, 6);
  const check = restic(repo, ['check', '--read-data'], { password: PASSWORD });
  assert.equal(check.code, 0, check.stderr);

  const progress = progressOf(f.events, queued.id).filter((p) => p.phase === 'backing up');
  assert.ok(progress.length >= 2, `expected progress events, got ${progress.length}`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].bytesDone >= progress[i - 1].bytesDone, `bytes went back at event ${i}`);
    assert.ok(progress[i].filesDone >= progress[i - 1].filesDone, `files went back at event ${i}`);
  }
  assert.equal(progress.at(-1)?.bytesDone, 6 * 400_000);
  const types = f.events.filter((e) => 'job' in e && e.job.id === queued.id).map((e) => e.type);
  assert.deepEqual(types, ['job-queued', 'job-started', 'job-finished']);

  const log = await f.service.log(queued.id);
  assert.ok(log.some((l) => l.level === 'info' && l.message.includes('saved')), JSON.stringify(log));
  assert.ok(fs.existsSync(path.join(f.dataDir, 'logs', `${queued.id}.log`)));
});

test('cancelling a backup mid-way leaves a valid repository, no snapshot and a cancelled history entry', async () => {
  const f = await jobFixture({ progressIntervalMs: 0 });
  const repo = await f.addRepo('main');
  const src = path.join(f.root, 'src');
  // Many small files: per-file work makes the backup last long enough for progress events to
  // arrive mid-way (the engine reports every 250 ms), still only 6 MB.
  writeRandomFiles(src, 2000, 3000);
  await f.addPlan({ id: 'big', repositoryId: 'main', sources: [src] });

  let cancelledAt: JobProgress | null = null;
  f.service.subscribe((e) => {
    // The first progress with data moving: the backup is under way, packs are being written.
    if (e.type === 'job-progress' && e.progress.bytesDone > 0 && !cancelledAt) {
      cancelledAt = e.progress;
      void f.service.cancel(e.jobId);
    }
  });
  const job = await f.service.start({ kind: 'backup', planId: 'big' });
  const end = await f.service.wait(job.id);
  const at = cancelledAt as JobProgress | null;
  assert.ok(at, 'no progress event arrived before the end');
  assert.ok(at.filesDone < 2000, 'the backup had already read every file when cancelled');
  assert.equal(end.state, 'cancelled');
  assert.equal(end.errorCode, 'ABORTED');

  assert.equal(resticSnapshots(repo).length, 0);
  const check = restic(repo, ['check', '--read-data'], { password: PASSWORD });
  assert.equal(check.code, 0, check.stderr + check.stdout);
  const history = await f.service.history({ planId: 'big' });
  assert.deepEqual(history.map((h) => h.state), ['cancelled']);
  assert.equal(await f.service.cancel(job.id), false, 'a finished job cannot be cancelled');
});

test('cancelling while one huge file is read ends the backup within seconds, not when the file is done', async () => {
  const f = await jobFixture({ progressIntervalMs: 0 });
  const repo = await f.addRepo('main');
  const src = path.join(f.root, 'src');
  fs.mkdirSync(src);
  // 64 GiB, sparse: no disk space, but read and chunked in full (minutes) unless cancel stops it.
  const image = path.join(src, 'disk-image.raw');
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 64 * 2 ** 30);
  await f.addPlan({ id: 'image', repositoryId: 'main', sources: [src] });
  let cancelledAt = 0;
  f.service.subscribe((e) => {
    if (e.type === 'job-progress' && e.progress.bytesDone > 0 && !cancelledAt) {
      cancelledAt = performance.now();
      void f.service.cancel(e.jobId);
    }
  });
  try {
    const job = await f.service.start({ kind: 'backup', planId: 'image' });
    const end = await f.service.wait(job.id);
    assert.ok(cancelledAt > 0, 'no progress event arrived before the end');
    const took = performance.now() - cancelledAt;
    assert.equal(end.state, 'cancelled', end.error);
    assert.ok(took < 5000, `the cancel took ${Math.round(took)} ms`);
    assert.equal(resticSnapshots(repo).length, 0);
  } finally {
    fs.rmSync(image, { force: true });
  }
});

test('two jobs on one repository run one after the other; on two repositories they run at the same time', async () => {
  const f = await jobFixture();
  await f.addRepo('one');
  await f.addRepo('two');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 3, 100_000);
  await f.addPlan({ id: 'a', repositoryId: 'one', sources: [src] });
  await f.addPlan({ id: 'b', repositoryId: 'one', sources: [src] });
  await f.addPlan({ id: 'c', repositoryId: 'two', sources: [src] });

  const a = await f.service.start({ kind: 'backup', planId: 'a' });
  const b = await f.service.start({ kind: 'backup', planId: 'b' });
  const c = await f.service.start({ kind: 'backup', planId: 'c' });
  assert.equal(f.service.get(b.id)?.state, 'queued', 'b waits for a');
  assert.equal(f.service.get(c.id)?.state, 'running', 'c has its own repository');
  const ends = await Promise.all([a, b, c].map((j) => f.service.wait(j.id)));
  assert.deepEqual(ends.map((e) => e.state), ['succeeded', 'succeeded', 'succeeded']);

  const order = f.events.flatMap((e) => (e.type === 'job-started' || e.type === 'job-finished' ? [`${e.type.slice(4)}:${e.job.id}`] : []));
  const at = (s: string) => order.indexOf(s);
  assert.ok(at(`finished:${a.id}`) < at(`started:${b.id}`), `b started before a finished: ${order.join(' ')}`);
  assert.ok(at(`started:${c.id}`) < at(`finished:${a.id}`), `c did not run beside a: ${order.join(' ')}`);
  // b waited in the queue while a ran: its start came after a's end in time, too.
  assert.ok((ends[1].startedAt ?? 0) >= (ends[0].finishedAt ?? Infinity));
});

test('a wrong password fails the job with a one-line error that contains no password', async () => {
  const secret = 'wrong-password-s3cr3t';
  const f = await jobFixture({ getPassword: async () => secret });
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 1, 1000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const job = await f.service.start({ kind: 'backup', planId: 'docs' });
  const end = await f.service.wait(job.id);
  assert.equal(end.state, 'failed');
  assert.equal(end.errorCode, 'WRONG_PASSWORD');
  assert.ok(end.error && !end.error.includes('\n') && end.error.length > 0);
  const everything = [
    JSON.stringify(end),
    JSON.stringify(f.events),
    fs.readFileSync(path.join(f.dataDir, 'logs', `${job.id}.log`), 'utf8'),
    fs.readFileSync(path.join(f.dataDir, 'history', 'plan-docs.json'), 'utf8'),
  ].join('\n');
  assert.ok(!everything.includes(secret), 'the password leaked');
});

test('a password that shows up in an error message is redacted from the error and the log', async () => {
  const secret = 'leaky-s3cr3t-password';
  const f = await jobFixture({ getPassword: async () => secret });
  await f.profiles.addRepository({ id: 'gone', name: 'gone', location: path.join('/nonexistent-cairn', 'repo') });
  await f.addPlan({ id: 'p', repositoryId: 'gone', sources: [f.root] });
  // A location that cannot be opened: the error names the location; make the location hold the
  // password, as a careless library message might.
  await f.profiles.updateRepository('gone', { location: path.join('/nonexistent-cairn', secret) });
  const end = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'p' })).id);
  assert.equal(end.state, 'failed');
  assert.ok(end.error?.includes('[redacted]'), end.error);
  assert.ok(!JSON.stringify([end, await f.service.log(end.id)]).includes(secret));
});

test('the history survives a restart, newest first, with the log readable after the restart', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 2, 10_000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const first = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  fs.writeFileSync(path.join(src, 'new.txt'), 'a change');
  const second = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  const check = await f.service.wait((await f.service.start({ kind: 'check', repositoryId: 'main' })).id);
  assert.equal(check.state, 'succeeded', check.error);
  await f.service.close();

  const again = await f.restart();
  const plan = await again.history({ planId: 'docs' });
  assert.deepEqual(plan.map((h) => h.id), [second.id, first.id]);
  assert.equal(plan[0].summary?.filesNew, 1);
  // A repository's history has every job that touched it, its plans' backups too.
  assert.deepEqual((await again.history({ repositoryId: 'main' })).map((h) => h.id), [check.id, second.id, first.id]);
  assert.equal((await again.history({})).length, 3);
  assert.equal((await again.history({ planId: 'docs', limit: 1 })).length, 1);
  const log = await again.log(first.id);
  assert.ok(log.length > 2 && log.every((l) => typeof l.at === 'number'));
  assert.equal(again.problems().length, 0);
});

test('a corrupt history file is moved aside and reported, and jobs go on', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 1, 1000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  fs.mkdirSync(path.join(f.dataDir, 'history'), { recursive: true });
  fs.writeFileSync(path.join(f.dataDir, 'history', 'plan-docs.json'), '{"version":1,"entries":[{"id":"x"}]}');
  assert.deepEqual(await f.service.history({ planId: 'docs' }), []);
  assert.equal(f.service.problems().length, 1);
  assert.match(f.service.problems()[0], /moved to/);
  const aside = fs.readdirSync(path.join(f.dataDir, 'history')).filter((n) => n.includes('unusable'));
  assert.equal(aside.length, 1);
  const end = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  assert.equal(end.state, 'succeeded');
  assert.equal((await f.service.history({ planId: 'docs' })).length, 1);
});

test('requests are checked before anything is queued', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  await assert.rejects(f.service.start({ kind: 'backup', planId: 'nope' }), /no plan "nope"/);
  await assert.rejects(f.service.start({ kind: 'restore', repositoryId: 'main', snapshotId: 'latest', target: 'relative/dir' }), /not an absolute path/);
  await assert.rejects(f.service.start({ kind: 'copy', fromRepositoryId: 'main', toRepositoryId: 'main' }), /two different repositories/);
  await assert.rejects(f.service.start({ kind: 'check', repositoryId: 'main', readDataSubset: 'lots' }));
  assert.deepEqual(f.service.active(), []);
});
