// A scheduled backup end to end through the services, built by the same startApp as `cairn serve`
// and the desktop app: profiles in a temp config folder, passwords in the password file, a plan
// with an hourly interval on a local repository, a fake clock moved past the slot. The backups run
// through the real engine; restic checks the result and lists the snapshots; the history (through
// the API) shows the runs, the tray says "Last backup …", and the first backup was announced.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { handle } from '../../src-main/api/index.ts';
import { startApp } from '../../src-main/host/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, secretAccount } from '../../src-main/secrets/index.ts';
import type { TrayModel } from '../../src-main/tray/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { PASSWORD, resticSnapshots, writeRandomFiles } from '../helpers/job-fixture.ts';
import { restic, resticOk, tmpDir } from '../helpers/tools.ts';

const MIN = 60_000;

test('an interval plan backs up when its slot comes, restic verifies it, and history, tray and notifications show it', async () => {
  const root = tmpDir('scheduled-backup');
  const configDir = path.join(root, 'config');
  const repo = path.join(root, 'repo');
  const src = path.join(root, 'src');
  writeRandomFiles(src, 5, 200_000);
  resticOk(repo, ['init', '--repository-version', '2'], { password: PASSWORD });

  // Set up as the UI would have: a repository, its password in the (opted-in) password file, a plan.
  const { service: setup } = await ProfilesService.open(configDir);
  await setup.addRepository({ id: 'local', name: 'Local disk', location: repo });
  await setup.addPlan({ id: 'docs', name: 'Documents', repositoryId: 'local', sources: [src], schedule: { kind: 'interval', minutes: 60 } });
  const store = new PasswordFileStore(configDir);
  await store.set(secretAccount('local', 'password'), PASSWORD);

  const clock = new FakeClock(Date.UTC(2026, 5, 10, 8, 0));
  const trayModels: TrayModel[] = [];
  const warnings: string[] = [];
  const told: string[] = [];
  const app = await startApp({
    configDir,
    cacheDir: undefined,
    allowPasswordFile: true,
    secrets: { state: 'file', store, notice: 'passwords in a file' },
    warn: (m) => warnings.push(m),
    clock,
    onTrayModel: (m) => trayModels.push(m),
    // Collected here rather than from the event stream: the first backup starts inside startApp.
    deliverNotification: (n) => told.push(n.title),
    timeZone: 'UTC',
  });
  try {
    // A new interval plan runs at once (it should protect data soon), then every hour.
    await app.scheduler.idle();
    assert.equal(resticSnapshots(repo).length, 1);
    fs.writeFileSync(path.join(src, 'new.txt'), 'written between the two backups');

    await clock.advance(59 * MIN);
    await app.scheduler.idle();
    assert.equal(resticSnapshots(repo).length, 1, 'not before the slot');
    await clock.advance(2 * MIN);
    await app.scheduler.idle();

    const snaps = resticSnapshots(repo);
    assert.equal(snaps.length, 2, 'the slot ran one more backup');
    assert.deepEqual(snaps.map((s) => s.paths), [[src], [src]]);
    const check = restic(repo, ['check', '--read-data'], { password: PASSWORD });
    assert.equal(check.code, 0, check.stderr);
    const listed = resticOk(repo, ['ls', snaps[1].id], { password: PASSWORD });
    assert.match(listed, /new\.txt/);

    const history = await handle('jobs.history', { planId: 'docs' }, app.api);
    assert.deepEqual(history.jobs.map((j) => [j.state, j.request.kind === 'backup' ? j.request.reason : '']), [['succeeded', 'scheduled'], ['succeeded', 'scheduled']]);
    assert.deepEqual(new Set(history.jobs.flatMap((j) => j.snapshotIds ?? [])), new Set(snaps.map((s) => s.id)));
    const status = await handle('scheduler.status', {}, app.api);
    assert.equal(status.plans[0]?.lastResult, 'success');

    await clock.advance(1000); // the tray's rate limit lets the last change through
    assert.equal(app.tray.model.icon, 'idle');
    assert.equal(app.tray.model.tooltip, 'Cairn — Last backup just now');
    assert.ok(trayModels.some((m) => m.icon === 'running'), 'the tray showed the backup running');
    await clock.advance(5 * MIN);
    assert.equal(trayModels.at(-1)?.tooltip, 'Cairn — Last backup 5 minutes ago');

    await app.notifications.settled();
    assert.deepEqual(told, ['First backup of Documents done'], 'the first backup is announced; the scheduled one after it is quiet');
    assert.deepEqual(warnings, ['passwords in a file']);
  } finally {
    await app.close();
  }
});
