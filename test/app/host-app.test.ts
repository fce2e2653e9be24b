// startApp as `cairn serve` uses it: without a native deliverer, notifications reach the UI as API
// events; tray actions drive the scheduler; close ends everything.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ApiEvent } from '../../src-main/api/index.ts';
import { startApp } from '../../src-main/host/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, secretAccount } from '../../src-main/secrets/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tmpDir } from '../helpers/tools.ts';

test('a failing scheduled backup becomes a notification API event; tray actions pause and resume the scheduler', async () => {
  const root = tmpDir('host-app');
  const configDir = path.join(root, 'config');
  const { service: setup } = await ProfilesService.open(configDir);
  // A repository that does not exist: the plan's first (immediate) run fails.
  await setup.addRepository({ id: 'gone', name: 'Unplugged disk', location: path.join(root, 'no-such-repo') });
  await setup.addPlan({ id: 'docs', name: 'Documents', repositoryId: 'gone', sources: [root], schedule: { kind: 'interval', minutes: 60 } });
  const store = new PasswordFileStore(configDir);
  await store.set(secretAccount('gone', 'password'), 'pw');
  const clock = new FakeClock(Date.UTC(2026, 5, 10, 8, 0));
  const app = await startApp({
    configDir, cacheDir: undefined, allowPasswordFile: true, clock,
    secrets: { state: 'file', store, notice: 'file' }, warn: () => {},
  });
  const events: ApiEvent[] = [];
  app.api.events.subscribe((e) => events.push(e));
  try {
    await app.scheduler.idle();
    await app.notifications.settled();
    await clock.advance(15_000); // failures are held for coalescing
    const told = events.flatMap((e) => (e.type === 'notification' ? [e.notification] : []));
    assert.equal(told.length, 1);
    assert.equal(told[0].title, 'Backup of Documents failed');
    assert.equal(told[0].urgency, 'critical');
    assert.deepEqual(told[0].planIds, ['docs']);

    assert.equal(app.trayAction({ type: 'pause', until: clock.now() + 3_600_000 }), true);
    assert.equal(app.scheduler.pausedUntil, clock.now() + 3_600_000);
    assert.equal(app.trayAction({ type: 'resume' }), true);
    assert.equal(app.scheduler.pausedUntil, undefined);
    assert.equal(app.trayAction({ type: 'open' }), false, 'the shell opens windows');
  } finally {
    await app.close();
  }
});
