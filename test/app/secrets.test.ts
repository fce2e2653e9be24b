import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isCairnError } from '../../src-worker/index.ts';
import { deleteRepositorySecrets, PasswordFileStore, redact, REDACTED, secretAccount } from '../../src-main/secrets/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node = process.execPath;
const child = path.join(root, 'test/app/fixtures/secrets-child.ts');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-secrets-'));
}

/** An environment with no D-Bus session to find: no address, no X11 autolaunch, no runtime dir bus. */
function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const runtime = path.join(home, 'run');
  fs.mkdirSync(runtime, { mode: 0o700 });
  env.XDG_RUNTIME_DIR = runtime;
  return env;
}

async function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, any>> {
  const { stdout } = await promisify(execFile)(cmd, args, { env, cwd: root, timeout: 60_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line);
}

test('account names are service "cairn", "repo:<id>:<kind>", and refuse ids that would be ambiguous', () => {
  assert.equal(secretAccount('usb-1', 'password'), 'repo:usb-1:password');
  assert.equal(secretAccount('nas', 'sftp-key-passphrase'), 'repo:nas:sftp-key-passphrase');
  assert.throws(() => secretAccount('a:b', 'password'), (e) => isCairnError(e, 'INVALID_ARGUMENT'));
});

test('redact() removes every given secret (longest first) and passwords in URLs', () => {
  assert.equal(redact('open failed for hunter2 and hunter22', ['hunter2', 'hunter22']), `open failed for ${REDACTED} and ${REDACTED}`);
  assert.equal(redact('GET rest:https://me:s3cr3t@host:8000/ failed'), `GET rest:https://me:${REDACTED}@host:8000/ failed`);
  assert.equal(redact('nothing here', ['', null, undefined]), 'nothing here');
});

test('password file: set, get, overwrite, delete, missing; created 0600 and never readable by others', async () => {
  const dir = tmpDir();
  const store = new PasswordFileStore(dir);
  assert.equal(await store.get('repo:a:password'), null);
  await store.set('repo:a:password', 'one');
  await store.set('repo:a:password', 'two');
  await store.set('repo:b:s3-secret-key', 'three');
  assert.equal(await store.get('repo:a:password'), 'two');
  assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
  assert.equal(await store.delete('repo:a:password'), true);
  assert.equal(await store.delete('repo:a:password'), false);
  assert.equal(await store.get('repo:a:password'), null);
  assert.equal(await store.get('repo:b:s3-secret-key'), 'three');
  assert.equal(await store.get('toString'), null, 'no prototype keys leak through');
});

test('deleting a repository\'s secrets removes all its kinds and nothing of other repositories', async () => {
  const store = new PasswordFileStore(tmpDir());
  await store.set(secretAccount('a', 'password'), 'p1');
  await store.set(secretAccount('a', 'sftp-key-passphrase'), 'p2');
  await store.set(secretAccount('ab', 'password'), 'p3');
  assert.deepEqual(await deleteRepositorySecrets(store, 'a'), ['password', 'sftp-key-passphrase']);
  assert.equal(await store.get(secretAccount('a', 'password')), null);
  assert.equal(await store.get(secretAccount('ab', 'password')), 'p3');
});

test('password file with mode 0644 (or 0640) is refused, saying why and what to do, without the secret', async () => {
  const dir = tmpDir();
  const store = new PasswordFileStore(dir);
  await store.set('repo:a:password', 'VERY-SECRET-99');
  for (const mode of [0o644, 0o640]) {
    fs.chmodSync(store.file, mode);
    await assert.rejects(store.get('repo:a:password'), (e) => {
      assert.ok(isCairnError(e, 'UNSAFE_PERMISSIONS'));
      assert.match(e.message, new RegExp(`mode 0${mode.toString(8)}.*chmod 600`));
      assert.ok(!e.message.includes('VERY-SECRET-99') && !String(e.cause ?? '').includes('VERY-SECRET-99'));
      return true;
    });
    // Writing is refused too: it would have to read the file first.
    await assert.rejects(store.set('repo:b:password', 'x'), (e) => isCairnError(e, 'UNSAFE_PERMISSIONS'));
  }
});

test('a password file that is not JSON is reported without echoing its content', async () => {
  const dir = tmpDir();
  const store = new PasswordFileStore(dir);
  fs.writeFileSync(store.file, 'repo:a:password=LEAKY-SECRET', { mode: 0o600 });
  await assert.rejects(store.get('repo:a:password'), (e) => isCairnError(e, 'CORRUPT_CONFIG') && !e.message.includes('LEAKY') && e.cause === undefined);
});

test('real gnome-keyring: set, get, overwrite, delete, missing entry, all visible to secret-tool', async () => {
  const home = tmpDir();
  const env = isolatedEnv(home);
  // A private session bus and a keyring daemon that lives only as long as it; HOME/XDG_* point
  // into a temporary folder so the user's own keyrings are never touched.
  const script = 'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$1" keyring "$2"';
  const report = await runChild('dbus-run-session', ['--', 'sh', '-c', script, node, child, path.join(home, 'cfg')], env);
  assert.equal(report.state, 'keyring', JSON.stringify(report));
  assert.equal(report.afterSet, 'pw-one');
  assert.deepEqual(report.lookupAfterSet, { status: 0, stdout: 'pw-one' });
  assert.equal(report.afterOverwrite, 'pw-two');
  assert.deepEqual(report.lookupAfterOverwrite, { status: 0, stdout: 'pw-two' });
  assert.equal(report.otherKind, 'other-secret');
  assert.equal(report.missing, null);
  assert.equal(report.deleted, true);
  assert.equal(report.afterDelete, null);
  assert.equal(report.deleteAgain, false);
  assert.equal(report.lookupAfterDelete.status, 1, 'secret-tool finds nothing after delete');
  assert.equal(report.otherKindAfterDelete, 'other-secret', 'deleting one account leaves the others');
});

test('without any D-Bus session: "unavailable" with a clear message; the opt-in 0600 file works and a 0644 one is refused', async () => {
  const home = tmpDir();
  const cfg = path.join(home, 'cfg');
  const report = await runChild(node, [child, 'no-dbus', cfg], isolatedEnv(home));
  assert.equal(report.strict.state, 'unavailable');
  assert.match(report.strict.message, /^no system keyring is available \(the Secret Service is not running on D-Bus\): .*--allow-password-file to keep passwords in a file only you can read( \(.*\))?$/);
  assert.equal(report.setInKeyring.error.code, 'KEYRING_UNAVAILABLE');
  assert.match(report.setInKeyring.error.message, /cannot store repo:x:password in the system keyring/);
  assert.ok(!JSON.stringify(report.setInKeyring).includes('TOPSECRET'), 'the secret is not in the error');
  assert.equal(report.fallback, 'file');
  assert.equal(report.fallbackGet, 'TOPSECRET-4711');
  assert.equal(report.fallbackMode, '600');
  assert.equal(report.wideGet.error.code, 'UNSAFE_PERMISSIONS');
  assert.match(report.wideGet.error.message, /mode 0644/);
  assert.ok(!report.wideGet.error.message.includes('TOPSECRET'));
});
