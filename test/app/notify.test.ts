// The notification policy (pure: time passed in) and its service (fed events, clock injected).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiEvent } from '../../src-main/api/index.ts';
import type { JobInfo, JobRequest } from '../../src-main/jobs/index.ts';
import { NotificationPolicy, NotificationService, type CairnNotification } from '../../src-main/notify/index.ts';
import type { PlanStatus } from '../../src-main/scheduler/index.ts';
import { relativeTime } from '../../src-main/tray/index.ts';
import { FakeClock, settle } from '../helpers/fake-clock.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 10, 11, 0);
let seq = 0;

function job(request: JobRequest, state: JobInfo['state'], extra: Partial<JobInfo> = {}): JobInfo {
  return { id: `j${++seq}`, request, repositoryIds: ['repo'], state, queuedAt: T0, finishedAt: T0, ...extra };
}
const backup = (planId: string, reason: 'scheduled' | 'manual' = 'scheduled'): JobRequest => ({ kind: 'backup', planId, reason });
const finished = (j: JobInfo, extra: { firstSuccess?: boolean; recovered?: boolean; planName?: string } = {}) =>
  ({ type: 'job-finished' as const, job: j, planName: extra.planName ?? 'Documents', firstSuccess: extra.firstSuccess ?? false, recovered: extra.recovered ?? false });

function policy() {
  return new NotificationPolicy({ windowMs: 30 * MIN, coalesceMs: 15_000, relativeTime });
}

test('a scheduled backup that succeeds says nothing; first, recovered and manual ones do', () => {
  const p = policy();
  assert.deepEqual(p.push(finished(job(backup('docs'), 'succeeded')), T0), []);
  const first = p.push(finished(job(backup('docs'), 'succeeded'), { firstSuccess: true }), T0);
  assert.deepEqual(first.map((n) => [n.kind, n.title, n.urgency, n.planIds]), [['first-backup', 'First backup of Documents done', 'normal', ['docs']]]);
  const again = p.push(finished(job(backup('photos'), 'succeeded'), { recovered: true, planName: 'Photos' }), T0);
  assert.deepEqual(again.map((n) => n.title), ['Backups of Photos work again']);
  const manual = p.push(finished(job(backup('music', 'manual'), 'succeeded'), { planName: 'Music' }), T0);
  assert.deepEqual(manual.map((n) => [n.kind, n.urgency]), [['backup-done', 'low']]);
});

test('a cancelled job says nothing, a finished restore says where the files are', () => {
  const p = policy();
  assert.deepEqual(p.push(finished(job(backup('docs', 'manual'), 'cancelled')), T0), []);
  const r = p.push(finished(job({ kind: 'restore', repositoryId: 'repo', snapshotId: 'abc', target: '/home/me/restored' }, 'succeeded')), T0);
  assert.deepEqual(r.map((n) => [n.kind, n.title, n.body]), [['restore-done', 'Restore finished', 'Your files are in /home/me/restored.']]);
});

test('failures are held, then several plans failing together become one critical notification', () => {
  const p = policy();
  assert.deepEqual(p.push(finished(job(backup('docs'), 'failed', { error: 'repository unreachable' })), T0), []);
  assert.deepEqual(p.push(finished(job(backup('photos'), 'failed', { error: 'disk full' }), { planName: 'Photos' }), T0 + 3000), []);
  assert.equal(p.nextFlushAt(), T0 + 15_000);
  assert.deepEqual(p.flush(T0 + 14_999), [], 'not before the coalescing window ends');
  const [n, ...rest] = p.flush(T0 + 15_000);
  assert.equal(rest.length, 0);
  assert.equal(n.kind, 'backup-failed');
  assert.equal(n.urgency, 'critical');
  assert.equal(n.title, '2 backups failed');
  assert.equal(n.body, 'Backup of Documents, Backup of Photos. First error: repository unreachable');
  assert.deepEqual(n.planIds, ['docs', 'photos']);
  assert.equal(p.nextFlushAt(), undefined);
});

test('one plan failing again within the window is counted, and the next notice says how often', () => {
  const p = policy();
  p.push(finished(job(backup('docs'), 'failed', { error: 'e1' })), T0);
  assert.deepEqual(p.flush(T0 + 15_000).map((n) => n.title), ['Backup of Documents failed']);
  // Retries at 1, 2, 4 minutes: all within 30 minutes, all swallowed.
  for (const m of [1, 2, 4]) {
    assert.deepEqual(p.push(finished(job(backup('docs'), 'failed', { error: 'e2' })), T0 + m * MIN), []);
    assert.equal(p.nextFlushAt(), undefined, 'nothing held for a swallowed failure');
  }
  p.push(finished(job(backup('docs'), 'failed', { error: 'e3' })), T0 + 31 * MIN);
  const [n] = p.flush(T0 + 32 * MIN);
  assert.equal(n.body, 'e3 (failed 4 times since the last notice)');
});

test('an overdue plan is told at most once per window', () => {
  const p = policy();
  const o = { type: 'plan-overdue' as const, planId: 'docs', planName: 'Documents', lastSuccess: T0 - 3 * 24 * 60 * MIN };
  const [n] = p.push(o, T0);
  assert.equal(n.title, 'Documents is overdue');
  assert.match(n.body, /^The last backup was 3 days ago\./);
  assert.deepEqual(p.push(o, T0 + 10 * MIN), []);
  assert.equal(p.push(o, T0 + 31 * MIN).length, 1);
});

test('a failed check or restore is a job failure with its own subject', () => {
  const p = policy();
  p.push(finished(job({ kind: 'check', repositoryId: 'nas' }, 'failed', { error: 'pack 1234 is damaged' })), T0);
  const [n] = p.flush(T0 + 15_000);
  assert.deepEqual([n.kind, n.title, n.body, n.planIds], ['job-failed', 'Repository check failed', 'pack 1234 is damaged', []]);
});

// ---- the service ---------------------------------------------------------------------------

function hub() {
  const listeners = new Set<(e: ApiEvent) => void>();
  return {
    subscribe(l: (e: ApiEvent) => void) { listeners.add(l); return () => listeners.delete(l); },
    emit(e: ApiEvent) { for (const l of listeners) l(e); },
  };
}

test('the service asks the history whether a success is the first or a recovery, and delivers failures after the coalescing delay', async () => {
  const clock = new FakeClock(T0);
  const events = hub();
  const delivered: CairnNotification[] = [];
  const history: JobInfo[] = [];
  const service = new NotificationService({
    clock, events,
    jobs: { history: async () => history },
    planName: (id) => ({ docs: 'Documents' })[id],
    statuses: () => [],
    deliver: (n) => delivered.push(n),
  });
  const ok1 = job(backup('docs'), 'succeeded');
  history.unshift(ok1); // recorded before the event: the service must not count it as "earlier"
  events.emit({ type: 'job-finished', job: ok1 });
  await service.settled();
  assert.deepEqual(delivered.map((n) => n.kind), ['first-backup']);

  const bad = job(backup('docs'), 'failed', { error: 'offline' });
  history.unshift(bad);
  events.emit({ type: 'job-finished', job: bad });
  await service.settled();
  assert.equal(delivered.length, 1, 'held for coalescing');
  await clock.advance(15_000);
  assert.deepEqual(delivered.map((n) => n.kind), ['first-backup', 'backup-failed']);

  const ok2 = job(backup('docs'), 'succeeded');
  events.emit({ type: 'job-finished', job: ok2 });
  await service.settled();
  assert.deepEqual(delivered.map((n) => n.kind), ['first-backup', 'backup-failed', 'backup-recovered']);
  service.close();
});

test('the service tells a plan that turns overdue once, and again only after it recovered and turned overdue anew', async () => {
  const clock = new FakeClock(T0);
  const events = hub();
  const delivered: CairnNotification[] = [];
  let overdue = false;
  const status = (): PlanStatus => ({ planId: 'docs', state: 'idle', nextRun: null, failures: 0, overdue });
  const service = new NotificationService({
    clock, events, jobs: { history: async () => [] },
    planName: () => 'Documents', statuses: () => [status()], deliver: (n) => delivered.push(n),
    overdueCheckMs: 5 * MIN, policy: { windowMs: 10 * MIN },
  });
  await clock.advance(5 * MIN);
  assert.equal(delivered.length, 0);
  overdue = true;
  await clock.advance(5 * MIN);
  await clock.advance(30 * MIN);
  assert.deepEqual(delivered.map((n) => n.kind), ['plan-overdue'], 'still overdue: told once');
  overdue = false;
  events.emit({ type: 'profiles-changed' });
  overdue = true;
  events.emit({ type: 'scheduler', event: { type: 'resumed' } });
  await settle();
  assert.equal(delivered.length, 2);
  service.close();
  assert.equal(clock.pendingTimers, 0, 'close disarms its timers');
});
