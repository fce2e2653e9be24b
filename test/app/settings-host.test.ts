// Settings as the running app sees them (startApp, fake clock): a schedule saved through the API
// is the one the scheduler runs next, and the notification choices silence what they say.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { handle, type ApiEvent } from '../../src-main/api/index.ts';
import { startApp } from '../../src-main/host/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, secretAccount } from '../../src-main/secrets/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tmpDir } from '../helpers/tools.ts';

async function appWithPlan(schedule: { kind: 'manual' } | { kind: 'interval'; minutes: number }) {
  const root = tmpDir('settings-host');
  const configDir = path.join(root, 'config');
  const { service: setup } = await ProfilesService.open(configDir);
  // A repository that does not exist: every backup of the plan fails.
  await setup.addRepository({ id: 'gone', name: 'Unplugged disk', location: path.join(root, 'no-such-repo') });
  await setup.addPlan({ id: 'docs', name: 'Documents', repositoryId: 'gone', sources: [root], schedule });
  const store = new PasswordFileStore(configDir);
  await store.set(secretAccount('gone', 'password'), 'pw');
  const clock = new FakeClock(Date.UTC(2026, 5, 10, 8, 0));
  const app = await startApp({
    configDir, cacheDir: undefined, allowPasswordFile: true, clock, timeZone: 'UTC',
    secrets: { state: 'file', store, notice: 'file' }, warn: () => {},
  });
  const events: ApiEvent[] = [];
  app.api.events.subscribe((e) => events.push(e));
  return { app, clock, events };
}

test('a schedule saved through the API is what the scheduler runs next', async () => {
  const { app } = await appWithPlan({ kind: 'manual' });
  try {
    assert.equal(app.scheduler.statuses().find((s) => s.planId === 'docs')?.nextRun, null, 'a manual plan has no next run');
    await handle('plans.update', { planId: 'docs', schedule: { kind: 'cron', expression: '30 2 * * *' } }, app.api);
    assert.equal(app.scheduler.statuses().find((s) => s.planId === 'docs')?.nextRun, Date.UTC(2026, 5, 11, 2, 30), 'next 02:30 UTC');
    await handle('plans.update', { planId: 'docs', name: 'Papers', schedule: { kind: 'cron', expression: '0 9 * * *' } }, app.api);
    assert.equal(app.scheduler.statuses().find((s) => s.planId === 'docs')?.nextRun, Date.UTC(2026, 5, 10, 9, 0));
    assert.equal(app.profiles.plan('docs')?.name, 'Papers');
    await handle('plans.delete', { planId: 'docs' }, app.api);
    assert.equal(app.scheduler.statuses().some((s) => s.planId === 'docs'), false, 'a deleted plan is no longer scheduled');
  } finally {
    await app.close();
  }
});

test('with failure notifications switched off a failed backup says nothing; switched on again it does', async () => {
  const { app, clock, events } = await appWithPlan({ kind: 'manual' });
  const told = () => events.flatMap((e) => (e.type === 'notification' ? [e.notification] : []));
  try {
    await handle('settings.update', { notifications: { failure: false } }, app.api);
    await app.jobs.wait((await app.jobs.start({ kind: 'backup', planId: 'docs', reason: 'manual' })).id);
    await app.notifications.settled();
    await clock.advance(60_000);
    assert.deepEqual(told(), [], 'nothing is shown');

    await handle('settings.update', { notifications: { failure: true } }, app.api);
    // Past the policy's rate-limit window for this plan, so the next failure would be shown.
    await clock.advance(31 * 60_000);
    await app.jobs.wait((await app.jobs.start({ kind: 'backup', planId: 'docs', reason: 'manual' })).id);
    await app.notifications.settled();
    await clock.advance(15_000);
    assert.equal(told().length, 1);
    assert.equal(told()[0].kind, 'backup-failed');
  } finally {
    await app.close();
  }
});
