import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySchedulerStore, Scheduler, type JobResult, type SchedulablePlan, type SchedulerEvent, type SchedulerState } from '../../src-main/scheduler/index.ts';
import { SchedulerStateSchema } from '../../src-main/scheduler/state.ts';
import { FakeClock, settle } from '../helpers/fake-clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);

function plan(id: string, schedule: SchedulablePlan['schedule'], repositoryId = 'repo-a', extra: Partial<SchedulablePlan> = {}): SchedulablePlan {
  return { id, name: id.toUpperCase(), repositoryId, schedule, ...extra };
}

interface Call {
  planId: string;
  at: number;
  resolve: (r: JobResult) => void;
}

/** A runJob whose calls the test sees and settles; `auto` answers at once. */
function jobs(clock: FakeClock, auto?: (planId: string, n: number) => JobResult) {
  const calls: Call[] = [];
  const runJob = (p: SchedulablePlan) =>
    new Promise<JobResult>((resolve) => {
      calls.push({ planId: p.id, at: clock.now(), resolve });
      if (auto) resolve(auto(p.id, calls.filter((c) => c.planId === p.id).length));
    });
  return { calls, runJob };
}

function setup(opts: { start?: number; state?: SchedulerState; auto?: ((planId: string, n: number) => JobResult) | null; timezone?: string; heartbeatMs?: number } = {}) {
  const clock = new FakeClock(opts.start ?? T0);
  const store = new MemorySchedulerStore(opts.state);
  const { calls, runJob } = jobs(clock, opts.auto === null ? undefined : (opts.auto ?? (() => ({ ok: true }))));
  const events: SchedulerEvent[] = [];
  const scheduler = new Scheduler({ clock, store, runJob, timezone: opts.timezone ?? 'UTC', heartbeatMs: opts.heartbeatMs, onEvent: (e) => events.push(e) });
  return { clock, store, calls, scheduler, events };
}

test('interval plan: runs at first sight, then every interval', async () => {
  const { clock, calls, scheduler } = setup();
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 })]);
  await clock.advance(3 * HOUR + 30 * MIN);
  assert.deepEqual(calls.map((c) => (c.at - T0) / MIN), [0, 60, 120, 180]);
  assert.equal(scheduler.status('p').nextRun, T0 + 4 * HOUR);
  assert.equal(scheduler.status('p').lastResult, 'success');
});

test('cron plan in Europe/Berlin runs at 03:00 local across the spring DST change (23 h apart)', async () => {
  const start = Date.UTC(2026, 2, 27, 12); // Friday before the change (29 March 2026)
  const { clock, calls, scheduler } = setup({ start, timezone: 'Europe/Berlin', heartbeatMs: 30 * MIN });
  await scheduler.start([plan('c', { kind: 'cron', expression: '0 3 * * *' })]);
  await clock.advanceTo(Date.UTC(2026, 2, 30, 12));
  assert.deepEqual(calls.map((c) => new Date(c.at).toISOString()), ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T01:00:00.000Z']);
  const localHours = calls.map((c) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', timeZone: 'Europe/Berlin' }).format(c.at));
  assert.deepEqual(localHours, ['03', '03', '03']);
});

test('cron at 02:30 on the autumn DST change (02:30 happens twice) runs once that night', async () => {
  const start = Date.UTC(2026, 9, 24, 12);
  const { clock, calls, scheduler } = setup({ start, timezone: 'Europe/Berlin', heartbeatMs: 30 * MIN });
  await scheduler.start([plan('c', { kind: 'cron', expression: '30 2 * * *' })]);
  await clock.advanceTo(Date.UTC(2026, 9, 26, 12));
  assert.deepEqual(calls.map((c) => new Date(c.at).toISOString()), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
});

test('sleep across several slots: on wake the plan runs once, then resumes its rhythm', async () => {
  const { clock, calls, scheduler, events } = setup();
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 })]);
  await clock.advance(10 * MIN);
  assert.equal(calls.length, 1);
  clock.sleep(5 * HOUR); // five missed slots
  await clock.advance(2 * MIN);
  assert.equal(calls.length, 2, 'one catch-up run, not five');
  const wake = events.find((e) => e.type === 'wake');
  assert.ok(wake && wake.type === 'wake' && wake.asleepMs >= 5 * HOUR - MIN);
  assert.ok(events.some((e) => e.type === 'started' && e.reason === 'catch-up'));
  const catchUpAt = calls[1].at;
  await clock.advance(60 * MIN);
  assert.equal(calls.length, 3);
  assert.equal(calls[2].at, catchUpAt + HOUR, 'the next run is one interval after the catch-up');
});

test('app restart after missed cron slots: one catch-up run at start, then the next slot', async () => {
  // Last ran Monday 03:00; the app starts again Thursday 10:00 (three slots missed).
  const lastRun = Date.UTC(2026, 5, 1, 3);
  const state: SchedulerState = { version: 1, plans: { c: { since: lastRun - 10 * 86_400_000, lastAttempt: lastRun, lastSuccess: lastRun + 5 * MIN, lastResult: 'success', failures: 0 } } };
  const { clock, calls, scheduler, events } = setup({ start: Date.UTC(2026, 5, 4, 10), state, heartbeatMs: 30 * MIN });
  await scheduler.start([plan('c', { kind: 'cron', expression: '0 3 * * *' })]);
  await clock.advance(MIN);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].at, Date.UTC(2026, 5, 4, 10));
  assert.ok(events.some((e) => e.type === 'started' && e.reason === 'catch-up'));
  await clock.advanceTo(Date.UTC(2026, 5, 5, 12));
  assert.deepEqual(calls.map((c) => new Date(c.at).toISOString()), ['2026-06-04T10:00:00.000Z', '2026-06-05T03:00:00.000Z']);
});

test('restart with nothing missed does not run early; the remembered state is what the store saved', async () => {
  const a = setup();
  await a.scheduler.start([plan('p', { kind: 'interval', minutes: 120 })]);
  await a.clock.advance(30 * MIN);
  await a.scheduler.stop();
  assert.equal(a.calls.length, 1);
  const b = setup({ start: T0 + 60 * MIN, state: a.store.snapshot });
  await b.scheduler.start([plan('p', { kind: 'interval', minutes: 120 })]);
  await b.clock.advance(59 * MIN);
  assert.equal(b.calls.length, 0);
  await b.clock.advance(2 * MIN);
  assert.equal(b.calls.length, 1);
  assert.equal(b.calls[0].at, T0 + 120 * MIN);
});

test('two plans on one repository never overlap: the second waits, then runs', async () => {
  const { clock, calls, scheduler } = setup({ auto: null });
  await scheduler.start([plan('a', { kind: 'interval', minutes: 60 }), plan('b', { kind: 'interval', minutes: 60 })]);
  await clock.advance(MIN);
  assert.deepEqual(calls.map((c) => c.planId), ['a']);
  assert.equal(scheduler.status('b').state, 'queued');
  await clock.advance(20 * MIN);
  assert.equal(calls.length, 1, 'still waiting while a runs');
  calls[0].resolve({ ok: true });
  await settle();
  assert.deepEqual(calls.map((c) => c.planId), ['a', 'b']);
  assert.equal(calls[1].at, T0 + 21 * MIN);
  assert.equal(scheduler.status('b').state, 'running');
  calls[1].resolve({ ok: true });
  await scheduler.idle();
});

test('a plan that copies to a second repository holds both', async () => {
  const { clock, calls, scheduler } = setup({ auto: null });
  await scheduler.start([plan('a', { kind: 'interval', minutes: 60 }, 'r1', { copyToRepositoryId: 'r2' }), plan('b', { kind: 'interval', minutes: 60 }, 'r2')]);
  await clock.advance(MIN);
  assert.deepEqual(calls.map((c) => c.planId), ['a']);
  calls[0].resolve({ ok: true });
  await settle();
  assert.deepEqual(calls.map((c) => c.planId), ['a', 'b']);
  calls[1].resolve({ ok: true });
});

test('plans on two repositories run in parallel', async () => {
  const { clock, calls, scheduler } = setup({ auto: null });
  await scheduler.start([plan('a', { kind: 'interval', minutes: 60 }, 'r1'), plan('b', { kind: 'interval', minutes: 60 }, 'r2')]);
  await clock.advance(MIN);
  assert.deepEqual(calls.map((c) => c.planId).sort(), ['a', 'b']);
  assert.equal(scheduler.status('a').state, 'running');
  assert.equal(scheduler.status('b').state, 'running');
  for (const c of calls) c.resolve({ ok: true });
  await scheduler.idle();
});

test('failures are retried after 1, 2, 4 minutes (not piling up), then success resets the count', async () => {
  const { clock, calls, scheduler, events } = setup({ auto: (_id, n) => (n <= 3 ? { ok: false, error: 'disk not mounted\nstack…' } : { ok: true }) });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 24 * 60 })]);
  await clock.advance(30 * MIN);
  assert.deepEqual(calls.map((c) => (c.at - T0) / MIN), [0, 1, 3, 7]);
  assert.deepEqual(events.filter((e) => e.type === 'started').map((e) => (e as { reason: string }).reason), ['scheduled', 'retry', 'retry', 'retry']);
  const st = scheduler.status('p');
  assert.equal(st.failures, 0);
  assert.equal(st.lastResult, 'success');
  assert.equal(st.lastError, undefined);
  assert.equal(st.nextRun, T0 + 7 * MIN + 24 * HOUR);
});

test('retry delay is capped, and a long outage does not queue a run per slot', async () => {
  const clock = new FakeClock(T0);
  const store = new MemorySchedulerStore();
  const { calls, runJob } = jobs(clock, () => ({ ok: false, error: 'unreachable' }));
  const scheduler = new Scheduler({ clock, store, runJob, timezone: 'UTC', retryBaseMs: MIN, retryCapMs: 8 * MIN });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 5 })]);
  await clock.advance(40 * MIN);
  const gaps = calls.slice(1).map((c, i) => (c.at - calls[i].at) / MIN);
  // Retries at 1, 2, 4 minutes; then the 5-minute slot comes first, and it never goes faster.
  assert.deepEqual(gaps.slice(0, 4), [1, 2, 4, 5]);
  assert.ok(gaps.every((g) => g >= 1 && g <= 8));
  assert.equal(scheduler.status('p').failures, calls.length);
  assert.equal(scheduler.status('p').lastError, 'unreachable');
});

test('a job that throws counts as a failure with its message', async () => {
  const clock = new FakeClock(T0);
  const scheduler = new Scheduler({ clock, store: new MemorySchedulerStore(), timezone: 'UTC', runJob: async () => { throw new Error('boom'); } });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 })]);
  await clock.advance(10);
  assert.equal(scheduler.status('p').lastResult, 'failure');
  assert.equal(scheduler.status('p').lastError, 'boom');
});

test('overdue when no success within twice the interval; cleared by a success', async () => {
  let outcome: JobResult = { ok: false, error: 'no network' };
  const { clock, scheduler } = setup({ auto: () => outcome });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 })]);
  await clock.advance(119 * MIN);
  assert.equal(scheduler.status('p').overdue, false);
  await clock.advance(2 * MIN);
  assert.equal(scheduler.status('p').overdue, true);
  outcome = { ok: true };
  await clock.advance(60 * MIN); // the next retry (capped at 60 min) succeeds
  assert.equal(scheduler.status('p').lastResult, 'success');
  assert.equal(scheduler.status('p').overdue, false);
});

test('overdue for cron uses twice the gap between slots, and a success clears it', async () => {
  const lastSuccess = Date.UTC(2026, 5, 1, 3); // Monday; daily at 03:00
  const state: SchedulerState = { version: 1, plans: { c: { since: lastSuccess, lastAttempt: lastSuccess, lastSuccess, lastResult: 'success', failures: 0 } } };
  const { clock, calls, scheduler } = setup({ start: lastSuccess + 47 * HOUR, state, auto: null });
  await scheduler.start([plan('c', { kind: 'cron', expression: '0 3 * * *' }), plan('m', { kind: 'manual' })]);
  assert.equal(scheduler.status('c').overdue, false);
  await clock.advance(2 * HOUR);
  assert.equal(scheduler.status('c').overdue, true);
  assert.equal(scheduler.status('m').overdue, false, 'a manual plan is never overdue');
  assert.equal(calls.length, 1, 'the missed Tuesday slot ran at start and is still running');
  calls[0].resolve({ ok: true });
  await settle();
  assert.equal(scheduler.status('c').overdue, false);
});

test('pause: nothing scheduled runs until the given time, then the missed run happens once; resume lifts it early', async () => {
  const { clock, calls, scheduler, events } = setup();
  await scheduler.start([plan('p', { kind: 'interval', minutes: 30 })]);
  await clock.advance(MIN);
  assert.equal(calls.length, 1);
  scheduler.pauseUntil(T0 + 3 * HOUR);
  assert.equal(scheduler.pausedUntil, T0 + 3 * HOUR);
  assert.equal(scheduler.status('p').nextRun, T0 + 3 * HOUR);
  await clock.advanceTo(T0 + 3 * HOUR - MIN);
  assert.equal(calls.length, 1, 'no run while paused');
  // "Back up now" still works while paused.
  assert.equal(scheduler.runNow('p'), 'queued');
  await settle();
  assert.equal(calls.length, 2);
  await clock.advanceTo(T0 + 3 * HOUR + MIN);
  assert.equal(calls.length, 2, 'the manual run just happened; the next slot is 30 min after it');
  await clock.advance(30 * MIN);
  assert.equal(calls.length, 3);
  assert.equal(scheduler.pausedUntil, undefined);
  assert.ok(events.some((e) => e.type === 'resumed'));

  scheduler.pauseUntil(clock.now() + 24 * HOUR);
  await clock.advance(2 * HOUR);
  assert.equal(calls.length, 3);
  scheduler.resume();
  await settle();
  assert.equal(calls.length, 4, 'resume runs the missed slot once, right away');
});

test('plan pause: only that plan waits; its missed run happens once when the pause ends by itself; "Back up now" still works', async () => {
  const { clock, calls, scheduler, events } = setup();
  // Different repositories, so the two plans never wait for each other.
  await scheduler.start([plan('p', { kind: 'interval', minutes: 30 }), plan('q', { kind: 'interval', minutes: 30 }, 'repo-b')]);
  await clock.advance(MIN);
  assert.deepEqual(calls.map((c) => c.planId).sort(), ['p', 'q']);
  scheduler.pausePlan('p', T0 + 3 * HOUR);
  assert.equal(scheduler.pausedUntil, undefined, 'the global pause is untouched');
  assert.equal(scheduler.status('p').pausedUntil, T0 + 3 * HOUR);
  assert.equal(scheduler.status('p').nextRun, T0 + 3 * HOUR);
  assert.equal(scheduler.status('q').pausedUntil, undefined);
  assert.equal(scheduler.status('q').nextRun, T0 + 30 * MIN);
  await clock.advanceTo(T0 + 2 * HOUR + MIN);
  const runsOf = (id: string) => calls.filter((c) => c.planId === id).map((c) => (c.at - T0) / MIN);
  assert.deepEqual(runsOf('p'), [0], 'no scheduled run of the paused plan');
  assert.deepEqual(runsOf('q'), [0, 30, 60, 90, 120], 'the other plan keeps its schedule');
  assert.equal(scheduler.runNow('p'), 'queued');
  await settle();
  assert.deepEqual(runsOf('p'), [0, 121], '"Back up now" runs while the plan is paused');
  // The next slot (30 min after the manual run) falls inside the pause: it waits for the end.
  await clock.advanceTo(T0 + 3 * HOUR - MIN);
  assert.deepEqual(runsOf('p'), [0, 121]);
  await clock.advanceTo(T0 + 3 * HOUR + 5 * MIN);
  assert.deepEqual(runsOf('p'), [0, 121, 180], 'the run that fell due during the pause happens once, at its end');
  assert.equal(scheduler.status('p').pausedUntil, undefined);
  assert.ok(events.some((e) => e.type === 'plan-resumed' && e.planId === 'p'), 'the pause ended by itself');
});

test("plan pause: drops the plan's queued scheduled run; resumePlan runs the missed slot at once; the later of two pauses wins", async () => {
  // One repository: q's first run waits behind p's, so it is queued when q is paused.
  const { clock, calls, scheduler, events } = setup({ auto: null });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 }), plan('q', { kind: 'interval', minutes: 60 })]);
  assert.equal(scheduler.status('q').state, 'queued');
  scheduler.pausePlan('q', T0 + 5 * HOUR);
  assert.equal(scheduler.status('q').state, 'idle', 'the queued scheduled run of a paused plan is dropped');
  calls[0].resolve({ ok: true });
  await settle();
  assert.deepEqual(calls.map((c) => c.planId), ['p'], 'q did not start when the repository became free');

  // Global pause ends before q's own: q waits for its own; p for the global one.
  scheduler.pauseUntil(T0 + 2 * HOUR);
  assert.equal(scheduler.status('q').nextRun, T0 + 5 * HOUR);
  assert.equal(scheduler.status('p').nextRun, T0 + 2 * HOUR);
  scheduler.resume();
  scheduler.pausePlan('p', T0 + 30 * MIN);
  scheduler.pauseUntil(T0 + 2 * HOUR);
  assert.equal(scheduler.status('p').nextRun, T0 + 2 * HOUR, "the global pause outlasts the plan's own");
  scheduler.resume();

  await clock.advanceTo(T0 + 2 * HOUR);
  assert.deepEqual(calls.map((c) => c.planId), ['p', 'p']);
  scheduler.resumePlan('q');
  assert.equal(scheduler.status('q').state, 'queued', 'resume queues the missed run at once (behind p: same repository)');
  calls[1].resolve({ ok: true });
  await settle();
  assert.deepEqual(calls.map((c) => c.planId), ['p', 'p', 'q'], "the missed run of q runs once, before p's next slot");
  assert.ok(events.some((e) => e.type === 'plan-resumed' && e.planId === 'q'));
  assert.throws(() => scheduler.pausePlan('nope', T0 + 9 * HOUR), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
});

test("a plan's pause survives a restart; a state file from before plan pauses still loads", async () => {
  const a = setup();
  await a.scheduler.start([plan('p', { kind: 'interval', minutes: 30 })]);
  await a.clock.advance(MIN);
  a.scheduler.pausePlan('p', T0 + 5 * HOUR);
  await a.scheduler.stop();
  assert.equal(a.store.snapshot.plans.p.pausedUntil, T0 + 5 * HOUR);
  const b = setup({ start: T0 + 2 * HOUR, state: a.store.snapshot });
  await b.scheduler.start([plan('p', { kind: 'interval', minutes: 30 })]);
  await b.clock.advance(HOUR);
  assert.equal(b.calls.length, 0);
  await b.clock.advanceTo(T0 + 5 * HOUR + MIN);
  assert.equal(b.calls.length, 1);
  assert.equal(SchedulerStateSchema.safeParse({ version: 1, plans: { p: { since: T0, failures: 0 } } }).success, true);
});

test('the pause survives a restart through the store', async () => {
  const a = setup();
  await a.scheduler.start([plan('p', { kind: 'interval', minutes: 30 })]);
  await a.clock.advance(MIN);
  a.scheduler.pauseUntil(T0 + 5 * HOUR);
  await a.scheduler.stop();
  const b = setup({ start: T0 + 2 * HOUR, state: a.store.snapshot });
  await b.scheduler.start([plan('p', { kind: 'interval', minutes: 30 })]);
  await b.clock.advance(HOUR);
  assert.equal(b.calls.length, 0);
  await b.clock.advanceTo(T0 + 5 * HOUR + MIN);
  assert.equal(b.calls.length, 1);
});

test('runNow: queued once, reports running, refuses unknown plans; manual plans never run by themselves', async () => {
  const { clock, calls, scheduler } = setup({ auto: null, heartbeatMs: 30 * MIN });
  await scheduler.start([plan('m', { kind: 'manual' })]);
  await clock.advance(48 * HOUR);
  assert.equal(calls.length, 0);
  assert.equal(scheduler.status('m').nextRun, null);
  assert.equal(scheduler.runNow('m'), 'queued');
  assert.equal(scheduler.runNow('m'), 'running');
  assert.throws(() => scheduler.runNow('nope'), /plan "nope" does not exist/);
  calls[0].resolve({ ok: true });
  await scheduler.idle();
  assert.equal(scheduler.status('m').lastResult, 'success');
});

test('file store: round-trips the state 0600; an unreadable file starts afresh and says so', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { FileSchedulerStore } = await import('../../src-main/scheduler/index.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-sched-'));
  const store = new FileSchedulerStore(dir);
  assert.deepEqual(await store.load(), { version: 1, plans: {} });
  const state: SchedulerState = { version: 1, plans: { p: { since: 1, lastAttempt: 2, lastSuccess: 3, lastResult: 'success', failures: 0 } }, pausedUntil: 9 };
  await store.save(state);
  assert.deepEqual(await new FileSchedulerStore(dir).load(), state);
  assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
  fs.writeFileSync(store.file, '{"version": 1, "plans": {"p": {"since": "yesterday"}}}');
  const fresh = new FileSchedulerStore(dir);
  assert.deepEqual(await fresh.load(), { version: 1, plans: {} });
  assert.match(fresh.problem ?? '', /could not be read; the schedule history starts afresh/);
});

test('a store that cannot save is reported, and scheduling carries on', async () => {
  const clock = new FakeClock(T0);
  const events: SchedulerEvent[] = [];
  const store = new MemorySchedulerStore();
  store.save = async () => {
    throw new Error('disk full');
  };
  const { calls, runJob } = jobs(clock, () => ({ ok: true }));
  const scheduler = new Scheduler({ clock, store, runJob, timezone: 'UTC', onEvent: (e) => events.push(e) });
  await scheduler.start([plan('p', { kind: 'interval', minutes: 60 })]);
  await clock.advance(61 * MIN);
  assert.equal(calls.length, 2);
  assert.ok(events.some((e) => e.type === 'save-failed' && e.message === 'disk full'));
});

test('a failed manual-only plan is not retried by itself', async () => {
  const { clock, calls, scheduler } = setup({ auto: () => ({ ok: false, error: 'offline' }), heartbeatMs: 30 * MIN });
  await scheduler.start([plan('m', { kind: 'manual' })]);
  scheduler.runNow('m');
  await clock.advance(24 * HOUR);
  assert.equal(calls.length, 1);
  assert.equal(scheduler.status('m').lastResult, 'failure');
  assert.equal(scheduler.status('m').nextRun, null);
});
