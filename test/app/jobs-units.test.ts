// The job runner's parts on their own, with fakes: the history cap, the per-repository queue,
// progress rate-limiting and rate, the bounded log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HistoryStore } from '../../src-main/jobs/history.ts';
import { JobLog, readJobLog } from '../../src-main/jobs/job-log.ts';
import { ProgressReporter } from '../../src-main/jobs/progress.ts';
import { RepositoryQueue } from '../../src-main/jobs/repository-queue.ts';
import type { JobInfo, JobProgress } from '../../src-main/jobs/types.ts';
import { tmpDir } from '../helpers/tools.ts';

function fakeJob(n: number): JobInfo {
  return { id: `job-${n}`, request: { kind: 'backup', planId: 'p' }, repositoryIds: ['r'], state: 'succeeded', queuedAt: n, startedAt: n, finishedAt: n + 1, summary: { filesNew: n } };
}

test('the history keeps the newest 200 runs per plan and hands back the ones that fell off', async () => {
  const dir = tmpDir('history');
  const store = new HistoryStore(dir, { now: () => 0, onProblem: (m) => assert.fail(m) });
  const dropped: string[] = [];
  for (let i = 1; i <= 205; i++) dropped.push(...(await store.append('plan-p', fakeJob(i))).map((d) => d.id));
  assert.deepEqual(dropped, ['job-1', 'job-2', 'job-3', 'job-4', 'job-5']);
  // Read back by a new store (from the file, validated), newest first.
  const fresh = await new HistoryStore(dir, { now: () => 0, onProblem: (m) => assert.fail(m) }).list('plan-p');
  assert.equal(fresh.length, 200);
  assert.equal(fresh[0].id, 'job-205');
  assert.equal(fresh[199].id, 'job-6');
  assert.deepEqual(fs.readdirSync(dir), ['plan-p.json'], 'no temporary files left behind');
});

test('an unreadable history file (not JSON) is moved aside and reported once', async () => {
  const dir = tmpDir('history');
  fs.writeFileSync(path.join(dir, 'plan-p.json'), '{"version":1,"entr');
  const problems: string[] = [];
  const store = new HistoryStore(dir, { now: () => 1234, onProblem: (m) => problems.push(m) });
  assert.deepEqual(await store.list('plan-p'), []);
  await store.append('plan-p', fakeJob(1));
  assert.equal(problems.length, 1);
  assert.ok(fs.existsSync(path.join(dir, 'plan-p.json.unusable-1234')));
  assert.equal((await store.list('plan-p')).length, 1);
});

test('the queue runs one job per repository, in order, and a copy waits for both of its repositories', () => {
  const q = new RepositoryQueue();
  const started: string[] = [];
  const start = (id: string) => () => started.push(id);
  q.enqueue('a', ['r1'], start('a'));
  q.enqueue('copy', ['r1', 'r2'], start('copy'));
  q.enqueue('b', ['r2'], start('b'));
  q.enqueue('c', ['r3'], start('c'));
  // b would find r2 free, but the copy queued first needs it: b may not overtake.
  assert.deepEqual(started, ['a', 'c']);
  q.release(['r1']);
  assert.deepEqual(started, ['a', 'c', 'copy']);
  q.release(['r1', 'r2']);
  assert.deepEqual(started, ['a', 'c', 'copy', 'b']);
  q.enqueue('d', ['r2'], start('d'));
  assert.equal(q.remove('d'), true);
  q.release(['r2']);
  assert.equal(q.remove('d'), false);
  assert.deepEqual(started, ['a', 'c', 'copy', 'b']);
});

test('progress events are rate-limited, a phase change always goes out, and the rate covers the recent window', () => {
  let now = 0;
  const sent: JobProgress[] = [];
  const r = new ProgressReporter({ now: () => now, emit: (p) => sent.push(p), minIntervalMs: 250, windowMs: 5000 });
  for (let t = 0; t <= 1000; t += 10) {
    now = t;
    r.update({ phase: 'backing up', filesDone: t, bytesDone: t * 1000, bytesTotal: 20_000_000 });
  }
  assert.deepEqual(sent.map((p) => p.filesDone), [0, 250, 500, 750, 1000]);
  assert.equal(sent.at(-1)?.rate, 1_000_000); // 1000 bytes per ms
  assert.equal(sent.at(-1)?.etaSeconds, 19);
  now = 1010;
  r.update({ phase: 'pruning', filesDone: 0, bytesDone: 0 });
  assert.equal(sent.at(-1)?.phase, 'pruning');
  now = 1020;
  r.update({ phase: 'pruning', filesDone: 1, bytesDone: 0 });
  assert.equal(sent.length, 6);
  r.flush();
  assert.equal(sent.at(-1)?.filesDone, 1, 'flush sends what was held back');
  // A stall shows as a falling rate once the window has moved past the fast part.
  const s2: JobProgress[] = [];
  now = 0;
  const r2 = new ProgressReporter({ now: () => now, emit: (p) => s2.push(p), minIntervalMs: 0, windowMs: 1000 });
  for (let t = 0; t <= 1000; t += 100) { now = t; r2.update({ phase: 'x', filesDone: 0, bytesDone: t * 10 }); }
  for (let t = 1100; t <= 3000; t += 100) { now = t; r2.update({ phase: 'x', filesDone: 0, bytesDone: 10_000 }); }
  assert.equal(s2.at(-1)?.rate, 0);
});

test('the log keeps its first and last lines within its bound, one line each, without secrets', async () => {
  const secrets = ['hunter2'];
  const log = new JobLog({ now: () => 7, maxLines: 10, secrets });
  for (let i = 0; i < 100; i++) log.add('info', `line ${i}`);
  log.add('error', 'failed with hunter2\nsecond line');
  const lines = log.lines();
  assert.equal(lines.length, 11);
  assert.deepEqual(lines.slice(0, 5).map((l) => l.message), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  assert.match(lines[5].message, /^91 log lines left out/);
  assert.equal(lines.at(-1)?.message, 'failed with [redacted]');
  const file = path.join(tmpDir('log'), 'x.log');
  await log.save(file);
  fs.appendFileSync(file, 'torn line {\n');
  assert.deepEqual(await readJobLog(file), lines);
});
