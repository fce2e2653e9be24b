// A repository password the user chose not to save: the API keeps it in memory only (never in the
// password file), backups run while Cairn runs; after a restart the repository says it needs the
// password, a backup fails saying so, a wrong password is refused, and the right one unlocks it,
// for the session or saved; a changed password stays unsaved. Forgetting a saved password removes it from the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { PASSWORD_FILE } from '../../src-main/secrets/index.ts';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

const PASSWORD = 'not saved anywhere 6b2e';
const NEW_PASSWORD = 'a new unsaved one 91qz';
const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

async function start(configDir?: string): Promise<TestServer> {
  const s = await startTestServer(configDir ? { configDir } : {});
  servers.push(s);
  return s;
}

const secretsFile = (s: TestServer) => {
  const f = path.join(s.configDir, PASSWORD_FILE);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

async function backup(s: TestServer, planId: string) {
  const job = ok(await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId } }));
  return s.jobs.wait(job.id);
}

test('an unsaved password serves until a restart, then the repository asks for it and unlocks with the right one', async () => {
  const src = tmpDir('unsaved-src');
  fs.writeFileSync(path.join(src, 'a.txt'), 'some text\n');
  const first = await start();
  const repo = ok(await request(first, 'POST', '/api/repositories', { body: { name: 'Private', location: path.join(tmpDir('unsaved-repo'), 'repo'), password: PASSWORD, rememberPassword: false, init: true } }));
  assert.deepEqual([repo.hasPassword, repo.passwordSaved], [true, false]);
  assert.doesNotMatch(secretsFile(first), new RegExp(PASSWORD), 'the password is not in the password file');
  const plan = ok(await request(first, 'POST', '/api/plans', { body: { name: 'Private', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } } }));
  assert.equal((await backup(first, plan.id)).state, 'succeeded', 'the session password serves a backup');
  await first.stop();
  servers.pop();

  const again = await start(first.configDir);
  const listed = ok(await request(again, 'GET', '/api/profiles')).repositories[0];
  assert.deepEqual([listed.hasPassword, listed.passwordSaved], [false, false]);
  const failed = await backup(again, plan.id);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.errorCode, 'PASSWORD_NEEDED');
  assert.match(failed.error ?? '', /does not know the password .* type it on the dashboard/);
  const browse = await request(again, 'GET', `/api/repositories/${repo.id}/snapshots`);
  assert.equal(browse.status, 423, browse.text);
  assert.equal(browse.json.error.code, 'PASSWORD_NEEDED');

  const wrong = await request(again, 'POST', `/api/repositories/${repo.id}/unlock`, { body: { password: 'not it', remember: false } });
  assert.equal(wrong.status, 422, wrong.text);
  assert.equal(wrong.json.error.code, 'WRONG_PASSWORD');
  const unlocked = ok(await request(again, 'POST', `/api/repositories/${repo.id}/unlock`, { body: { password: PASSWORD, remember: false } }));
  assert.deepEqual([unlocked.hasPassword, unlocked.passwordSaved], [true, false]);
  assert.equal(ok(await request(again, 'GET', `/api/repositories/${repo.id}/snapshots`)).snapshots.length, 1);
  assert.equal((await backup(again, plan.id)).state, 'succeeded');
  assert.doesNotMatch(secretsFile(again), new RegExp(PASSWORD));

  // A new password for a repository whose password is not saved: followed in memory, still not saved.
  const changed = ok(await request(again, 'POST', `/api/repositories/${repo.id}/password`, { body: { oldPassword: PASSWORD, newPassword: NEW_PASSWORD } }));
  assert.equal(changed.keyringUpdated, true);
  const afterChange = ok(await request(again, 'GET', '/api/profiles')).repositories[0];
  assert.deepEqual([afterChange.hasPassword, afterChange.passwordSaved], [true, false]);
  assert.doesNotMatch(secretsFile(again), new RegExp(NEW_PASSWORD));
  assert.equal((await backup(again, plan.id)).state, 'succeeded', 'the new password serves from memory');

  // Saved on request, and forgotten on request.
  const saved = ok(await request(again, 'POST', `/api/repositories/${repo.id}/unlock`, { body: { password: NEW_PASSWORD, remember: true } }));
  assert.deepEqual([saved.hasPassword, saved.passwordSaved], [true, true]);
  assert.match(secretsFile(again), new RegExp(NEW_PASSWORD));
  const forgotten = ok(await request(again, 'POST', `/api/repositories/${repo.id}/forget-password`));
  assert.deepEqual([forgotten.hasPassword, forgotten.passwordSaved], [false, false]);
  assert.doesNotMatch(secretsFile(again), new RegExp(NEW_PASSWORD));
});
