// Changing a saved storage credential later, through the HTTP API: a real `rclone serve restic`
// behind a login whose password is changed on the server after the repository was set up. The
// saved REST password stops working (the connection test says so); a mistyped new one is tested,
// refused and not saved (the old one stays); the right one is tested, saved to the secret store and
// used by the next backup. No response and no profile file ever contains it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startRcloneRest, type RestServer } from '../helpers/rclone-rest.ts';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { resticOk, tmpDir } from '../helpers/tools.ts';

const USER = 'bob';
const OLD = 'old-rest-password-4u2x';
const NEW = 'new-rest-password-after-rotation-9q1z';
const REPO_PASSWORD = 'repo password 456';
let s: TestServer;
let rest: RestServer | undefined;
let work: string;

before(async () => {
  process.env.CAIRN_RETRY_BASE_MS = '20';
  work = tmpDir('api-credentials');
  s = await startTestServer();
});
after(async () => {
  await s?.stop();
  await rest?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('a changed REST password is tested before it replaces the saved one, and a wrong one is not saved', async () => {
  const bodies: string[] = [];
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await request(s, method, p, { body });
    bodies.push(r.text);
    return r;
  };
  const dir = path.join(work, 'rest-repo');
  rest = await startRcloneRest(dir, { user: USER, password: OLD });
  const port = Number(new URL(rest.url).port);
  const location = rest.url.replace('http://', `rest:http://${USER}@`);
  const repo = ok(await call('POST', '/api/repositories', { name: 'NAS', location, password: REPO_PASSWORD, init: true, credentials: { restPassword: OLD } }));

  // The server's password is changed (same server, same address).
  await rest.stop();
  rest = await startRcloneRest(dir, { user: USER, password: NEW }, { port });
  const stale = ok(await call('POST', `/api/repositories/${repo.id}/test`));
  assert.deepEqual([stale.reachable, stale.authenticated], [true, false], 'the saved password is refused now');

  const typo = ok(await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: { restPassword: NEW.slice(1) } }));
  assert.equal(typo.saved, false);
  assert.equal(typo.report.authenticated, false);
  assert.match(typo.report.message, /refused access .*check the user name and password/);
  assert.equal(await s.api.secrets.store().get(`repo:${repo.id}:rest-password`), OLD, 'a refused credential leaves the saved one');

  const empty = await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: {} });
  assert.equal(empty.status, 400, 'nothing to change is refused');
  assert.match(empty.text, /give the new credential/);
  const stray = await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: { s3SecretAccessKey: NEW } });
  assert.equal(stray.status, 400, 'a secret this storage never uses is refused');
  assert.match(stray.text, /\(rest storage\) does not use s3SecretAccessKey: give restPassword/);
  const unknown = await call('POST', '/api/repositories/no-such-repo/credentials', { credentials: { restPassword: NEW } });
  assert.equal(unknown.status, 404);

  const right = ok(await call('POST', `/api/repositories/${repo.id}/credentials`, { credentials: { restPassword: NEW } }));
  assert.equal(right.saved, true, right.report.message);
  assert.equal(right.report.passwordAccepted, true, 'tested together with the saved repository password');
  assert.equal(await s.api.secrets.store().get(`repo:${repo.id}:rest-password`), NEW);
  assert.equal(ok(await call('POST', `/api/repositories/${repo.id}/test`)).authenticated, true);

  // The next job reaches the server with it.
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'after the password change\n');
  const plan = ok(await call('POST', '/api/plans', { name: 'P', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } }));
  const job = ok(await call('POST', '/api/jobs', { kind: 'backup', planId: plan.id }));
  const end = await s.jobs.wait(job.id);
  assert.equal(end.state, 'succeeded', end.error);
  assert.match(resticOk(dir, ['snapshots'], { password: REPO_PASSWORD }), /1 snapshots/);

  const profilesFile = fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8');
  for (const secret of [OLD, NEW]) {
    assert.ok(!profilesFile.includes(secret), 'no REST password in the profiles file');
    for (const b of bodies) assert.ok(!b.includes(secret), 'no response shows a REST password');
  }
});
