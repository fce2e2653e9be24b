// The tray state service: events in, a new tray model out when (and only when) it changes,
// at most once per interval, and refreshed as time passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobInfo } from '../../src-main/jobs/index.ts';
import type { PlanStatus } from '../../src-main/scheduler/index.ts';
import { TrayState, type TrayModel } from '../../src-main/tray/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 10, 11, 0);

function setup(statuses: PlanStatus[] = []) {
  const clock = new FakeClock(T0);
  const models: TrayModel[] = [];
  const state = { paused: undefined as number | undefined, statuses };
  const tray = new TrayState({
    clock, timeZone: 'Europe/Berlin', minIntervalMs: 1000, refreshMs: MIN,
    sources: { plans: () => [{ id: 'docs', name: 'Documents' }], statuses: () => state.statuses, pausedUntil: () => state.paused },
    onModel: (m) => models.push(m),
  });
  return { clock, models, tray, state };
}

const backupJob = (id: string, extra: Partial<JobInfo> = {}): JobInfo =>
  ({ id, request: { kind: 'backup', planId: 'docs', reason: 'manual' }, repositoryIds: ['r'], state: 'running', queuedAt: T0, ...extra });

test('a running backup shows its progress; progress bursts are rate-limited to the last value', async () => {
  const { clock, models, tray } = setup();
  assert.equal(tray.model.items[0].kind === 'status' && tray.model.items[0].label, 'No backup yet');
  tray.handle({ type: 'job-started', job: backupJob('j1') });
  assert.equal(models.length, 1, 'the first change goes out at once');
  assert.equal(models[0].icon, 'running');
  for (let i = 1; i <= 5; i++) tray.handle({ type: 'job-progress', jobId: 'j1', progress: { phase: 'backing up', filesDone: i, bytesDone: i * 100_000_000, bytesTotal: 1_000_000_000 } });
  assert.equal(models.length, 1, 'within the interval: held');
  await clock.advance(1000);
  assert.equal(models.length, 2, 'one model for the whole burst');
  assert.equal(models[1].tooltip, 'Cairn — Backing up 50% — 500 MB of 1.0 GB');
});

test('a finished backup reads "Last backup …", which ages with time', async () => {
  const { clock, models, tray } = setup();
  tray.handle({ type: 'job-started', job: backupJob('j1') });
  await clock.advance(2 * MIN);
  tray.handle({ type: 'job-finished', job: backupJob('j1', { state: 'succeeded', finishedAt: clock.now() }) });
  await clock.advance(1000);
  const last = models.at(-1)!;
  assert.equal(last.icon, 'idle');
  assert.equal(last.tooltip, 'Cairn — Last backup just now');
  await clock.advance(5 * MIN);
  assert.equal(models.at(-1)!.tooltip, 'Cairn — Last backup 5 minutes ago');
});

test('an unchanged model is not emitted again', async () => {
  const { clock, models, tray } = setup();
  tray.handle({ type: 'profiles-changed' });
  tray.handle({ type: 'scheduler', event: { type: 'resumed' } });
  await clock.advance(10 * MIN);
  assert.equal(models.length, 0, 'nothing changed: "No backup yet" all along');
});

test('a failure shows the error icon and reason; the scheduler\'s pause shows once it is told', async () => {
  const { clock, models, tray, state } = setup();
  tray.handle({ type: 'job-finished', job: backupJob('j1', { state: 'failed', error: 'repository unreachable', finishedAt: T0 }) });
  assert.equal(models.at(-1)!.icon, 'error');
  assert.equal(models.at(-1)!.tooltip, 'Cairn — Backup failed: repository unreachable');
  tray.handle({ type: 'job-finished', job: backupJob('j2', { state: 'succeeded', finishedAt: T0 + 10 }) });
  await clock.advance(1000);
  state.paused = T0 + 60 * MIN;
  tray.handle({ type: 'scheduler', event: { type: 'paused', until: T0 + 60 * MIN } });
  await clock.advance(1000);
  assert.equal(models.at(-1)!.icon, 'paused');
  assert.equal(models.at(-1)!.tooltip, 'Cairn — Paused until 14:00');
});

test('the scheduler\'s memory and the seeded history count as the last backup; the newer wins', () => {
  const status: PlanStatus = { planId: 'docs', state: 'idle', nextRun: null, failures: 1, overdue: false, lastResult: 'failure', lastAttempt: T0 - 10 * MIN, lastSuccess: T0 - 3 * 60 * MIN, lastError: 'disk full' };
  const { tray } = setup([status]);
  assert.equal(tray.model.tooltip, 'Cairn — Backup failed: disk full');
  tray.seed('docs', { at: T0 - 5 * MIN, result: 'success' });
  assert.equal(tray.model.tooltip, 'Cairn — Last backup 5 minutes ago');
});

test('close disarms every timer', () => {
  const { clock, tray } = setup();
  tray.handle({ type: 'job-started', job: backupJob('j1') });
  tray.handle({ type: 'job-progress', jobId: 'j1', progress: { phase: 'x', filesDone: 1, bytesDone: 1 } });
  tray.close();
  assert.equal(clock.pendingTimers, 0);
});

test('a pause chosen from a menu built long ago pauses from the moment of the click', async () => {
  const { clock, tray } = setup();
  const item = tray.model.items.find((i) => i.kind === 'action' && i.label === 'Pause schedules for 1 hour');
  assert.ok(item && item.kind === 'action');
  await clock.advance(30 * MIN);
  assert.deepEqual(tray.actionNow(item.label, item.action), { type: 'pause', until: clock.now() + 60 * MIN });
  assert.deepEqual(tray.actionNow('Open Cairn', { type: 'quit' }), { type: 'open' });
});
