// The S3 backend against s3rver (a real S3 API server, npm) on loopback: init creates the bucket,
// round trips are byte-exact, and what landed — read back from s3rver's storage folder into a
// local layout — passes `restic check --read-data`. Plus the errors users meet.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { startFaultyProxy } from '../helpers/fault-proxy.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { startS3rver, S3RVER_ENV, type S3rver } from '../helpers/s3rver.ts';
import { cairn, cairnAsyncOk, cairnOk, freePort, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;
let endpoint: string;
let s3: S3rver;
const creds = S3RVER_ENV;

before(async () => {
  work = tmpDir('s3');
  src = path.join(work, 'src');
  makeOddTree(src);
  s3 = await startS3rver(path.join(work, 's3rver'));
  endpoint = s3.endpoint;
});
after(() => {
  s3?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** What landed under bucket/prefix, as a local repository restic can check. */
function localLayout(bucket: string, prefix: string): string {
  return s3.localLayout(bucket, prefix, path.join(work, `layout-${bucket}`));
}

test('s3: init creates the bucket; backup and restore round trip; restic checks what landed', () => {
  const repo = `s3:${endpoint}/cairn-bucket/some/prefix`;
  cairnOk(['-r', repo, 'init'], { env: creds });
  cairnOk(['-r', repo, 'backup', src], { env: creds });
  cairnOk(['-r', repo, 'backup', src], { env: creds });
  assert.match(cairnOk(['-r', repo, 'snapshots'], { env: creds }), /2 snapshots/);
  const target = path.join(work, 'restored');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target], { env: creds });
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data'], { env: creds }), /no errors were found/);
  const layout = localLayout('cairn-bucket', 'some/prefix');
  assert.match(resticOk(layout, ['check', '--read-data']), /no errors were found/);
});

test('s3: wrong credentials, missing bucket, unreachable endpoint and a bad location are clear errors', async () => {
  // s3rver checks the access key id (its secret checking is lenient), so the wrong credential here is the id.
  const wrong = cairn(['-r', `s3:${endpoint}/cairn-bucket/some/prefix`, 'snapshots'], { env: { ...creds, AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^Fatal: S3 refused access to reading the config of s3:.* \(InvalidAccessKeyId\): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  assert.doesNotMatch(wrong.stderr, /not-the-secret/);
  const missing = cairn(['-r', `s3:${endpoint}/no-such-bucket/x`, 'snapshots'], { env: creds });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no repository at s3:.*no-such-bucket\/x|bucket "no-such-bucket" does not exist/);
  const port = await freePort();
  const started = performance.now();
  const down = cairn(['-r', `s3:http://127.0.0.1:${port}/b/x`, 'snapshots'], { env: creds });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+ .*connection refused/);
  assert.ok(performance.now() - started < 10_000, 'fails within seconds');
  assert.match(cairn(['-r', 's3:', 'snapshots'], { env: creds }).stderr, /not a valid S3 location/);
});

test('s3: a backup survives SlowDown, 500s and dropped connections; restore too; the result checks clean', async () => {
  // S3's throttling and server-error answers, as AWS words them, on every 5th request; every 7th
  // connection is cut mid-response.
  const proxy = await startFaultyProxy(endpoint, {
    dropEvery: 7,
    failEvery: 5,
    failure: (n) => (n % 2 === 0
      ? { status: 503, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' }
      : { status: 500, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>' }),
  });
  try {
    const repo = `s3:${proxy.url}faulty-bucket/p`;
    await cairnAsyncOk(['-r', repo, 'init'], { env: creds });
    await cairnAsyncOk(['-r', repo, 'backup', src], { env: creds });
    const target = path.join(work, 'faulty-restored');
    await cairnAsyncOk(['-r', repo, 'restore', 'latest', '--target', target], { env: creds });
    assert.ok(proxy.stats.failed >= 3 && proxy.stats.dropped >= 2, `faults were injected: ${JSON.stringify(proxy.stats)}`);
    assert.deepEqual(compareTrees(src, path.join(target, src)), []);
    assert.match(resticOk(localLayout('faulty-bucket', 'p'), ['check', '--read-data']), /no errors were found/);
  } finally {
    proxy.close();
  }
});

test('s3: -o s3.connections=N bounds the requests in flight; a bad value is refused up front', async () => {
  const proxy = await startFaultyProxy(endpoint, { dropEvery: Infinity, failEvery: Infinity });
  try {
    const repo = `s3:${proxy.url}conn-bucket/p`;
    await cairnAsyncOk(['-r', repo, 'init'], { env: creds });
    await cairnAsyncOk(['-r', repo, '-o', 's3.connections=1', 'backup', src], { env: creds });
    await cairnAsyncOk(['-r', repo, '-o', 's3.connections=1', 'restore', 'latest', '--target', path.join(work, 'conn-restored')], { env: creds });
    assert.equal(proxy.stats.maxInFlight, 1, 'one connection: never two requests at once');
    // Without the option the same work overlaps requests (so the bound above is the option's doing).
    await cairnAsyncOk(['-r', repo, 'restore', 'latest', '--target', path.join(work, 'conn-restored-2')], { env: creds });
    assert.ok(proxy.stats.maxInFlight > 1, `default connections overlap requests (max ${proxy.stats.maxInFlight})`);
  } finally {
    proxy.close();
  }
  const bad = cairn(['-r', `s3:${endpoint}/conn-bucket/p`, '-o', 's3.connections=lots', 'snapshots'], { env: creds });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'Fatal: -o s3.connections=lots: use a whole number from 1 to 64');
});
