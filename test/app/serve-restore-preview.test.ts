// What the UI's restore form and Download button rely on, over real HTTP against the real engine:
// a restore's dry run lists the existing paths in the way (and writes nothing), and one file of a
// snapshot downloads with its exact bytes and a Content-Disposition naming it, behind the token.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { contentDisposition } from '../../src-main/serve/download.ts';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

let s: TestServer;
let src: string;
let repoId: string;
const BIG = Buffer.alloc(3 << 20);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 2654435761) >>> 24;

before(async () => {
  s = await startTestServer();
  src = tmpDir('preview-src');
  fs.mkdirSync(path.join(src, 'docs'));
  fs.writeFileSync(path.join(src, 'docs', 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(src, 'docs', 'b.txt'), 'beta\n');
  fs.writeFileSync(path.join(src, 'docs', 'résumé "final".bin'), BIG);
  const repo = await request(s, 'POST', '/api/repositories', { body: { name: 'R', location: path.join(tmpDir('preview-repo'), 'repo'), password: 'preview-secret', init: true } });
  assert.equal(repo.status, 200, repo.text);
  repoId = repo.json.id;
  const plan = await request(s, 'POST', '/api/plans', { body: { name: 'P', repositoryId: repoId, sources: [src], schedule: { kind: 'manual' } } });
  const job = await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.json.id } });
  const end = await s.jobs.wait(job.json.id);
  assert.equal(end.state, 'succeeded', end.error);
});

after(async () => {
  await s.stop();
});

test('a restore preview lists the paths that already exist in the target and writes nothing', async () => {
  const target = tmpDir('preview-target');
  const docs = path.join(target, ...src.split('/').filter(Boolean), 'docs');
  fs.mkdirSync(docs, { recursive: true });
  fs.writeFileSync(path.join(docs, 'a.txt'), 'mine\n');
  const r = await request(s, 'POST', '/api/restores/preview', { body: { repositoryId: repoId, snapshotId: 'latest', target, include: [`${src}/docs`], overwrite: 'never' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.totalFiles, 3);
  assert.deepEqual(r.json.conflicts, [path.join(docs, 'a.txt')]);
  assert.equal(r.json.conflictsTruncated, false);
  assert.deepEqual(fs.readdirSync(docs), ['a.txt']);
  assert.equal(fs.readFileSync(path.join(docs, 'a.txt'), 'utf8'), 'mine\n');
});

test('a restore preview into an empty folder has no conflicts', async () => {
  const r = await request(s, 'POST', '/api/restores/preview', { body: { repositoryId: repoId, snapshotId: 'latest', target: tmpDir('preview-empty'), include: [`${src}/docs/b.txt`] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.totalFiles, 1);
  assert.deepEqual(r.json.conflicts, []);
});

const fileUrl = (p: string, snapshot = 'latest') => `/api/repositories/${repoId}/snapshots/${snapshot}/file?path=${encodeURIComponent(p)}`;

test('a file downloads with its bytes, its length and a Content-Disposition with its exact name', async () => {
  const p = `${src}/docs/résumé "final".bin`;
  const r = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    import('node:http').then(({ default: http }) => {
      http.get({ host: '127.0.0.1', port: s.port, path: fileUrl(p), headers: { host: `127.0.0.1:${s.port}`, authorization: `Bearer ${s.token}` }, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      }).on('error', reject);
    }, reject);
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], String(BIG.length));
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.equal(r.headers['content-disposition'], `attachment; filename="r_sum_ _final_.bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.bin`);
  assert.ok(r.body.equals(BIG), 'the downloaded bytes are the backed-up file');
});

test('a download needs the token, and refuses folders and missing paths', async () => {
  assert.equal((await request(s, 'GET', fileUrl(`${src}/docs/a.txt`), { token: null })).status, 401);
  const dir = await request(s, 'GET', fileUrl(`${src}/docs`));
  assert.equal(dir.status, 400, dir.text);
  assert.match(dir.json.error.message, /only files can be downloaded/);
  assert.equal((await request(s, 'GET', fileUrl(`${src}/docs/none.txt`))).status, 404);
  assert.equal((await request(s, 'GET', fileUrl('relative/path'))).status, 400);
});

test('Content-Disposition keeps header-breaking characters out of the fallback name', () => {
  assert.equal(contentDisposition('a\r\nb.txt'), `attachment; filename="a__b.txt"; filename*=UTF-8''a%0D%0Ab.txt`);
});
