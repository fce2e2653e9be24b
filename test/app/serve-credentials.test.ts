// Backend secrets through the API: an S3 secret key handed to repositories.create goes to the
// secret store (never the profiles file, never a response) and is what lets the job runner reach
// the bucket, on a real S3 server (s3rver) with the AWS credential chain emptied for this process.
// Changing the keys later (repositories.setCredentials) saves them only once the bucket lets them in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { startS3rver, type S3rver } from '../helpers/s3rver.ts';
import { tmpDir } from '../helpers/tools.ts';

const SECRET = 'a-secret-key-that-must-stay-in-the-store-93kd';
let s: TestServer;
let s3: S3rver;
let src: string;

before(async () => {
  // No credentials from the environment or the shared files, and no instance metadata lookups:
  // only what the API hands over can authenticate.
  for (const v of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[v];
  const none = path.join(tmpDir('no-aws'), 'none');
  process.env.AWS_SHARED_CREDENTIALS_FILE = none;
  process.env.AWS_CONFIG_FILE = none;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.CAIRN_RETRY_BASE_MS = '20';
  s3 = await startS3rver(path.join(tmpDir('creds-s3'), 'storage'));
  s = await startTestServer();
  src = tmpDir('creds-src');
  fs.writeFileSync(path.join(src, 'a.txt'), 'some content\n');
});
after(async () => {
  await s?.stop();
  s3?.stop();
});

test('an S3 secret key given to the API is stored as a secret and used by jobs, and never shown', async () => {
  const bodies: string[] = [];
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await request(s, method, p, { body });
    bodies.push(r.text);
    return r;
  };
  const location = `s3:${s3.endpoint}/creds-bucket/repo`;
  const options = { 's3.access-key-id': 'S3RVER' };

  // The connection test uses the credentials given for it (and stores nothing).
  const tested = ok(await call('POST', '/api/connection-test', { location, options, credentials: { s3SecretAccessKey: SECRET } }));
  assert.equal(tested.reachable, true, tested.message);
  assert.equal(tested.repository, 'missing');

  const repo = ok(await call('POST', '/api/repositories', {
    name: 'Bucket', location, options, password: 'repo password 123', init: true, credentials: { s3SecretAccessKey: SECRET },
  }));
  const plan = ok(await call('POST', '/api/plans', { name: 'P', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } }));
  const job = ok(await call('POST', '/api/jobs', { kind: 'backup', planId: plan.id }));
  const end = await s.jobs.wait(job.id);
  assert.equal(end.state, 'succeeded', end.error);
  assert.equal(ok(await call('GET', `/api/repositories/${repo.id}/snapshots`)).snapshots.length, 1);

  // Without the secret the same bucket cannot be reached: the credentials were what worked.
  const bare = ok(await call('POST', '/api/repositories', { name: 'Bare', location, options, password: 'repo password 123' }));
  const opened = await call('POST', `/api/repositories/${bare.id}/open`);
  assert.notEqual(opened.status, 200);
  assert.match(opened.json.error.message, /S3|credential|AWS/i);

  const profilesFile = fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8');
  assert.ok(profilesFile.includes('creds-bucket'), 'the profiles file was read');
  assert.ok(!profilesFile.includes(SECRET), 'the secret is not in the profiles file');
  for (const b of bodies) assert.ok(!b.includes(SECRET), 'no response shows the secret');
  assert.equal(await s.api.secrets.store().get(`repo:${repo.id}:s3-secret-key`), SECRET, 'it is in the secret store');
});

test('changing S3 keys later: the new pair is tested against the bucket and saved only when it gets in', async () => {
  const bodies: string[] = [];
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await request(s, method, p, { body });
    bodies.push(r.text);
    return r;
  };
  const location = `s3:${s3.endpoint}/rotate-bucket/repo`;
  const repo = ok(await call('POST', '/api/repositories', {
    name: 'Rotated', location, options: { 's3.access-key-id': 'S3RVER' }, password: 'repo password 123', init: true, credentials: { s3SecretAccessKey: SECRET },
  }));
  // As if the keys had been rotated at the provider: the profile now names a key id that is gone.
  ok(await call('PATCH', `/api/repositories/${repo.id}`, { options: { 's3.access-key-id': 'OLDKEYID' } }));
  assert.equal(ok(await call('POST', `/api/repositories/${repo.id}/test`)).authenticated, false);

  const onlySecret = ok(await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: { s3SecretAccessKey: SECRET } }));
  assert.equal(onlySecret.saved, false, 'the secret alone does not get in with the old key id');
  assert.equal(onlySecret.report.authenticated, false, onlySecret.report.message);
  assert.equal(ok(await call('GET', '/api/profiles')).repositories.find((r: any) => r.id === repo.id).options['s3.access-key-id'], 'OLDKEYID', 'nothing changed');

  const pair = ok(await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: { s3SecretAccessKey: SECRET }, s3AccessKeyId: 'S3RVER' }));
  assert.equal(pair.saved, true, pair.report.message);
  assert.equal(pair.report.passwordAccepted, true);
  assert.equal(ok(await call('GET', '/api/profiles')).repositories.find((r: any) => r.id === repo.id).options['s3.access-key-id'], 'S3RVER', 'the key id went to the profile');
  assert.equal(ok(await call('POST', `/api/repositories/${repo.id}/open`)).snapshots, 0);
  for (const b of bodies) assert.ok(!b.includes(SECRET), 'no response shows the secret');
});
