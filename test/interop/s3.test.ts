// The S3 backend against s3rver (a real S3 API server, npm) on loopback: init creates the bucket,
// round trips are byte-exact, and what landed — read back from s3rver's storage folder into a
// local layout — passes `restic check --read-data`. Plus the errors users meet.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cairn, cairnOk, freePort, resticOk, ROOT, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;
let endpoint: string;
let storage: string;
let server: ChildProcess;
const creds = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_PROFILE: '', CAIRN_RETRY_BASE_MS: '20' };

before(async () => {
  work = tmpDir('s3');
  src = path.join(work, 'src');
  makeOddTree(src);
  storage = path.join(work, 's3rver');
  fs.mkdirSync(storage);
  const port = await freePort();
  server = spawn(process.execPath, [path.join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), '-d', storage, '-p', String(port), '-a', '127.0.0.1', '--silent'], { stdio: 'ignore' });
  endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      http.get(endpoint + '/', (res) => { res.resume(); resolve(true); }).on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('s3rver did not start');
});
after(() => {
  server?.kill();
  fs.rmSync(work, { recursive: true, force: true });
});

/** s3rver keeps each object as KEY._S3rver_object; copy them out under their keys. */
function localLayout(bucket: string, prefix: string): string {
  const out = path.join(work, `layout-${bucket}`);
  const base = path.join(storage, bucket, prefix);
  for (const e of fs.readdirSync(base, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('._S3rver_object')) continue;
    const rel = path.relative(base, path.join(e.parentPath, e.name)).replace(/\._S3rver_object$/, '');
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.copyFileSync(path.join(e.parentPath, e.name), path.join(out, rel));
  }
  return out;
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
