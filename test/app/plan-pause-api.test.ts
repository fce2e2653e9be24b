// scheduler.pausePlan / scheduler.resumePlan through the API dispatcher (the one HTTP and IPC both
// call) against startApp's real scheduler on a fake clock: validation, NOT_FOUND, the refused
// ends, and the plan's status as the dashboard reads it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { handle } from '../../src-main/api/index.ts';
import { startApp } from '../../src-main/host/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore } from '../../src-main/secrets/index.ts';
import { isCairnError, type ErrorCode } from '../../src-worker/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tmpDir } from '../helpers/tools.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('scheduler.pausePlan pauses one plan until the given time, scheduler.resumePlan lifts it; bad plans and ends are refused', async () => {
  const root = tmpDir('plan-pause-api');
  const configDir = path.join(root, 'config');
  const { service: setup } = await ProfilesService.open(configDir);
  await setup.addRepository({ id: 'disk', name: 'Disk', location: path.join(root, 'repo') });
  // Manual plans: nothing runs by itself, so the test sees only what the pause does to the status.
  await setup.addPlan({ id: 'docs', name: 'Documents', repositoryId: 'disk', sources: [root], schedule: { kind: 'manual' } });
  await setup.addPlan({ id: 'pics', name: 'Pictures', repositoryId: 'disk', sources: [root], schedule: { kind: 'manual' } });
  const clock = new FakeClock(Date.UTC(2026, 5, 10, 8, 0));
  const app = await startApp({
    configDir, cacheDir: undefined, allowPasswordFile: true, clock,
    secrets: { state: 'file', store: new PasswordFileStore(configDir), notice: 'file' }, warn: () => {},
  });
  try {
    const until = clock.now() + 2 * HOUR;
    const paused = await handle('scheduler.pausePlan', { planId: 'docs', until }, app.api);
    assert.equal(paused.pausedUntil, null, 'the global pause is untouched');
    const byId = (s: typeof paused, id: string) => s.plans.find((p) => p.planId === id);
    assert.equal(byId(paused, 'docs')?.pausedUntil, until);
    assert.equal(byId(paused, 'pics')?.pausedUntil, undefined);
    assert.equal(byId(await handle('scheduler.status', {}, app.api), 'docs')?.pausedUntil, until);

    const resumed = await handle('scheduler.resumePlan', { planId: 'docs' }, app.api);
    assert.equal(byId(resumed, 'docs')?.pausedUntil, undefined);

    const refused = async (input: unknown, code: ErrorCode, message: RegExp) => {
      const err = await handle('scheduler.pausePlan', input, app.api).then(() => undefined, (e: unknown) => e);
      assert.ok(isCairnError(err, code), `${JSON.stringify(input)}: expected ${code}, got ${String(err)}`);
      assert.match((err as Error).message, message);
    };
    await refused({ planId: 'nope', until }, 'NOT_FOUND', /plan "nope" does not exist/);
    await refused({ planId: 'docs', until: clock.now() - 1 }, 'INVALID_ARGUMENT', /in the past/);
    await refused({ planId: 'docs', until: clock.now() + 367 * DAY }, 'INVALID_ARGUMENT', /more than a year/);
    await refused({ planId: 'docs', until: 'tomorrow' }, 'INVALID_ARGUMENT', /until/);
    await refused({ planId: 'docs' }, 'INVALID_ARGUMENT', /until/);
    await refused({ planId: 'docs', until, extra: 1 }, 'INVALID_ARGUMENT', /extra/);
    const missing = await handle('scheduler.resumePlan', { planId: 'nope' }, app.api).then(() => undefined, (e: unknown) => e);
    assert.ok(isCairnError(missing, 'NOT_FOUND'));
    const after = await handle('scheduler.status', {}, app.api);
    assert.equal(byId(after, 'docs')?.pausedUntil, undefined, 'a refused pause changed nothing');

    // A pause of exactly a year is allowed, and it ends by itself.
    await handle('scheduler.pausePlan', { planId: 'pics', until: clock.now() + 365 * DAY }, app.api);
    await handle('scheduler.pausePlan', { planId: 'docs', until: clock.now() + HOUR }, app.api);
    await clock.advance(HOUR + 60_000);
    const later = await handle('scheduler.status', {}, app.api);
    assert.equal(byId(later, 'docs')?.pausedUntil, undefined);
    assert.ok(byId(later, 'pics')?.pausedUntil);
  } finally {
    await app.close();
  }
});
