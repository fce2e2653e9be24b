// No system keyring and no opted-in password file (a headless server, a desktop without a Secret
// Service): Cairn still works, keeping every password and login it is given in memory only, and
// says so. Saving one for good is refused in words; nothing secret reaches the config folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { SecretsAccess } from '../../src-main/api/secrets-access.ts';
import { withSessionSecrets } from '../../src-main/secrets/index.ts';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

const PASSWORD = 'kept in memory only 4k2v';
const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

const filesUnder = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

test('without a keyring the app says passwords are kept for the session, and a repository works with one', async () => {
  const s = await startTestServer({ noKeyring: true });
  servers.push(s);
  const info = ok(await request(s, 'GET', '/api/app'));
  assert.equal(info.secrets.state, 'session');
  assert.match(info.secrets.message, /no system keyring/);

  const location = path.join(tmpDir('no-keyring-repo'), 'repo');
  const saved = await request(s, 'POST', '/api/repositories', { body: { name: 'Here', location, password: PASSWORD, rememberPassword: true, init: true } });
  assert.equal(saved.status, 503, saved.text);
  assert.equal(saved.json.error.code, 'KEYRING_UNAVAILABLE');
  assert.equal(fs.existsSync(path.join(location, 'config')), false, 'a refused save creates no repository');

  const repo = ok(await request(s, 'POST', '/api/repositories', { body: { name: 'Here', location, password: PASSWORD, rememberPassword: false, init: true } }));
  assert.deepEqual([repo.hasPassword, repo.passwordSaved], [true, false]);
  const src = tmpDir('no-keyring-src');
  fs.writeFileSync(path.join(src, 'a.txt'), 'some text\n');
  const plan = ok(await request(s, 'POST', '/api/plans', { body: { name: 'Here', repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } } }));
  const job = ok(await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.id } }));
  assert.equal((await s.jobs.wait(job.id)).state, 'succeeded', 'the session password serves a backup');
  for (const f of filesUnder(s.configDir)) assert.doesNotMatch(fs.readFileSync(f, 'utf8'), new RegExp(PASSWORD), `${f} holds no password`);
});

test('without a keyring, storage logins are kept for the session as well', async () => {
  const secrets = new SecretsAccess(withSessionSecrets({ state: 'unavailable', message: 'no system keyring is available here' }));
  await secrets.setCredentials('repo-1', { sftpPassword: 'an sftp password', s3SecretAccessKey: 'an s3 secret' });
  const kept = Object.fromEntries(Object.entries(await secrets.credentials('repo-1')).filter(([, v]) => v !== undefined));
  assert.deepEqual(kept, { sftpPassword: 'an sftp password', s3SecretAccessKey: 'an s3 secret' });
  await secrets.setPassword('repo-1', 'a repository password', false);
  assert.equal(await secrets.passwordKept('repo-1'), 'session');
  await assert.rejects(secrets.setPassword('repo-1', 'a repository password', true), /no system keyring/);
});
