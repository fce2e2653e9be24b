// The wizard's storage fields → the engine's location, options and credentials (pure functions of
// the renderer): secrets go only into the credentials, never into options or the location.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verdict } from '../../src-renderer/lib/wizard/connection.ts';
import { emptyStorage, storageCredentials, storageKindOf, storageName, storageOptions, storageProblem, toLocation } from '../../src-renderer/lib/wizard/location.ts';

test('S3 with a typed key: the id is an option, the secret only a credential', () => {
  const s = { ...emptyStorage(), kind: 's3' as const, s3Preset: 'minio' as const, s3Endpoint: 'http://127.0.0.1:9000', s3Bucket: 'backups', s3AccessKeyId: ' AKIA1 ', s3SecretKey: 'top-secret' };
  assert.equal(storageProblem(s), null);
  assert.equal(toLocation(s), 's3:http://127.0.0.1:9000/backups/cairn');
  assert.deepEqual(storageOptions(s), { 's3.access-key-id': 'AKIA1' });
  assert.deepEqual(storageCredentials(s), { s3SecretAccessKey: 'top-secret' });
  assert.ok(!JSON.stringify([toLocation(s), storageOptions(s)]).includes('top-secret'));
});

test('S3 with only half a key pair is refused; with none, the computer\'s own credentials are used', () => {
  const base = { ...emptyStorage(), kind: 's3' as const, s3Bucket: 'backups' };
  assert.match(storageProblem({ ...base, s3AccessKeyId: 'AKIA1' }) ?? '', /both the access key ID and the secret key/);
  assert.match(storageProblem({ ...base, s3SecretKey: 'x' }) ?? '', /both/);
  assert.equal(storageProblem(base), null);
  assert.equal(storageCredentials(base), undefined);
  assert.deepEqual(storageOptions(base), { 's3.region': 'us-east-1' });
});

test('an SFTP password is a credential and never part of the location', () => {
  const s = { ...emptyStorage(), kind: 'sftp' as const, sftpHost: 'nas', sftpUser: 'me', sftpPath: '/srv/b', sftpPassword: 'pw!' };
  assert.equal(toLocation(s), 'sftp://me@nas:22//srv/b');
  assert.deepEqual(storageCredentials(s), { sftpPassword: 'pw!' });
  assert.deepEqual(storageCredentials({ ...s, sftpPassword: '' }), undefined);
});

test('a REST server: the user name goes into the rest: URL, the password only into the credentials', () => {
  const s = { ...emptyStorage(), kind: 'rest' as const, restUrl: ' http://nas.local:8000/backups ', restUser: 'alice', restPassword: 'p@ss:word' };
  assert.equal(storageProblem(s), null);
  assert.equal(toLocation(s), 'rest:http://alice@nas.local:8000/backups/');
  assert.deepEqual(storageOptions(s), {});
  assert.deepEqual(storageCredentials(s), { restPassword: 'p@ss:word' });
  assert.ok(!toLocation(s).includes('p@ss'));
  assert.equal(storageName(s), 'REST nas.local:8000');
  assert.equal(toLocation({ ...s, restUser: '', restPassword: '' }), 'rest:http://nas.local:8000/backups/');
  assert.equal(storageCredentials({ ...s, restUser: '', restPassword: '' }), undefined);
});

test('a REST address that is not http(s), or that carries a user or password, is refused with what to type instead', () => {
  const base = { ...emptyStorage(), kind: 'rest' as const };
  assert.match(storageProblem({ ...base, restUrl: '' }) ?? '', /starting with http:\/\/ or https:\/\//);
  assert.match(storageProblem({ ...base, restUrl: 'ftp://nas/' }) ?? '', /starting with http/);
  assert.match(storageProblem({ ...base, restUrl: 'nas.local:8000' }) ?? '', /starting with http/);
  assert.match(storageProblem({ ...base, restUrl: 'http://bob:pw@nas/' }) ?? '', /in their own fields/);
  assert.match(storageProblem({ ...base, restUrl: 'http://nas/', restPassword: 'x' }) ?? '', /user name that goes with the password/);
});

test('an rclone remote: rclone:remote:path, a trailing ":" on the name is tolerated, a bad name refused', () => {
  const s = { ...emptyStorage(), kind: 'rclone' as const, rcloneRemote: 'gdrive:', rclonePath: '/backups/laptop/' };
  assert.equal(storageProblem(s), null);
  assert.equal(toLocation(s), 'rclone:gdrive:backups/laptop');
  assert.equal(storageName(s), 'rclone gdrive');
  assert.equal(storageCredentials(s), undefined);
  assert.match(storageProblem({ ...s, rcloneRemote: ' ' }) ?? '', /name of the rclone remote/);
  assert.match(storageProblem({ ...s, rcloneRemote: 'a/b' }) ?? '', /remote's name has letters/);
});

test('a saved location names its kind of storage', () => {
  assert.equal(storageKindOf('/srv/backup'), 'local');
  assert.equal(storageKindOf('C:\\backup'), 'local');
  assert.equal(storageKindOf('rest:http://nas:8000/'), 'rest');
  assert.equal(storageKindOf('rclone:gdrive:x'), 'rclone');
  assert.equal(storageKindOf('sftp://me@nas:22//srv'), 'sftp');
  assert.equal(storageKindOf('s3:https://s3.amazonaws.com/b'), 's3');
});

test('rclone errors get their own plain answer: no such remote, rclone not installed', () => {
  const report = (message: string) => ({ reachable: false, authenticated: false, repository: 'unknown' as const, message });
  const missing = verdict('rclone', report('rclone failed for rclone:nosuch:x: Failed to create file system for "nosuch:x": didn\'t find section in config file'));
  assert.match(missing.headline, /no rclone remote by that name/);
  assert.match(missing.step ?? '', /rclone config/);
  assert.match(verdict('rclone', report('rclone is not installed (or not on the PATH): install rclone')).headline, /rclone is not installed/);
  const refused = verdict('rest', { reachable: true, authenticated: false, repository: 'unknown', message: 'HTTP 401' });
  assert.match(refused.headline, /refused access/);
  assert.match(refused.step ?? '', /user name and password/);
});

test('picking an S3 service fills in its usual region, unless one was typed', async () => {
  const { choosePreset } = await import('../../src-renderer/lib/wizard/location.ts');
  const s = { ...emptyStorage(), kind: 's3' as const, s3Bucket: 'backups' };
  choosePreset(s, 'b2');
  assert.equal(s.s3Region, 'us-west-004');
  assert.equal(toLocation(s), 's3:https://s3.us-west-004.backblazeb2.com/backups/cairn');
  choosePreset(s, 'wasabi');
  assert.equal(s.s3Region, 'us-east-1');
  s.s3Region = 'eu-central-2';
  choosePreset(s, 'aws');
  assert.equal(s.s3Region, 'eu-central-2', 'a typed region stays');
  choosePreset(s, 'minio');
  assert.equal(s.s3Preset, 'minio');
});

test('a local folder that holds other things is reported, and the wizard warns before making a repository there', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { testConnection } = await import('../../src-worker/ops/connection.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-not-empty-'));
  try {
    const empty = await testConnection(dir);
    assert.equal(empty.repository, 'missing');
    assert.equal(empty.otherEntries, undefined);
    assert.equal(verdict('local', empty).detail, '');
    fs.writeFileSync(path.join(dir, 'letter.txt'), 'my own file');
    fs.mkdirSync(path.join(dir, 'Photos'));
    const full = await testConnection(dir);
    assert.equal(full.otherEntries, 2);
    const v = verdict('local', full);
    assert.equal(v.ok, true);
    assert.match(v.detail, /This folder is not empty \(2 items\).*choose an empty folder/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
