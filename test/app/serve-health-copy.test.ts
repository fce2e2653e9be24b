// The 3-2-1 status of a plan that keeps a second copy (set up by the wizard's "offsite" step): its
// backups copy inside the backup job, and the repository's health counts that copy, before and
// after a successful run, and not when the copy failed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ok, request, startTestServer, type TestServer } from '../helpers/serve-client.ts';
import { tmpDir } from '../helpers/tools.ts';

let s: TestServer;
after(() => s?.stop());

test('a backup that copied to the second repository counts as a second place in the health', async () => {
  s = await startTestServer();
  const base = tmpDir('health-copy');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'to be copied\n');
  const main = ok(await request(s, 'POST', '/api/repositories', { body: { name: 'Main', location: path.join(base, 'main'), password: 'health copy main 1', init: true } }));
  const second = ok(await request(s, 'POST', '/api/repositories', { body: { name: 'Second', location: path.join(base, 'second'), password: 'health copy second 2', init: true } }));
  const plan = ok(await request(s, 'POST', '/api/plans', { body: { name: 'Docs', repositoryId: main.id, copyToRepositoryId: second.id, sources: [src], schedule: { kind: 'manual' } } }));
  const health = async () => ok(await request(s, 'GET', `/api/repositories/${main.id}/health`));

  const before = await health();
  assert.equal(before.copies, 1);
  assert.ok(before.rule321.problems.some((p: string) => /in one place only/.test(p)));

  // The copy fails (the second repository is gone): no second place.
  fs.renameSync(path.join(base, 'second'), path.join(base, 'second-away'));
  const failed = await s.jobs.wait(ok(await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.id } })).id);
  assert.equal(failed.state, 'failed');
  assert.equal((await health()).copies, 1);
  fs.renameSync(path.join(base, 'second-away'), path.join(base, 'second'));

  const job = await s.jobs.wait(ok(await request(s, 'POST', '/api/jobs', { body: { kind: 'backup', planId: plan.id } })).id);
  assert.equal(job.state, 'succeeded', job.error);
  const h = await health();
  assert.equal(h.copies, 2);
  assert.equal(h.offsite, false, 'both are folders on this computer');
  assert.equal(h.lastCopy.jobId, job.id);
  assert.ok(!h.rule321.problems.some((p: string) => /in one place only/.test(p)), JSON.stringify(h.rule321.problems));
});
