// The wizard's storage fields → the engine's location, options and credentials (pure functions of
// the renderer): secrets go only into the credentials, never into options or the location.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyStorage, storageCredentials, storageOptions, storageProblem, toLocation } from '../../src-renderer/lib/wizard/location.ts';

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
