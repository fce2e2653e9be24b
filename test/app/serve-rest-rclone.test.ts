// REST and rclone storage through the API, as the wizard uses them: a real `rclone serve restic`
// behind a login on loopback. The REST password is handed in as a credential: the connection
// test tells a refused login from a missing repository, the password goes to the secret store
// (never the profiles file, never a response), and jobs reach the server with it. A missing
// rclone remote and an unreachable REST server come back as reports, not failures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startRcloneRest, type RestServer } from '../helpers/rclone-rest.ts';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { freePort, resticOk, tmpDir } from '../helpers/tools.ts';

const USER = 'alice';
const REST_PASSWORD = 'rest-password-that-stays-in-the-store-7f3k';
let s: TestServer;
let rest: RestServer;
let work: string;
let src: string;

before(async () => {
  process.env.CAIRN_RETRY_BASE_MS = '20';
  work = tmpDir('api-rest');
  rest = await startRcloneRest(path.join(work, 'rest-repo'), { user: USER, password: REST_PASSWORD });
  s = await startTestServer();
  src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'over REST\n');
});
after(async () => {
  await s?.stop();
  await rest?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('a REST password given to the API is checked by the connection test, stored as a secret and used by jobs, and never shown', async () => {
  const bodies: string[] = [];
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await request(s, method, p, { body });
    bodies.push(r.text);
    return r;
  };
  const location = rest.url.replace('http://', `rest:http://${USER}@`);

  const noPassword = ok(await call('POST', '/api/connection-test', { location }));
  assert.deepEqual([noPassword.reachable, noPassword.authenticated], [true, false], 'no password: the server refuses, and says so');
  assert.match(noPassword.message, /refused access .*HTTP 401.*check the user name and password/);
  const wrong = ok(await call('POST', '/api/connection-test', { location, credentials: { restPassword: 'not it' } }));
  assert.equal(wrong.authenticated, false);
  const right = ok(await call('POST', '/api/connection-test', { location, credentials: { restPassword: REST_PASSWORD } }));
  assert.deepEqual([right.reachable, right.authenticated, right.repository], [true, true, 'missing'], right.message);

  const refused = await call('POST', '/api/repositories', { name: 'In URL', location: location.replace(`${USER}@`, `${USER}:${REST_PASSWORD}@`), password: 'repo password 123' });
  assert.equal(refused.status, 400, 'a password inside the URL is refused before anything is stored');

  const repo = ok(await call('POST', '/api/repositories', {
    name: 'NAS', location, password: 'repo password 123', init: true, credentials: { restPassword: REST_PASSWORD },
  }));
  const plan = ok(await call('POST', '/api/plans', { name: 'P', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } }));
  const job = ok(await call('POST', '/api/jobs', { kind: 'backup', planId: plan.id }));
  const end = await s.jobs.wait(job.id);
  assert.equal(end.state, 'succeeded', end.error);
  assert.equal(ok(await call('GET', `/api/repositories/${repo.id}/snapshots`)).snapshots.length, 1);
  assert.match(resticOk(path.join(work, 'rest-repo'), ['snapshots'], { password: 'repo password 123' }), /1 snapshots/, 'restic reads what landed on the server');
  const tested = ok(await call('POST', `/api/repositories/${repo.id}/test`));
  assert.equal(tested.passwordAccepted, true, 'the saved repository is reached with the stored REST password');

  const profilesFile = fs.readFileSync(path.join(s.configDir, 'profiles.json'), 'utf8');
  assert.ok(profilesFile.includes(location), 'the location (with the user name) is in the profiles file');
  assert.ok(!profilesFile.includes(REST_PASSWORD), 'the REST password is not in the profiles file');
  for (const b of bodies) assert.ok(!b.includes(REST_PASSWORD), 'no response shows the REST password');
  assert.equal(await s.api.secrets.store().get(`repo:${repo.id}:rest-password`), REST_PASSWORD, 'it is in the secret store');
});

test('an unreachable REST server and a missing rclone remote come back as reports that say what happened', async () => {
  const closed = ok(await request(s, 'POST', '/api/connection-test', { body: { location: `rest:http://127.0.0.1:${await freePort()}/` } }));
  assert.equal(closed.reachable, false);
  assert.match(closed.message, /cannot reach the REST server .*connection refused/);
  const missing = ok(await request(s, 'POST', '/api/connection-test', { body: { location: 'rclone:no-such-remote-here:backups' } }));
  assert.equal(missing.reachable, false);
  assert.match(missing.message, /didn't find section in config file/);
  const remote = path.join(work, 'rclone-repo');
  const local = ok(await request(s, 'POST', '/api/connection-test', { body: { location: `rclone:${remote}` } }));
  assert.deepEqual([local.reachable, local.repository], [true, 'missing'], local.message);
});
