// The renderer keeps its own copy of each operation's method and path (it may not import the
// contract's values): the copy must match the contract exactly, or the UI would call routes
// that do not exist. Also checks how the HTTP transport splits an input into URL and body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operations } from '../../src-main/api/contract.ts';
import { buildRequest } from '../../src-renderer/lib/api/http.ts';
import { routes } from '../../src-renderer/lib/api/routes.ts';

test('the renderer\'s route table names every operation with the contract\'s method and path', () => {
  const fromContract = Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, [op.method, op.path]]));
  assert.deepEqual(routes, fromContract);
});

test('the HTTP transport fills path parameters, sends GET input as a query and POST input as a body', () => {
  assert.deepEqual(buildRequest('snapshots.tree', { repositoryId: 'home', snapshotId: 'latest', path: '/a b', limit: 5 }), {
    method: 'GET', url: '/api/repositories/home/snapshots/latest/tree?path=%2Fa+b&limit=5',
  });
  assert.deepEqual(buildRequest('plans.update', { planId: 'p1', name: 'Docs' }), { method: 'PATCH', url: '/api/plans/p1', body: '{"name":"Docs"}' });
  assert.deepEqual(buildRequest('jobs.cancel', { jobId: 'j/1' }), { method: 'DELETE', url: '/api/jobs/j%2F1' });
});
