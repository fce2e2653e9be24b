// Changing a repository's password when the password is saved in the real system keyring
// (gnome-keyring on a private D-Bus session): the keyring entry follows, and the real restic
// opens the repository with the new password and no longer with the old one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { requireTool, restic, ROOT, tmpDir } from '../helpers/tools.ts';

const child = path.join(ROOT, 'test/app/fixtures/keyring-password-child.ts');

test('change password with the password in gnome-keyring: the entry is updated, restic takes only the new one', async () => {
  requireTool('dbus-run-session', 'apt-get install -y dbus-daemon');
  requireTool('gnome-keyring-daemon', 'apt-get install -y gnome-keyring');
  requireTool('secret-tool', 'apt-get install -y libsecret-tools');
  const home = tmpDir('settings-keyring');
  // Only this test's keyring: HOME and XDG folders in a temporary folder, no session bus inherited.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  env.XDG_RUNTIME_DIR = path.join(home, 'run');
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  const repoDir = path.join(home, 'repo');
  const script = 'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@"';
  const { stdout } = await promisify(execFile)('dbus-run-session', ['--', 'sh', '-c', script, process.execPath, child, path.join(home, 'cfg'), repoDir, 'first-pass-123', 'second-pass-456'],
    { env, cwd: ROOT, timeout: 120_000 });
  const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  assert.equal(report.state, 'keyring', stdout);
  assert.equal(report.before, 'first-pass-123');
  assert.equal(report.wrongCode, 'WRONG_PASSWORD');
  assert.equal(report.afterWrong, 'first-pass-123', 'a refused change leaves the keyring alone');
  assert.equal(report.changed.keyringUpdated, true);
  assert.equal(report.after, 'second-pass-456', 'the keyring holds the new password (seen through secret-tool)');
  assert.equal(report.opened, 0);
  assert.equal(restic(repoDir, ['snapshots'], { password: 'second-pass-456' }).code, 0, 'restic opens it with the new password');
  const old = restic(repoDir, ['snapshots'], { password: 'first-pass-123' });
  assert.notEqual(old.code, 0, 'restic refuses the old password');
  assert.match(old.stderr, /wrong password|no key found/);
  assert.equal(fs.readdirSync(path.join(repoDir, 'keys')).length, 1, 'the old key is gone, one key remains');
});
