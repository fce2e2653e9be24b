// The contract without HTTP: the dispatcher that Electron's IPC will call too, and the route table
// `cairn serve` derives from the contract.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiContext, handle, operations, type OpName } from '../../src-main/api/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore } from '../../src-main/secrets/index.ts';
import { CairnError, isCairnError } from '../../src-worker/index.ts';
import { matchRoute } from '../../src-main/serve/routes.ts';
import { tmpDir } from '../helpers/tools.ts';

async function context() {
  const dir = tmpDir('api-dispatch');
  const { service } = await ProfilesService.open(dir);
  return createApiContext({
    profiles: service,
    secrets: { state: 'file', store: new PasswordFileStore(dir), notice: '' },
    jobs: new CairnError('INTERNAL', 'no job runner here: start one first'),
  });
}

test('handle() validates, runs and returns without any transport', async () => {
  const ctx = await context();
  const created = await handle('plans.create', { name: 'x', repositoryId: 'nope', sources: ['/a'], schedule: { kind: 'manual' } }, ctx).catch((e: unknown) => e);
  assert.ok(isCairnError(created, 'NOT_FOUND'), 'the profiles service refuses a plan on a missing repository');
  const repo = await handle('repositories.create', { name: 'Disk', location: '/mnt/x', password: 'pw-123456' }, ctx);
  assert.deepEqual(Object.keys(repo).sort(), ['hasPassword', 'id', 'location', 'name', 'options', 'passwordSaved']);
  const bad = await handle('snapshots.tree', { repositoryId: repo.id, snapshotId: 'latest', path: 'relative/x' }, ctx).catch((e: unknown) => e);
  assert.ok(isCairnError(bad, 'INVALID_ARGUMENT'));
  assert.match(bad.message, /^snapshots\.tree: path: use an absolute snapshot path/);
  const unknown = await handle('no.such.op', {}, ctx).catch((e: unknown) => e);
  assert.ok(isCairnError(unknown, 'NOT_FOUND'));
  const jobs = await handle('jobs.list', {}, ctx).catch((e: unknown) => e);
  assert.ok(isCairnError(jobs, 'INTERNAL') && jobs.message.includes('no job runner'), 'a host without jobs says so');
  const status = await handle('scheduler.status', {}, ctx);
  assert.deepEqual(status, { available: false, pausedUntil: null, plans: [] });
  await ctx.close();
});

test('every operation has its own route, and the route table finds each one', () => {
  const seen = new Set<string>();
  for (const name of Object.keys(operations) as OpName[]) {
    const op = operations[name];
    const key = `${op.method} ${op.path}`;
    assert.ok(!seen.has(key), `two operations on ${key}`);
    seen.add(key);
    assert.ok(op.path.startsWith('/api/'));
    const concrete = op.path.replace(/:[A-Za-z]+/g, 'abc');
    const m = matchRoute(op.method, concrete);
    assert.deepEqual(m.kind === 'op' ? m.op : m, name, key);
  }
  assert.deepEqual(matchRoute('GET', '/api/jobs/abc/log'), { kind: 'op', op: 'jobs.log', params: { jobId: 'abc' } });
  assert.deepEqual(matchRoute('PUT', '/api/profiles'), { kind: 'method', allowed: ['GET'] });
  assert.deepEqual(matchRoute('GET', '/api/profiles/x/y'), { kind: 'none' });
});
