// Comparing two versions of a file through the API (files.compare), on a repository the CLI
// really backed up three times: a text file's edit comes back as hunks, the same content as
// identical, a file that appeared compares with nothing (all added), and binary, oversized and
// non-file paths say why there is no line diff instead of sending bytes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_BYTES } from '../../src-main/api/handlers/file-compare.ts';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { cairnOk, tmpDir } from '../helpers/tools.ts';

const PASSWORD = 'compare versions 3k1x';
let s: TestServer;
let repoId: string;
let data: string;
let ids: string[];

before(async () => {
  s = await startTestServer();
  const work = tmpDir('serve-compare');
  data = path.join(work, 'data');
  const repo = path.join(work, 'repo');
  fs.mkdirSync(data);
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
  fs.writeFileSync(path.join(data, 'notes.txt'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(data, 'photo.bin'), Buffer.from([1, 0, 2, 0, 3]));
  fs.writeFileSync(path.join(data, 'big.txt'), 'x'.repeat(MAX_BYTES + 1));
  cairnOk(['-r', repo, 'init'], { password: PASSWORD });
  cairnOk(['-r', repo, 'backup', data], { password: PASSWORD });
  lines[24] = 'line 25, edited';
  lines.push('line 51, new');
  fs.writeFileSync(path.join(data, 'notes.txt'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(data, 'photo.bin'), Buffer.from([1, 0, 2, 0, 4]));
  fs.writeFileSync(path.join(data, 'big.txt'), 'y'.repeat(MAX_BYTES + 1));
  fs.writeFileSync(path.join(data, 'later.txt'), 'born in the second backup\n');
  cairnOk(['-r', repo, 'backup', data], { password: PASSWORD });
  cairnOk(['-r', repo, 'backup', data], { password: PASSWORD });
  const r = await request(s, 'POST', '/api/repositories', { body: { name: 'Versions', location: repo, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  repoId = r.json.id;
  ids = (await request(s, 'GET', `/api/repositories/${repoId}/snapshots`)).json.snapshots.map((x: { id: string }) => x.id);
  assert.equal(ids.length, 3);
});

after(() => s.stop());

const compare = (file: string, from: string, to: string) =>
  request(s, 'GET', `/api/repositories/${repoId}/compare?path=${encodeURIComponent(path.join(data, file))}&from=${from}&to=${to}`);

test('an edited text file comes back as hunks with the changed and added lines', async () => {
  const r = await compare('notes.txt', ids[0]!, ids[1]!);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.identical, false);
  assert.equal(r.json.noText, null);
  assert.equal(r.json.from.snapshotId, ids[0]);
  assert.equal(r.json.to.snapshotId, ids[1]);
  assert.deepEqual([r.json.lines.added, r.json.lines.removed], [2, 1]);
  const changed = r.json.lines.hunks.flatMap((h: { lines: { op: string; text: string }[] }) => h.lines.filter((l) => l.op !== ' ').map((l) => l.op + l.text));
  assert.deepEqual(changed, ['-line 25', '+line 25, edited', '+line 51, new']);
});

test('the same content in both snapshots is identical, with no diff', async () => {
  const r = await compare('notes.txt', ids[1]!, ids[2]!);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.identical, true);
  assert.equal(r.json.lines, null);
});

test('a file the older snapshot lacks compares with nothing: every line added', async () => {
  const r = await compare('later.txt', ids[0]!, ids[1]!);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.from, null);
  assert.deepEqual(r.json.lines.hunks[0].lines, [{ op: '+', text: 'born in the second backup' }]);
});

test('binary, too large and folders say why there is no line diff', async () => {
  assert.equal((await compare('photo.bin', ids[0]!, ids[1]!)).json.noText, 'binary');
  assert.equal((await compare('big.txt', ids[0]!, ids[1]!)).json.noText, 'too-large');
  const dir = await request(s, 'GET', `/api/repositories/${repoId}/compare?path=${encodeURIComponent(path.dirname(data))}&from=${ids[0]}&to=${ids[1]}`);
  assert.equal(dir.status, 200, dir.text);
  assert.equal(dir.json.noText, 'not-a-file');
  const missing = await compare('nowhere.txt', ids[0]!, ids[1]!);
  assert.equal(missing.status, 404, missing.text);
  assert.match(missing.json.error.message, /is in neither snapshot/);
});
