// A repository's job history lists every job that touched it: the backups of its plans (kept
// under the plan's key) as well as its own checks, and nothing of another repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

test('the history of a repository includes its plans\' backups and its checks, not another repository\'s jobs', async () => {
  const s = await startTestServer();
  servers.push(s);
  const make = async (name: string) => {
    const repo = ok(await request(s, 'POST', '/api/repositories', { body: { name, location: path.join(tmpDir(`history-${name}`), 'repo'), password: 'history test password', init: true } }));
    const src = tmpDir(`history-src-${name}`);
    fs.writeFileSync(path.join(src, 'a.txt'), `${name}\n`);
    const plan = ok(await request(s, 'POST', '/api/plans', { body: { name, repositoryId: repo.id, sources: [src], schedule: { kind: 'manual' } } }));
    return { repo, plan };
  };
  const run = async (body: object) => s.jobs.wait(ok(await request(s, 'POST', '/api/jobs', { body })).id);
  const mine = await make('mine');
  const other = await make('other');
  const backup = await run({ kind: 'backup', planId: mine.plan.id });
  const check = await run({ kind: 'check', repositoryId: mine.repo.id });
  const otherBackup = await run({ kind: 'backup', planId: other.plan.id });
  for (const j of [backup, check, otherBackup]) assert.equal(j.state, 'succeeded');

  const ofRepo = ok(await request(s, 'GET', `/api/history?repositoryId=${mine.repo.id}`)).jobs.map((j: { id: string }) => j.id);
  assert.deepEqual(ofRepo, [check.id, backup.id], 'newest first, the plan\'s backup included');
  const ofPlan = ok(await request(s, 'GET', `/api/history?planId=${mine.plan.id}`)).jobs.map((j: { id: string }) => j.id);
  assert.deepEqual(ofPlan, [backup.id]);
  const ofOther = ok(await request(s, 'GET', `/api/history?repositoryId=${other.repo.id}`)).jobs.map((j: { id: string }) => j.id);
  assert.deepEqual(ofOther, [otherBackup.id]);
});
