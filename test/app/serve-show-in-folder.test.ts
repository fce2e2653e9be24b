// "Show in folder" after a restore in `cairn serve`: the server opens the OS file manager only at
// a path a finished restore of this session wrote. The opener is the OS boundary: here
// CAIRN_FILE_MANAGER points it at a script that records its arguments, so the test sees exactly
// what would have been opened (and that nothing is opened for a refused path).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

let s: TestServer;
let repoId: string;
let src: string;
let record: string;
const work = tmpDir('show-in-folder');

/** The recorded arguments once `count` have come (the opener is started, not waited for). */
async function settle(file: string, count: number): Promise<string[]> {
  const lines = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  // Nothing expected: wait as long as an opener would take to show up, then look.
  for (let i = 0; i < 100 && (count === 0 ? i < 15 : lines().length < count); i++) await new Promise((r) => setTimeout(r, 20));
  return lines();
}

before(async () => {
  record = path.join(work, 'opened.txt');
  const opener = path.join(work, 'opener.sh');
  fs.writeFileSync(opener, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${record}'; done\n`, { mode: 0o755 });
  process.env.CAIRN_FILE_MANAGER = opener;
  s = await startTestServer();
  delete process.env.CAIRN_FILE_MANAGER;
  src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(src, 'docs', 'a.txt'), 'a\n');
  fs.writeFileSync(path.join(src, 'b.txt'), 'b\n');
  const repo = await request(s, 'POST', '/api/repositories', { body: { name: 'Show', location: path.join(work, 'repo'), password: 'show-secret', init: true } });
  repoId = repo.json.id;
  const plan = await request(s, 'POST', '/api/plans', { body: { name: 'Show', repositoryId: repoId, sources: [src], schedule: { kind: 'manual' } } });
  const job = await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.json.id } });
  assert.equal((await s.jobs.wait(job.json.id)).state, 'succeeded');
});

after(async () => {
  await s?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function restore(target: string, include: string[]): Promise<string> {
  const r = await request(s, 'POST', '/api/restores', { body: { repositoryId: repoId, snapshotId: 'latest', target, include } });
  assert.equal(r.status, 200, r.text);
  const end = await s.jobs.wait(r.json.id);
  assert.equal(end.state, 'succeeded', end.error);
  return r.json.id;
}

const show = (jobId: string, p: string) => request(s, 'POST', '/api/restores/show-in-folder', { body: { jobId, path: p } });

test('a restored folder opens itself, a restored file opens its folder, the target opens too', async () => {
  const target = path.join(work, 'restored');
  const jobId = await restore(target, [`${src}/docs`, `${src}/b.txt`]);
  const docs = path.join(target, src, 'docs');
  const r1 = await show(jobId, docs);
  assert.equal(r1.status, 200, r1.text);
  assert.deepEqual(r1.json, { opened: docs });
  const r2 = await show(jobId, path.join(target, src, 'b.txt'));
  assert.deepEqual(r2.json, { opened: path.join(target, src) });
  const r3 = await show(jobId, target);
  assert.deepEqual(r3.json, { opened: target });
  assert.deepEqual((await settle(record, 3)).sort(), [docs, path.join(target, src), target].sort(), 'the opener got exactly each folder, as its only argument');
});

test('paths the restore did not write, unknown or unfinished jobs, and non-restore jobs open nothing', async () => {
  fs.rmSync(record, { force: true });
  const target = path.join(work, 'restored-2');
  const jobId = await restore(target, [`${src}/docs`]);
  const refused: [string, string, number, RegExp][] = [
    [jobId, '/etc', 400, /is not a path restore .* wrote/],
    [jobId, path.join(target, src, 'b.txt'), 400, /is not a path restore/],
    [jobId, path.join(target, src, 'docs', '..', '..', '..'), 400, /is not a path restore/],
    [jobId, 'relative/docs', 400, /is not a path restore/],
    ['no-such-job', path.join(target, src, 'docs'), 404, /no restore no-such-job in this session/],
  ];
  for (const [id, p, status, message] of refused) {
    const r = await show(id, p);
    assert.equal(r.status, status, `${p}: ${r.text}`);
    assert.match(r.json.error.message, message);
  }
  // A backup job is not a restore, even though it read these paths.
  const plans = await request(s, 'GET', '/api/profiles');
  const backup = await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plans.json.plans[0].id } });
  await s.jobs.wait(backup.json.id);
  assert.equal((await show(backup.json.id, src)).status, 404);
  // Restored, then deleted: said plainly.
  fs.rmSync(path.join(target, src, 'docs'), { recursive: true });
  const gone = await show(jobId, path.join(target, src, 'docs'));
  assert.equal(gone.status, 404);
  assert.match(gone.json.error.message, /moved or deleted/);
  assert.deepEqual(await settle(record, 0), [], 'nothing was opened');
});

test('after a restore to the original place the restored item can be shown, the whole disk cannot', async () => {
  fs.rmSync(record, { force: true });
  const r = await request(s, 'POST', '/api/restores', { body: { repositoryId: repoId, snapshotId: 'latest', target: '/', include: [`${src}/b.txt`], overwrite: 'always' } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await s.jobs.wait(r.json.id)).state, 'succeeded');
  const root = await show(r.json.id, '/');
  assert.equal(root.status, 400);
  const item = await show(r.json.id, `${src}/b.txt`);
  assert.deepEqual(item.json, { opened: src });
  assert.deepEqual(await settle(record, 1), [src]);
  const bad = await request(s, 'POST', '/api/restores/show-in-folder', { body: { jobId: r.json.id } });
  assert.equal(bad.status, 400, 'the path is required');
});
