// The operations the set-up wizard asks before anything is saved, over real HTTP: where passwords
// would go, the exclude presets with this computer's patterns, a folder's size after excludes,
// cron validation with the next run times, and the folder picker's listing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

describe('the wizard\'s operations', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.stop(); });

  test('app.info tells where passwords go and lists every exclude preset with its patterns', async () => {
    const r = await request(s, 'GET', '/api/app');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.secrets.state, 'file');
    assert.equal(r.json.home, os.homedir());
    const ids = r.json.excludePresets.map((p: { id: string }) => p.id);
    assert.deepEqual(ids, ['caches', 'trash', 'node_modules', 'build-output', 'vm-images']);
    const nm = r.json.excludePresets.find((p: { id: string }) => p.id === 'node_modules');
    assert.ok(nm.patterns.includes('**/node_modules'));
  });

  test('sources.estimate counts files and bytes, leaves out excluded ones, and names a missing folder', async () => {
    const dir = tmpDir('estimate');
    fs.writeFileSync(path.join(dir, 'a.txt'), Buffer.alloc(1000));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'b.bin'), Buffer.alloc(2500));
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'big.js'), Buffer.alloc(9000));

    const all = await request(s, 'POST', '/api/sources/estimate', { body: { paths: [dir] } });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json, { files: 3, bytes: 12500, truncated: false, problems: [] });

    const excluded = await request(s, 'POST', '/api/sources/estimate', { body: { paths: [dir], excludePresets: ['node_modules'], excludes: ['*.txt'] } });
    assert.deepEqual(excluded.json, { files: 1, bytes: 2500, truncated: false, problems: [] });

    const missing = await request(s, 'POST', '/api/sources/estimate', { body: { paths: [path.join(dir, 'nope')] } });
    assert.equal(missing.json.problems[0].message, 'this folder does not exist');
  });

  test('sources.estimate refuses a relative path with a message naming the field', async () => {
    const r = await request(s, 'POST', '/api/sources/estimate', { body: { paths: ['relative/dir'] } });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /absolute/);
  });

  test('schedules.checkCron gives the next runs of a valid expression and the problem of a bad one', async () => {
    const good = await request(s, 'POST', '/api/cron-check', { body: { expression: '30 2 * * *' } });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.json.problem, null);
    assert.equal(good.json.nextRuns.length, 3);
    for (const t of good.json.nextRuns) {
      const d = new Date(t);
      assert.deepEqual([d.getHours(), d.getMinutes()], [2, 30]);
    }
    const bad = await request(s, 'POST', '/api/cron-check', { body: { expression: '61 * * * *' } });
    assert.match(bad.json.problem, /^not a valid cron expression/);
    assert.deepEqual(bad.json.nextRuns, []);
  });

  test('folders.list shows a folder\'s subfolders (not its files; hidden ones last; links to folders too) and its parent', async () => {
    const dir = tmpDir('picker');
    for (const d of ['Photos', '.config', 'docs 10', 'docs 9']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'file.txt'), 'not a folder');
    fs.symlinkSync(path.join(dir, 'Photos'), path.join(dir, 'photo-link'));
    fs.symlinkSync(path.join(dir, 'file.txt'), path.join(dir, 'file-link'));
    const r = await request(s, 'GET', `/api/folders?path=${encodeURIComponent(dir + '/')}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { path: dir, parent: path.dirname(dir), folders: ['docs 9', 'docs 10', 'photo-link', 'Photos', '.config'], more: 0 });
    const home = await request(s, 'GET', '/api/folders');
    assert.equal(home.json.path, os.homedir(), 'without a path it starts at home');
    assert.equal((await request(s, 'GET', '/api/folders?path=/')).json.parent, null, 'the top has no parent');
  });

  test('folders.list says plainly when a folder is missing, is a file, or the path is not absolute', async () => {
    const dir = tmpDir('picker-errors');
    fs.writeFileSync(path.join(dir, 'file.txt'), 'x');
    const missing = await request(s, 'GET', `/api/folders?path=${encodeURIComponent(path.join(dir, 'gone'))}`);
    assert.equal(missing.status, 404);
    assert.match(missing.json.error.message, /^there is no folder .*gone: check the path/);
    const file = await request(s, 'GET', `/api/folders?path=${encodeURIComponent(path.join(dir, 'file.txt'))}`);
    assert.match(file.json.error.message, /is a file, not a folder/);
    const relative = await request(s, 'GET', '/api/folders?path=docs');
    assert.equal(relative.status, 400);
    assert.doesNotMatch(missing.text + file.text + relative.text, /\bat .*\.(ts|js):\d+/, 'no stack trace');
  });
});
