// A snapshot folder downloaded as a zip from `cairn serve` (the browser's drag-to-restore of a
// folder): backed up for real through the job runner, streamed over HTTP, unpacked with Debian's
// `unzip`, and compared byte for byte (and mode, and symlink target) with the source. A name that
// would unpack somewhere else is refused before a byte of zip is sent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { requireTool, tmpDir } from '../helpers/tools.ts';

let s: TestServer;
let repoId: string;
let src: string;
let odd: string;
let mainSnapshot: string;
let oddSnapshot: string;

function write(rel: string, content: string | Buffer, mode?: number): void {
  const file = path.join(src, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  if (mode !== undefined) fs.chmodSync(file, mode);
}

before(async () => {
  requireTool('unzip', 'apt-get install -y unzip');
  s = await startTestServer();
  const root = tmpDir('serve-zip-src');
  src = path.join(root, 'Project files');
  write('docs/notes.txt', 'first line\n'.repeat(50));
  // Several blobs (the chunker cuts around 1 MiB): the file is streamed a blob at a time.
  write('docs/deep/data.bin', crypto.randomBytes(5 * 1024 * 1024 + 17));
  write('Ünïcode — name ✓.txt', 'unicode\n');
  write('run.sh', '#!/bin/sh\necho hi\n', 0o755);
  write('empty.txt', '');
  fs.mkdirSync(path.join(src, 'empty folder'));
  fs.symlinkSync('docs/notes.txt', path.join(src, 'notes-link'));
  odd = path.join(root, 'odd');
  fs.mkdirSync(odd);
  fs.writeFileSync(path.join(odd, 'back\\slash.txt'), 'a backslash is a folder separator to unzip tools\n');

  const repo = await request(s, 'POST', '/api/repositories', { body: { name: 'Zip', location: path.join(tmpDir('serve-zip-repo'), 'repo'), password: 'zip-secret', init: true } });
  assert.equal(repo.status, 200, repo.text);
  repoId = repo.json.id;
  const backup = async (name: string, source: string): Promise<string> => {
    const plan = await request(s, 'POST', '/api/plans', { body: { name, repositoryId: repoId, sources: [source], schedule: { kind: 'manual' } } });
    const job = await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.json.id } });
    const end = await s.jobs.wait(job.json.id);
    assert.equal(end.state, 'succeeded', end.error);
    return end.snapshotIds![0];
  };
  mainSnapshot = await backup('Zip', src);
  oddSnapshot = await backup('Odd', odd);
});

after(async () => {
  await s?.stop();
});

const zipUrl = (p: string, snapshot = mainSnapshot) => `/api/repositories/${repoId}/snapshots/${snapshot}/zip?path=${encodeURIComponent(p)}`;

/** Streams the answer into a file (no buffering in the test either); resolves with the headers. */
function download(urlPath: string, file: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: s.port, path: urlPath, agent: false, headers: { host: `127.0.0.1:${s.port}`, authorization: `Bearer ${s.token}` } }, (res) => {
      const out = fs.createWriteStream(file);
      res.pipe(out);
      out.on('finish', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      out.on('error', reject);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

test('a snapshot folder downloads as a zip that unzip unpacks into the same files, modes and links', async () => {
  const work = tmpDir('serve-zip-out');
  const file = path.join(work, 'download.zip');
  const res = await download(zipUrl(src), file);
  assert.equal(res.status, 200, fs.readFileSync(file, 'utf8').slice(0, 500));
  assert.equal(res.headers['content-type'], 'application/zip');
  assert.match(String(res.headers['content-disposition']), /^attachment; filename="Project files\.zip"/);
  assert.equal(res.headers['content-length'], undefined, 'streamed, not measured first');

  const listed = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  const names = listed.stdout.split('\n').filter(Boolean);
  assert.ok(names.includes('docs/deep/data.bin'), names.join('\n'));
  assert.ok(names.every((n) => !n.startsWith('/') && !n.split('/').includes('..') && !n.startsWith('Project files')), 'paths are relative to the folder');

  const out = path.join(work, 'unpacked');
  const unzip = spawnSync('unzip', ['-q', file, '-d', out], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  // Zip keeps times to the second: compare those apart from the rest.
  assert.deepEqual(compareTrees(src, out, { checkTimes: false }), []);
  const mtime = (root: string) => fs.statSync(path.join(root, 'docs/deep/data.bin')).mtimeMs;
  assert.ok(Math.abs(mtime(src) - mtime(out)) < 2000, 'modification time kept to the second');
});

test('the whole snapshot ("/") downloads too, under the snapshot id', async () => {
  const work = tmpDir('serve-zip-root');
  const res = await download(zipUrl('/'), path.join(work, 'all.zip'));
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-disposition']), /filename="snapshot-[0-9a-f]{8}\.zip"/);
  const listed = spawnSync('unzip', ['-Z1', path.join(work, 'all.zip')], { encoding: 'utf8' });
  assert.ok(listed.stdout.split('\n').includes(path.join(src, 'docs/notes.txt').slice(1)), 'snapshot paths without the leading slash');
});

test('a name unzip would misread is refused with one clear error before any zip is sent', async () => {
  for (const p of [odd, '/']) {
    const r = await request(s, 'GET', zipUrl(p, oddSnapshot));
    assert.equal(r.status, 400, p);
    assert.equal(r.json.error.code, 'UNSAFE_PATH');
    assert.match(r.json.error.message, /"back\\\\slash\.txt".*restore the folder instead/);
    assert.ok(r.json.error.message.startsWith(odd), r.json.error.message);
  }
});

test('a file, a missing folder, a path with ".." and a missing token are refused', async () => {
  const file = await request(s, 'GET', zipUrl(path.join(src, 'run.sh')));
  assert.equal(file.status, 400);
  assert.match(file.json.error.message, /is a file, not a folder/);
  const missing = await request(s, 'GET', zipUrl(path.join(src, 'nothing here')));
  assert.equal(missing.status, 404);
  const dots = await request(s, 'GET', zipUrl(`${src}/../odd`));
  assert.equal(dots.status, 400);
  const anonymous = await request(s, 'GET', zipUrl(src), { token: null });
  assert.equal(anonymous.status, 401);
});

test('a download cut off by the client stops the stream and leaves the repository usable', async () => {
  await new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: s.port, path: zipUrl(src), agent: false, headers: { host: `127.0.0.1:${s.port}`, authorization: `Bearer ${s.token}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      res.once('data', () => { req.destroy(); resolve(); });
    });
    req.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'ECONNRESET') reject(err); });
  });
  // The next download (and listing) gets the repository: nothing is left holding it.
  const work = tmpDir('serve-zip-again');
  const again = await download(zipUrl(path.join(src, 'docs')), path.join(work, 'docs.zip'));
  assert.equal(again.status, 200);
  const unzip = spawnSync('unzip', ['-q', path.join(work, 'docs.zip'), '-d', path.join(work, 'out')], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  assert.deepEqual(compareTrees(path.join(src, 'docs'), path.join(work, 'out'), { checkTimes: false }), []);
});
