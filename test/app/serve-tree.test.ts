// Browsing a folder with 100k entries through the API: the folder is really backed up by the
// engine (through POST /api/jobs), then listed page by page over HTTP. Pages come in name order,
// each cursor continues exactly where the last page ended, and a later page needs no rescan.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

const COUNT = 100_000;
const name = (i: number) => `f${String(i).padStart(6, '0')}`;

let s: TestServer;
let big: string;
let repoId: string;

before(async () => {
  s = await startTestServer();
  const src = tmpDir('serve-big');
  big = path.join(src, 'big');
  fs.mkdirSync(big);
  // Written in a shuffled order, so name order in the answers is the API's doing, not the disk's.
  const order = Array.from({ length: COUNT }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) fs.writeFileSync(path.join(big, name(i)), '');
  fs.writeFileSync(path.join(big, name(42)), 'forty-two');
  const repo = await request(s, 'POST', '/api/repositories', { body: { name: 'Big', location: path.join(tmpDir('serve-big-repo'), 'repo'), password: 'big-secret', init: true } });
  assert.equal(repo.status, 200, repo.text);
  repoId = repo.json.id;
  const plan = await request(s, 'POST', '/api/plans', { body: { name: 'Big', repositoryId: repoId, sources: [src], schedule: { kind: 'manual' } } });
  const job = await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.json.id } });
  const end = await s.jobs.wait(job.json.id);
  assert.equal(end.state, 'succeeded', end.error);
});

after(async () => {
  await s.stop();
});

const page = (q: string) => request(s, 'GET', `/api/repositories/${repoId}/snapshots/latest/tree?path=${encodeURIComponent(big)}&${q}`);

test('a 100k-entry folder comes in pages, in name order, with a cursor for the next page', async () => {
  const first = await page('limit=500');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.total, COUNT);
  assert.equal(first.json.entries.length, 500);
  assert.deepEqual(first.json.entries.map((e: any) => e.name), Array.from({ length: 500 }, (_, i) => name(i)));
  assert.equal(first.json.entries[42].size, 9);
  assert.equal(first.json.entries[42].path, `${big}/${name(42)}`);
  assert.equal(typeof first.json.nextCursor, 'string');

  // Follow cursors a few pages, then jump far with a later page's cursor.
  let cursor = first.json.nextCursor;
  let expected = 500;
  for (let n = 0; n < 3; n++) {
    const p = await page(`limit=1000&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.entries[0].name, name(expected), 'continues exactly after the previous page');
    assert.equal(p.json.entries.length, 1000);
    expected += 1000;
    cursor = p.json.nextCursor;
  }
  const cursorShape = /^(\d+)\.([0-9a-f]{16})$/.exec(cursor)!;
  const late = await page(`limit=1000&cursor=${COUNT - 700}.${cursorShape[2]}`);
  assert.equal(late.status, 200, late.text);
  assert.deepEqual(late.json.entries.map((e: any) => e.name), Array.from({ length: 700 }, (_, i) => name(COUNT - 700 + i)));
  assert.equal(late.json.nextCursor, null, 'the last page has no next cursor');
});

test('a cursor from another folder is refused, not misread', async () => {
  const first = await page('limit=10');
  const parent = await request(s, 'GET', `/api/repositories/${repoId}/snapshots/latest/tree?path=${encodeURIComponent(path.dirname(big))}&cursor=${encodeURIComponent(first.json.nextCursor)}`);
  assert.equal(parent.status, 400);
  assert.match(parent.json.error.message, /cursor/);
});

test('one entry of the big folder is found by path without listing it', async () => {
  const v = await request(s, 'GET', `/api/repositories/${repoId}/versions?path=${encodeURIComponent(`${big}/${name(99_999)}`)}`);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.versions.length, 1);
  assert.equal(v.json.versions[0].size, 0);
});

test('an offset starts a page anywhere in the folder, so a jump to its end is one request', async () => {
  const last = await page(`limit=500&offset=${COUNT - 500}`);
  assert.equal(last.status, 200, last.text);
  assert.deepEqual(last.json.entries.map((e: any) => e.name), Array.from({ length: 500 }, (_, i) => name(COUNT - 500 + i)));
  assert.equal(last.json.nextCursor, null);
  const past = await page(`limit=10&offset=${COUNT + 5}`);
  assert.equal(past.status, 200);
  assert.deepEqual(past.json.entries, [], 'past the end: an empty page, not an error');
  const first = await page('limit=10');
  const both = await page(`limit=10&offset=20&cursor=${encodeURIComponent(first.json.nextCursor)}`);
  assert.equal(both.status, 400);
  assert.match(both.json.error.message, /cursor or an offset, not both/);
});
