// The Settings screens' operations over real HTTP against real repositories: a repository's keys
// (list, add a second password, remove one but never the one in use), changing its password with
// `key passwd` semantics (checked with the real restic binary), editing, renaming and deleting a
// plan (validated on the server, the repository's data untouched), and the app's own settings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { autostartFile, linuxAutostartEnabled, setLinuxAutostart } from '../../src-main/electron/autostart.ts';
import { createApiContext, handle } from '../../src-main/api/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, secretAccount } from '../../src-main/secrets/index.ts';
import { CairnError, isCairnError, openBackend, Repository, RepositoryLock } from '../../src-worker/index.ts';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { restic, resticOk, tmpDir } from '../helpers/tools.ts';

const OLD = 'old-password-4711';
const NEW = 'new-password-0815';
const FAMILY = 'family-password-1234';

function opens(repo: string, password: string): boolean {
  return restic(repo, ['snapshots', '--json'], { password }).code === 0;
}

describe('repository keys and password change', () => {
  let s: TestServer;
  let repoDir: string;
  let repoId: string;
  before(async () => {
    s = await startTestServer();
    repoDir = path.join(tmpDir('settings-keys'), 'repo');
    const r = await request(s, 'POST', '/api/repositories', { body: { name: 'Disk', location: repoDir, password: OLD, init: true } });
    assert.equal(r.status, 200, r.text);
    repoId = r.json.id;
    // A snapshot made by restic itself, so the repository has data the key change must not touch.
    const src = tmpDir('settings-src');
    fs.writeFileSync(path.join(src, 'a.txt'), 'hello');
    resticOk(repoDir, ['backup', src], { password: OLD });
  });
  after(async () => { await s.stop(); });

  test('keys.list shows the one key, marked current, with user, host and creation time', async () => {
    const r = await request(s, 'GET', `/api/repositories/${repoId}/keys`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.keys.length, 1);
    const [k] = r.json.keys;
    assert.equal(k.current, true);
    assert.match(k.id, /^[0-9a-f]{64}$/);
    assert.ok(k.userName.length > 0 && k.hostName.length > 0);
    assert.ok(!Number.isNaN(Date.parse(k.created)));
  });

  test('keys.add adds a second password restic accepts; the key in use cannot be removed', async () => {
    const added = await request(s, 'POST', `/api/repositories/${repoId}/keys`, { body: { password: FAMILY, userName: 'anna', hostName: 'family-laptop' } });
    assert.equal(added.status, 200, added.text);
    assert.equal(added.json.current, false);
    assert.equal(added.json.userName, 'anna');
    assert.equal(added.json.hostName, 'family-laptop');
    assert.ok(opens(repoDir, FAMILY), 'restic opens the repository with the added password');
    assert.ok(opens(repoDir, OLD), 'and still with the first one');

    const list = await request(s, 'GET', `/api/repositories/${repoId}/keys`);
    assert.equal(list.json.keys.length, 2);
    const current = list.json.keys.find((k: { current: boolean }) => k.current);
    const refused = await request(s, 'DELETE', `/api/repositories/${repoId}/keys/${current.id}`);
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.json.error.message, /refusing to remove the key that opened the repository/);
    assert.ok(opens(repoDir, OLD), 'the key in use is still there');
    assert.equal(fs.readdirSync(path.join(repoDir, 'keys')).length, 2);
  });

  test('keys.add refuses a label with control characters before writing anything', async () => {
    const r = await request(s, 'POST', `/api/repositories/${repoId}/keys`, { body: { password: 'x-pw-1', userName: 'a\nb' } });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /userName: use printable characters only/);
    assert.equal(fs.readdirSync(path.join(repoDir, 'keys')).length, 2);
  });

  test('a wrong current password changes nothing', async () => {
    const r = await request(s, 'POST', `/api/repositories/${repoId}/password`, { body: { oldPassword: 'not-the-password', newPassword: NEW } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'WRONG_PASSWORD');
    assert.match(r.json.error.message, /current password of "Disk" is not right: nothing was changed/);
    assert.ok(!r.text.includes(NEW) && !r.text.includes('not-the-password'), 'no password is echoed');
    assert.ok(opens(repoDir, OLD));
    assert.ok(!opens(repoDir, NEW));
  });

  test('while another program holds an exclusive lock, the password change is refused and nothing changes', async () => {
    const other = await Repository.open(openBackend(repoDir), OLD);
    const lock = await RepositoryLock.acquire(other, true);
    try {
      const r = await request(s, 'POST', `/api/repositories/${repoId}/password`, { body: { oldPassword: OLD, newPassword: NEW } });
      assert.equal(r.json.error?.code, 'REPO_LOCKED', r.text);
      assert.match(r.json.error.message, /it is locked by/);
    } finally {
      await lock.release();
      await other.backend.close();
    }
    assert.ok(opens(repoDir, OLD) && !opens(repoDir, NEW));
    assert.deepEqual(fs.readdirSync(path.join(repoDir, 'locks')), [], 'no lock is left behind');
  });

  test('change password: restic opens the repository with the new password and not the old; the stored password follows', async () => {
    const keysBefore = fs.readdirSync(path.join(repoDir, 'keys'));
    const r = await request(s, 'POST', `/api/repositories/${repoId}/password`, { body: { oldPassword: OLD, newPassword: NEW } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.keyringUpdated, true);
    assert.ok(!r.text.includes(NEW) && !r.text.includes(OLD));
    assert.ok(opens(repoDir, NEW), 'restic opens it with the new password');
    assert.ok(!opens(repoDir, OLD), 'restic refuses the old password');
    assert.ok(opens(repoDir, FAMILY), 'the other key is untouched');
    const keysAfter = fs.readdirSync(path.join(repoDir, 'keys'));
    assert.equal(keysAfter.length, keysBefore.length);
    assert.ok(keysAfter.includes(r.json.keyId));
    const snaps = JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: NEW }));
    assert.equal(snaps.length, 1, 'the data is untouched');
    resticOk(repoDir, ['check'], { password: NEW });

    const store = new PasswordFileStore(s.configDir);
    assert.equal(await store.get(secretAccount(repoId, 'password')), NEW);
    // The app keeps working with the stored (new) password: the session was reopened.
    const list = await request(s, 'GET', `/api/repositories/${repoId}/keys`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.keys.find((k: { current: boolean }) => k.current).id, r.json.keyId);
  });

  test('the other key can be removed; restic no longer opens with its password', async () => {
    const list = await request(s, 'GET', `/api/repositories/${repoId}/keys`);
    const family = list.json.keys.find((k: { userName: string }) => k.userName === 'anna');
    const r = await request(s, 'DELETE', `/api/repositories/${repoId}/keys/${family.id.slice(0, 10)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.removed, family.id);
    assert.ok(!opens(repoDir, FAMILY));
    assert.ok(opens(repoDir, NEW));
    assert.deepEqual(fs.readdirSync(path.join(repoDir, 'locks')), [], 'adding and removing keys leave no lock behind');
  });

  test('the same new password as the current one is refused', async () => {
    const r = await request(s, 'POST', `/api/repositories/${repoId}/password`, { body: { oldPassword: NEW, newPassword: NEW } });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /same as the current one/);
  });

  test('repositories.test reports a reachable repository the stored password opens', async () => {
    const r = await request(s, 'POST', `/api/repositories/${repoId}/test`, { body: {} });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.reachable, true);
    assert.equal(r.json.repository, 'exists');
    assert.equal(r.json.passwordAccepted, true);
  });
});

describe('editing, renaming and deleting a plan', () => {
  let s: TestServer;
  let repoDir: string;
  let repoId: string;
  let planId: string;
  before(async () => {
    s = await startTestServer();
    repoDir = path.join(tmpDir('settings-plans'), 'repo');
    const r = await request(s, 'POST', '/api/repositories', { body: { name: 'Disk', location: repoDir, password: OLD, init: true } });
    repoId = r.json.id;
    const p = await request(s, 'POST', '/api/plans', { body: { name: 'Documents', repositoryId: repoId, sources: ['/home/me/Documents'], schedule: { kind: 'interval', minutes: 60 } } });
    assert.equal(p.status, 200, p.text);
    planId = p.json.id;
  });
  after(async () => { await s.stop(); });

  test('sources, excludes, presets, schedule and name are saved together', async () => {
    const r = await request(s, 'PATCH', `/api/plans/${planId}`, { body: {
      name: 'Papers', sources: ['/home/me/Documents', '/home/me/Pictures'], excludes: ['*.tmp', '**/cache'], excludePresets: ['trash'],
      schedule: { kind: 'cron', expression: '30 2 * * *' },
    } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'Papers');
    assert.deepEqual(r.json.sources, ['/home/me/Documents', '/home/me/Pictures']);
    assert.deepEqual(r.json.excludes, ['*.tmp', '**/cache']);
    assert.deepEqual(r.json.excludePresets, ['trash']);
    assert.deepEqual(r.json.schedule, { kind: 'cron', expression: '30 2 * * *' });
    const onDisk = JSON.parse(fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8'));
    assert.equal(onDisk.plans[0].name, 'Papers');
  });

  test('an invalid change is refused with the reason and nothing is saved', async () => {
    const before = fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8');
    const empty = await request(s, 'PATCH', `/api/plans/${planId}`, { body: { sources: [] } });
    assert.equal(empty.status, 400);
    assert.match(empty.json.error.message, /choose at least one folder to back up/);
    const cron = await request(s, 'PATCH', `/api/plans/${planId}`, { body: { schedule: { kind: 'cron', expression: '61 * * * *' } } });
    assert.equal(cron.status, 400);
    assert.match(cron.json.error.message, /not a valid cron expression/);
    const blank = await request(s, 'PATCH', `/api/plans/${planId}`, { body: { name: '   ' } });
    assert.equal(blank.status, 400);
    assert.match(blank.json.error.message, /give it a name/);
    assert.equal(fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8'), before);
  });

  test('deleting the plan keeps the repository and every snapshot in it', async () => {
    const src = tmpDir('settings-plan-src');
    fs.writeFileSync(path.join(src, 'x'), 'x');
    resticOk(repoDir, ['backup', src], { password: OLD });
    const packsBefore = fs.readdirSync(path.join(repoDir, 'data'), { recursive: true }).length;
    const r = await request(s, 'DELETE', `/api/plans/${planId}`);
    assert.equal(r.status, 200, r.text);
    const profiles = await request(s, 'GET', '/api/profiles');
    assert.deepEqual(profiles.json.plans, []);
    assert.equal(profiles.json.repositories.length, 1, 'the repository stays');
    assert.equal(JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: OLD })).length, 1);
    assert.equal(fs.readdirSync(path.join(repoDir, 'data'), { recursive: true }).length, packsBefore);
  });
});

describe('app settings: notifications and start at login', () => {
  test('notification choices are saved in settings.json and read back after a restart', async () => {
    const s = await startTestServer();
    try {
      const first = await request(s, 'GET', '/api/settings');
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json.notifications, { success: true, failure: true, overdue: true });
      const r = await request(s, 'PATCH', '/api/settings', { body: { notifications: { success: false } } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.notifications, { success: false, failure: true, overdue: true });
      const onDisk = JSON.parse(fs.readFileSync(path.join(s.configDir, 'settings.json'), 'utf8'));
      assert.deepEqual(onDisk, { version: 1, notifications: { success: false, failure: true, overdue: true } });
      const { service } = await ProfilesService.open(s.configDir);
      assert.deepEqual(service.appSettings.notifications, { success: false, failure: true, overdue: true });
      const bad = await request(s, 'PATCH', '/api/settings', { body: { notifications: { success: 'yes' } } });
      assert.equal(bad.status, 400);
    } finally {
      await s.stop();
    }
  });

  test('a damaged settings.json is moved aside and the defaults apply, with a warning', async () => {
    const dir = tmpDir('settings-damaged');
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"version": 1, "notifications": ');
    const { service, settingsWarning } = await ProfilesService.open(dir);
    assert.deepEqual(service.appSettings.notifications, { success: true, failure: true, overdue: true });
    assert.match(settingsWarning ?? '', /settings\.json was unusable \(not valid JSON\); it was moved to .*settings\.json\.corrupt-/);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('settings.json.corrupt-')));
  });

  test('cairn serve cannot start at login: the setting says why, and turning it on is refused', async () => {
    const s = await startTestServer();
    try {
      const r = await request(s, 'GET', '/api/settings');
      assert.deepEqual({ ...r.json.startAtLogin, reason: typeof r.json.startAtLogin.reason }, { supported: false, enabled: false, reason: 'string' });
      assert.match(r.json.startAtLogin.reason, /desktop app/);
      const on = await request(s, 'PATCH', '/api/settings', { body: { startAtLogin: true } });
      assert.equal(on.status, 400);
      assert.match(on.json.error.message, /Start at login is a setting of the desktop app/);
    } finally {
      await s.stop();
    }
  });

  test('a host with start at login (the desktop app on Linux) writes and removes the XDG autostart entry', async () => {
    const home = tmpDir('settings-autostart');
    const file = autostartFile({ XDG_CONFIG_HOME: path.join(home, 'config') }, home);
    const dir = tmpDir('settings-autostart-cfg');
    const { service } = await ProfilesService.open(dir);
    const ctx = createApiContext({
      profiles: service,
      secrets: { state: 'file', store: new PasswordFileStore(dir), notice: '' },
      jobs: new CairnError('INTERNAL', 'no jobs here'),
      autostart: { get: () => linuxAutostartEnabled(file), set: (on) => setLinuxAutostart(file, on, { exec: '/opt/Cairn/cairn', args: ['--hidden'] }) },
    });
    try {
      assert.deepEqual((await handle('settings.get', {}, ctx)).startAtLogin, { supported: true, enabled: false, reason: null });
      const on = await handle('settings.update', { startAtLogin: true }, ctx);
      assert.equal(on.startAtLogin.enabled, true);
      assert.match(fs.readFileSync(file, 'utf8'), /^Exec=\/opt\/Cairn\/cairn --hidden$/m);
      const off = await handle('settings.update', { startAtLogin: false }, ctx);
      assert.equal(off.startAtLogin.enabled, false);
      assert.equal(fs.existsSync(file), false);
      const bad = await handle('settings.update', { startAtLogin: 'on' }, ctx).catch((e: unknown) => e);
      assert.ok(isCairnError(bad, 'INVALID_ARGUMENT'));
    } finally {
      await ctx.close();
    }
  });
});
