// Backend secrets through the API: an S3 secret key handed to repositories.create goes to the
// secret store (never the profiles file, never a response) and is what lets the job runner reach
// the bucket, on a real S3 server (s3rver) with the AWS credential chain emptied for this process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { request, startTestServer, type Reply, type TestServer } from '../helpers/serve-client.ts';
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

function ok(r: Reply): any {
  assert.equal(r.status, 200, `expected 200, got ${r.status}: ${r.text}`);
  return r.json;
}

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
