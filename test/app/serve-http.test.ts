// `cairn serve`'s HTTP side, over real HTTP against a server started in-process on an ephemeral
// port, with real profiles, secrets (the password file), the engine, and an engine-backed job
// service: the gates (token, Host, origin, JSON), the profiles round trip without leaking a
// password, browsing, the retention preview against restic, restores that try to escape, SSE.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend, Repository } from '../../src-worker/index.ts';
import { NOT_BUILT_TEXT } from '../../src-main/serve/index.ts';
import { ok, collectEvents, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { restic, tmpDir } from '../helpers/tools.ts';

const PASSWORD = 'correct horse battery staple 7f3e';

describe('cairn serve over HTTP', () => {
  let s: TestServer;
  const seen: string[] = [];
  /** Every response body, so the password can be searched for in all of them at the end. */
  const call = async (method: string, p: string, opts: Parameters<typeof request>[3] = {}) => {
    const r = await request(s, method, p, opts);
    seen.push(r.text);
    return r;
  };

  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  test('the URL carries a fresh 32-byte token and the loopback address', () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    assert.equal(s.url.split('token=')[1], s.token);
  });

  test('no token or a wrong one is 401, for every API route', async () => {
    for (const [m, p] of [['GET', '/api/profiles'], ['POST', '/api/jobs'], ['GET', '/api/events'], ['GET', '/api/nothing-here']]) {
      const none = await call(m, p, { token: null });
      assert.equal(none.status, 401, `${m} ${p}`);
      assert.equal(none.headers['www-authenticate'], 'Bearer');
      assert.equal(none.json.error.code, 'UNAUTHORIZED');
      const wrong = await call(m, p, { token: s.token.slice(0, -1) + (s.token.endsWith('A') ? 'B' : 'A') });
      assert.equal(wrong.status, 401, `${m} ${p} with a wrong token`);
    }
  });

  test('a Host header that is not the listen address is 403 (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${s.port}`, `127.0.0.1:${s.port + 1}`, `127.0.0.2:${s.port}`]) {
      const r = await call('GET', '/api/profiles', { headers: { host } });
      assert.equal(r.status, 403, host);
      assert.equal(r.json.error.code, 'FORBIDDEN_HOST');
    }
    assert.equal((await call('GET', '/api/profiles', { headers: { host: `localhost:${s.port}` } })).status, 200);
  });

  test('a cross-origin write is 403; the same origin and no origin pass the gate', async () => {
    const body = { name: 'x', location: '/nonexistent/x' };
    const cross = await call('POST', '/api/repositories', { body, headers: { origin: 'http://evil.example' } });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.error.code, 'FORBIDDEN_ORIGIN');
    const site = await call('POST', '/api/repositories', { body, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(site.status, 403);
    assert.equal(ok(await call('GET', '/api/profiles')).repositories.length, 0, 'nothing was created by the refused writes');
    const same = await call('DELETE', '/api/plans/nope', { headers: { origin: `http://127.0.0.1:${s.port}` } });
    assert.equal(same.status, 404, 'the same origin reaches the operation (which says the plan does not exist)');
  });

  test('malformed JSON is 400, a schema violation is 400 naming the field, an unknown route 404', async () => {
    const bad = await call('POST', '/api/repositories', { body: '{"name": "x", ' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'BAD_JSON');
    const arr = await call('POST', '/api/repositories', { body: '[1,2]' });
    assert.equal(arr.status, 400);
    const schema = await call('POST', '/api/repositories', { body: { name: 'x', location: 7 } });
    assert.equal(schema.status, 400);
    assert.equal(schema.json.error.code, 'INVALID_ARGUMENT');
    assert.match(schema.json.error.message, /^repositories\.create: location: /);
    assert.doesNotMatch(schema.json.error.message, /\n/);
    const extra = await call('POST', '/api/repositories', { body: { name: 'x', location: '/x', pasword: 'typo' } });
    assert.equal(extra.status, 400, 'unknown fields are refused, not ignored');
    const limit = await call('GET', '/api/repositories/r1/snapshots/latest/tree?limit=0');
    assert.equal(limit.status, 400);
    assert.match(limit.json.error.message, /limit/);
    const unknown = await call('GET', '/api/no/such/thing');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'NO_ROUTE');
    const method = await call('PUT', '/api/profiles', { body: {} });
    assert.equal(method.status, 405);
    const form = await call('POST', '/api/repositories', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const big = await call('POST', '/api/repositories', { body: JSON.stringify({ name: 'x'.repeat(2 << 20) }) });
    assert.equal(big.status, 413);
  });

  let repoDir: string;
  let srcDir: string;
  let repoId: string;
  let planId: string;

  test('profiles CRUD round trip: through HTTP and on disk, and the password never comes back', async () => {
    repoDir = path.join(tmpDir('serve-repo'), 'repo');
    srcDir = tmpDir('serve-src');
    fs.mkdirSync(path.join(srcDir, 'docs'));
    fs.writeFileSync(path.join(srcDir, 'docs', 'a.txt'), 'version one\n');
    fs.writeFileSync(path.join(srcDir, 'b.txt'), 'bee\n');

    const created = ok(await call('POST', '/api/repositories', { body: { name: 'USB disk', location: repoDir, password: PASSWORD, init: true } }));
    repoId = created.id;
    assert.equal(created.hasPassword, true);
    assert.equal(created.location, repoDir);
    assert.ok(fs.existsSync(path.join(repoDir, 'config')), 'the repository was created at its location');

    const opened = ok(await call('POST', `/api/repositories/${repoId}/open`));
    assert.equal(opened.version, 2);
    assert.equal(opened.snapshots, 0);
    const tested = ok(await call('POST', `/api/repositories/${repoId}/test`));
    assert.deepEqual([tested.repository, tested.passwordAccepted], ['exists', true]);

    const plan = ok(await call('POST', '/api/plans', { body: { name: 'Documents', repositoryId: repoId, sources: [srcDir], schedule: { kind: 'manual' }, retention: { keepLast: 3 } } }));
    planId = plan.id;
    const renamed = ok(await call('PATCH', `/api/plans/${planId}`, { body: { name: 'My documents' } }));
    assert.equal(renamed.name, 'My documents');
    const repoRenamed = ok(await call('PATCH', `/api/repositories/${repoId}`, { body: { name: 'USB disk 2' } }));
    assert.equal(repoRenamed.name, 'USB disk 2');

    const profiles = ok(await call('GET', '/api/profiles'));
    assert.deepEqual(profiles.repositories.map((r: any) => [r.id, r.name, r.hasPassword]), [[repoId, 'USB disk 2', true]]);
    assert.deepEqual(profiles.plans.map((p: any) => [p.id, p.name, p.repositoryId]), [[planId, 'My documents', repoId]]);
    const onDisk = fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8');
    assert.equal(JSON.parse(onDisk).plans[0].name, 'My documents');
    assert.ok(!onDisk.includes(PASSWORD), 'no password in profiles.json');

    // A repository in use cannot go; a spare one can, with its secret.
    const inUse = await call('DELETE', `/api/repositories/${repoId}`);
    assert.equal(inUse.status, 409);
    const spare = ok(await call('POST', '/api/repositories', { body: { name: 'Spare', location: path.join(repoDir, '..', 'spare'), password: 'spare-secret-123' } }));
    assert.ok(fs.readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8').includes(`repo:${spare.id}:password`));
    ok(await call('DELETE', `/api/repositories/${spare.id}`));
    assert.ok(!fs.readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8').includes(spare.id), 'its secret went with it');
    assert.equal(ok(await call('GET', '/api/profiles')).repositories.length, 1);
  });

  test('SSE delivers the job events of a backup started with POST /api/jobs', async () => {
    let jobId = '';
    const events = collectEvents(s, (type, data) => type === 'job-finished' && data.job.id === jobId);
    await events.ready;
    const job = ok(await call('POST', '/api/jobs', { body: { kind: 'backup', planId } }));
    jobId = job.id;
    assert.equal(job.request.kind, 'backup');
    const seenEvents = (await events.done).filter((e) => (e.data.job?.id ?? e.data.jobId) === jobId);
    const types = seenEvents.map((e) => e.type);
    assert.equal(types[0], 'job-queued');
    assert.ok(types.includes('job-started'));
    assert.ok(types.indexOf('job-started') < types.indexOf('job-finished'));
    const finished = seenEvents.at(-1)!.data.job;
    assert.equal(finished.state, 'succeeded', finished.error);
    assert.equal(finished.snapshotIds.length, 1);
    const history = ok(await call('GET', `/api/history?planId=${planId}`));
    assert.deepEqual(history.jobs.map((j: any) => j.id), [jobId]);
    assert.ok(ok(await call('GET', `/api/jobs/${jobId}/log`)).lines.length > 0);
  });

  let first: string;
  let second: string;

  test('snapshots list, diff and file versions on the real repository', async () => {
    fs.writeFileSync(path.join(srcDir, 'docs', 'a.txt'), 'version two, longer\n');
    fs.writeFileSync(path.join(srcDir, 'c.txt'), 'new\n');
    const job = ok(await call('POST', '/api/jobs', { body: { kind: 'backup', planId } }));
    assert.equal((await s.jobs.wait(job.id)).state, 'succeeded');
    // A third backup with nothing changed: a version of a.txt whose content did not change.
    const job3 = ok(await call('POST', '/api/jobs', { body: { kind: 'backup', planId } }));
    assert.equal((await s.jobs.wait(job3.id)).state, 'succeeded');

    const { snapshots } = ok(await call('GET', `/api/repositories/${repoId}/snapshots`));
    assert.equal(snapshots.length, 3);
    [first, second] = snapshots.map((x: any) => x.id);
    assert.deepEqual(snapshots[0].paths, [srcDir]);
    assert.equal(typeof snapshots[0].size, 'number', 'the size is known from the job history');
    assert.equal(snapshots[0].shortId, first.slice(0, 8));

    const d = ok(await call('GET', `/api/repositories/${repoId}/diff?from=${first.slice(0, 10)}&to=${second}`));
    const changes = Object.fromEntries(d.changes.map((c: any) => [c.path, c.modifier]));
    assert.equal(changes[`${srcDir}/docs/a.txt`], 'M');
    assert.equal(changes[`${srcDir}/c.txt`], '+');
    assert.equal(changes[`${srcDir}/b.txt`], undefined);
    assert.equal(d.truncated, false);
    assert.equal(d.changedFiles, 1);

    const v = ok(await call('GET', `/api/repositories/${repoId}/versions?path=${encodeURIComponent(srcDir + '/docs/a.txt')}`));
    assert.deepEqual(v.versions.map((x: any) => [x.size, x.changed]), [[12, true], [20, true], [20, false]]);
    const c = ok(await call('GET', `/api/repositories/${repoId}/versions?path=${encodeURIComponent(srcDir + '/c.txt')}`));
    assert.equal(c.versions.length, 2, 'c.txt exists from the second snapshot on');

    const found = ok(await call('GET', `/api/repositories/${repoId}/search?pattern=*.txt&limit=2`));
    assert.equal(found.hits.length, 2);
    assert.equal(found.truncated, true);
    const all = ok(await call('GET', `/api/repositories/${repoId}/search?pattern=A.TXT&ignoreCase=true`));
    assert.equal(all.hits.length, 3, 'a.txt in each of the three snapshots');
    assert.equal(all.truncated, false);

    const root = ok(await call('GET', `/api/repositories/${repoId}/snapshots/latest/tree?path=${encodeURIComponent(srcDir)}`));
    assert.deepEqual(root.entries.map((e: any) => [e.name, e.type]), [['b.txt', 'file'], ['c.txt', 'file'], ['docs', 'dir']]);
    const missing = await call('GET', `/api/repositories/${repoId}/snapshots/latest/tree?path=${encodeURIComponent(srcDir + '/nope')}`);
    assert.equal(missing.status, 404);
  });

  test('a restore through the API writes the target; targets and includes that try to escape are refused', async () => {
    const base = tmpDir('serve-restore');
    const target = path.join(base, 'target');
    const restored = ok(await call('POST', '/api/restores', { body: { repositoryId: repoId, snapshotId: second, target, include: [`${srcDir}/docs`] } }));
    assert.equal((await s.jobs.wait(restored.id)).state, 'succeeded');
    assert.equal(fs.readFileSync(path.join(target, srcDir, 'docs', 'a.txt'), 'utf8'), 'version two, longer\n');
    assert.ok(!fs.existsSync(path.join(target, srcDir, 'b.txt')), 'only the include was restored');

    const before = fs.readdirSync(base);
    for (const body of [
      { repositoryId: repoId, snapshotId: second, target: '../x' },
      { repositoryId: repoId, snapshotId: second, target: 'relative/dir' },
      { repositoryId: repoId, snapshotId: second, target: `${base}/target/../../escaped` },
      { repositoryId: repoId, snapshotId: second, target, include: ['/../../etc'] },
      { repositoryId: repoId, snapshotId: second, target, include: ['relative'] },
      { repositoryId: '../x', snapshotId: second, target },
    ]) {
      const r = await call('POST', '/api/restores', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      const r2 = await call('POST', '/api/jobs', { body: { kind: 'restore', ...body } });
      assert.equal(r2.status, 400, `jobs.start ${JSON.stringify(body)}`);
    }
    assert.deepEqual(fs.readdirSync(base), before, 'nothing new beside the target');
    assert.equal(ok(await call('GET', '/api/jobs')).jobs.length, 0, 'no job was started');
  });

  test('a restore of a hostile snapshot (a name with "..") fails and writes nothing outside the target', async () => {
    // Written by hand, as a hostile tool would: a tree whose entry is named "../escaped".
    const repo = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    await repo.loadIndex();
    const data = await repo.saveBlob('data', Buffer.from('gotcha\n'));
    const t = '2024-01-01T00:00:00Z';
    const node = { name: '../escaped', type: 'file', mode: 420, mtime: t, atime: t, ctime: t, uid: 0, gid: 0, size: 7, content: [data.id] };
    const tree = await repo.saveBlob('tree', Buffer.from(JSON.stringify({ nodes: [node] }) + '\n'));
    await repo.flush();
    const hostile = await repo.saveSnapshot({ time: '2024-01-01T00:00:00Z', tree: tree.id, paths: ['/hostile'], hostname: 'evil' });
    await repo.backend.close();

    const base = tmpDir('serve-hostile');
    const target = path.join(base, 'target');
    fs.mkdirSync(target);
    const job = ok(await call('POST', '/api/restores', { body: { repositoryId: repoId, snapshotId: hostile, target } }));
    const end = await s.jobs.wait(job.id);
    assert.equal(end.state, 'failed');
    assert.equal(end.errorCode, 'UNSAFE_PATH');
    assert.deepEqual(fs.readdirSync(base), ['target']);
    assert.ok(!fs.existsSync(path.join(base, 'escaped')));
    const history = ok(await call('GET', `/api/history?repositoryId=${repoId}`));
    assert.ok(history.jobs.some((j: any) => j.id === job.id && j.errorCode === 'UNSAFE_PATH'));
    // Leave the repository as the later tests expect it: without the hostile snapshot.
    fs.rmSync(path.join(repoDir, 'snapshots', hostile));
  });

  test('repository health reports the last check and copy from the history and the 3-2-1 problems', async () => {
    const h = ok(await call('GET', `/api/repositories/${repoId}/health`));
    assert.equal(h.lastBackup.state, 'succeeded');
    const successes = Object.values(h.lastSuccessByPlan) as number[];
    assert.ok(successes.length >= 1 && successes.every((t) => t === h.lastBackup.finishedAt || t < h.lastBackup.finishedAt), 'each plan\'s last success is known');
    assert.equal(h.lastCheck, null);
    assert.equal(h.lastCopy, null);
    assert.equal(h.copies, 1);
    assert.equal(h.offsite, false);
    assert.equal(h.rule321.ok, false);
    assert.equal(h.rule321.problems.length, 3);
  });

  test('the retention preview keeps and removes what restic forget --dry-run does, with its reasons', async () => {
    const dir = tmpDir('serve-forget');
    const rrepo = path.join(dir, 'repo');
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'f'), 'x');
    assert.equal(restic(rrepo, ['init'], { password: 'restic-pw' }).code, 0);
    const times = ['2024-01-01 10:00:00', '2024-01-01 18:00:00', '2024-01-02 09:00:00', '2024-01-05 09:00:00', '2024-01-09 09:00:00', '2024-01-20 09:00:00', '2024-02-03 09:00:00'];
    for (const t of times) {
      // This computer's host name: a plan's retention touches only this computer's snapshots.
      const r = restic(rrepo, ['backup', '--time', t, src], { password: 'restic-pw' });
      assert.equal(r.code, 0, r.stderr);
    }
    const repo = ok(await call('POST', '/api/repositories', { body: { name: 'restic-made', location: rrepo, password: 'restic-pw' } }));
    const plan = ok(await call('POST', '/api/plans', { body: { name: 'P', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' }, retention: { keepDaily: 2, keepWeekly: 2 } } }));

    const check = (preview: any, args: string[]) => {
      const r = restic(rrepo, ['forget', '--dry-run', '--json', ...args], { password: 'restic-pw' });
      assert.equal(r.code, 0, r.stderr);
      const groups = JSON.parse(r.stdout);
      assert.equal(preview.groups.length, groups.length);
      const ids = (list: any[]) => list.map((x: any) => x.id).sort();
      assert.deepEqual(ids(preview.groups[0].keep), ids(groups[0].keep), `keep ${args.join(' ')}`);
      assert.deepEqual(ids(preview.groups[0].remove ?? []), ids(groups[0].remove ?? []), `remove ${args.join(' ')}`);
      // restic 0.14's reasons name the snapshot without its id: they are matched by time (all differ).
      const ours = Object.fromEntries(preview.groups[0].keep.map((k: any) => [k.time, k.reasons]));
      assert.equal(groups[0].reasons.length, preview.groups[0].keep.length);
      for (const r of groups[0].reasons) assert.deepEqual(ours[r.snapshot.time], r.matches, `reasons of the snapshot at ${r.snapshot.time}`);
    };

    const saved = ok(await call('POST', `/api/plans/${plan.id}/retention-preview`));
    assert.equal(saved.policyEmpty, false);
    assert.ok(saved.removed.length > 0, 'the policy removes some of the seven');
    check(saved, ['--keep-daily', '2', '--keep-weekly', '2']);
    const edited = ok(await call('POST', `/api/plans/${plan.id}/retention-preview`, { body: { retention: { keepLast: 1, keepMonthly: 3 } } }));
    check(edited, ['--keep-last', '1', '--keep-monthly', '3']);
    // Another computer's snapshots in the same repository are not the plan's to remove.
    assert.equal(restic(rrepo, ['backup', '--host', 'elsewhere', '--time', '2024-01-01 11:00:00', src], { password: 'restic-pw' }).code, 0);
    const withOther = ok(await call('POST', `/api/plans/${plan.id}/retention-preview`));
    assert.deepEqual(withOther.removed, saved.removed, 'the other host\'s snapshot is neither kept nor removed');
    assert.equal(withOther.groups.length, 1);
    assert.equal(restic(rrepo, ['snapshots', '--json'], { password: 'restic-pw' }).stdout.match(/"id"/g)?.length, 8, 'nothing was deleted');
  });

  test('the UI: a token link sets an HttpOnly SameSite=Strict cookie that then opens the API; without a built UI a page says so', async () => {
    const page = await call('GET', '/', { token: null });
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(NOT_BUILT_TEXT));
    const wrongLink = await call('GET', '/?token=nope', { token: null });
    assert.equal(wrongLink.status, 401);
    const link = await call('GET', `/?token=${s.token}`, { token: null });
    assert.equal(link.status, 303);
    assert.equal(link.headers.location, '/');
    const cookie = String(link.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^cairn_token_${s.port}=${s.token}; HttpOnly; SameSite=Strict; Path=/$`));
    const viaCookie = await call('GET', '/api/profiles', { token: null, headers: { cookie: cookie.split(';')[0] } });
    assert.equal(viaCookie.status, 200);
    const crossWithCookie = await call('POST', '/api/plans', { token: null, headers: { cookie: cookie.split(';')[0], origin: 'http://evil.example' }, body: {} });
    assert.equal(crossWithCookie.status, 403);
  });

  test('no response ever carried a password', () => {
    assert.ok(seen.length > 40);
    for (const text of seen) {
      assert.ok(!text.includes(PASSWORD), 'a response contained the repository password');
      assert.ok(!text.includes('restic-pw') && !text.includes('spare-secret-123'));
    }
  });
});

describe('cairn serve static files', () => {
  test('serves the built UI, falls back to index.html for app routes, and never outside its folder', async () => {
    const base = tmpDir('serve-ui');
    const ui = path.join(base, 'ui');
    fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Cairn UI</title>');
    fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(base, 'secret.txt'), 'outside');
    fs.symlinkSync(path.join(base, 'secret.txt'), path.join(ui, 'link.txt'));
    const s = await startTestServer({ uiDir: ui });
    try {
      const js = await request(s, 'GET', '/assets/app.js', { token: null });
      assert.equal(js.status, 200);
      assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(js.text, 'console.log(1)');
      assert.match((await request(s, 'GET', '/snapshots/abc', { token: null })).text, /Cairn UI/);
      for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/link.txt', '/assets/missing.js']) {
        const r = await request(s, 'GET', p, { token: null });
        assert.ok(!r.text.includes('outside'), p);
        assert.ok(r.status === 404 || (r.status === 200 && r.text.includes('Cairn UI')), `${p}: ${r.status}`);
      }
      assert.equal((await request(s, 'GET', '/link.txt', { token: null })).status, 404);
      assert.equal((await request(s, 'GET', '/assets/x.js', { token: null, headers: { host: 'evil.example' } })).status, 403);
    } finally {
      await s.stop();
    }
  });
});
