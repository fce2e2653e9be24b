// Watch mode with real files and a real watcher (chokidar), and a fake clock for the debounce:
// the test waits for the watcher's events, then moves time by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { JobInfo, JobRequest, JobService } from '../../src-main/jobs/index.ts';
import { PlanSchema, type Plan } from '../../src-main/profiles/schema.ts';
import { WatchService, watchTrigger, type WatchEventDecision } from '../../src-main/watch/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tmpDir } from '../helpers/tools.ts';

const MIN = 60_000;

function setup(plan: Partial<Plan> & { sources: string[] }, opts: { maxDirectories?: number; repoLocation?: string; ignorePaths?: string[] } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const triggers: string[] = [];
  const fallbacks: string[] = [];
  const events: { path: string; decision: WatchEventDecision }[] = [];
  const waiters: { match: (p: string, d: WatchEventDecision) => boolean; resolve: () => void }[] = [];
  const full = PlanSchema.parse({
    id: 'p', name: 'P', repositoryId: 'r', schedule: { kind: 'interval', minutes: 60 }, watch: { enabled: true, debounceMinutes: 5 }, ...plan,
  });
  const service = new WatchService({
    clock,
    trigger: (id) => triggers.push(id),
    onFallback: (id, message) => fallbacks.push(`${id}: ${message}`),
    repository: (id) => (id === 'r' ? { id: 'r', name: 'R', location: opts.repoLocation ?? '/nonexistent-repo', options: {} } : undefined),
    ignorePaths: opts.ignorePaths ?? [],
    maxDirectories: opts.maxDirectories ?? 1000,
    onEvent: (_id, p, decision) => {
      events.push({ path: p, decision });
      for (const w of [...waiters]) if (w.match(p, decision)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
  });
  /** Resolves when the watcher has reported an event for `file` (bounded: a lost event fails the test). */
  const eventFor = (file: string, decision: WatchEventDecision) => {
    if (events.some((e) => e.path === file && e.decision === decision)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${decision} event for ${file}; saw ${JSON.stringify(events)}`)), 15_000);
      waiters.push({ match: (p, d) => p === file && d === decision, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  };
  return { clock, triggers, fallbacks, events, service, plan: full, eventFor };
}

test('a burst of changes is one backup, after the plan\'s quiet time', async () => {
  const src = tmpDir('watch');
  fs.mkdirSync(path.join(src, 'docs'));
  const w = setup({ sources: [src] });
  await w.service.update([w.plan]);
  assert.equal(w.service.state('p'), 'watching');
  try {
    for (const name of ['a.txt', 'b.txt', 'docs/c.txt']) fs.writeFileSync(path.join(src, name), name);
    await Promise.all(['a.txt', 'b.txt', 'docs/c.txt'].map((n) => w.eventFor(path.join(src, n), 'change')));
    await w.clock.advance(4 * MIN);
    assert.deepEqual(w.triggers, [], 'no backup before the quiet time is over');
    await w.clock.advance(1 * MIN);
    assert.deepEqual(w.triggers, ['p']);
    await w.clock.advance(60 * MIN);
    assert.deepEqual(w.triggers, ['p'], 'one backup for the burst, no more');
  } finally {
    await w.service.close();
  }
});

test('excluded files, the repository folder and the app\'s data folder do not trigger a backup', async () => {
  const src = tmpDir('watch');
  const repo = path.join(src, 'backup-repo');
  const appData = path.join(src, '.config', 'cairn');
  fs.mkdirSync(repo);
  fs.mkdirSync(appData, { recursive: true });
  const w = setup({ sources: [src], excludes: ['*.tmp', 'node_modules'] }, { repoLocation: repo, ignorePaths: [appData] });
  await w.service.update([w.plan]);
  try {
    fs.writeFileSync(path.join(repo, 'pack'), 'data');
    fs.writeFileSync(path.join(appData, 'job.log'), 'log');
    fs.mkdirSync(path.join(src, 'node_modules'));
    fs.writeFileSync(path.join(src, 'node_modules', 'lib.js'), 'x');
    // Written last: once its event is in, the earlier writes' events would have been too.
    fs.writeFileSync(path.join(src, 'scratch.tmp'), 'x');
    await w.eventFor(path.join(src, 'scratch.tmp'), 'excluded');
    await w.clock.advance(30 * MIN);
    assert.deepEqual(w.triggers, []);
    assert.ok(!w.events.some((e) => e.decision === 'change'), JSON.stringify(w.events));
    // The same watcher still sees a real change.
    fs.writeFileSync(path.join(src, 'real.txt'), 'x');
    await w.eventFor(path.join(src, 'real.txt'), 'change');
    await w.clock.advance(5 * MIN);
    assert.deepEqual(w.triggers, ['p']);
  } finally {
    await w.service.close();
  }
});

test('a tree with more folders than the watch limit falls back to the schedule with a warning', async () => {
  const src = tmpDir('watch');
  for (let i = 0; i < 6; i++) fs.mkdirSync(path.join(src, `d${i}`, 'sub'), { recursive: true });
  const w = setup({ sources: [src] }, { maxDirectories: 5 });
  await w.service.update([w.plan]);
  try {
    assert.equal(w.service.state('p'), 'fallback');
    assert.equal(w.fallbacks.length, 1);
    assert.match(w.fallbacks[0], /^p: the sources hold more than 5 folders.*schedule/);
    fs.writeFileSync(path.join(src, 'x.txt'), 'x');
    await w.clock.advance(60 * MIN);
    assert.deepEqual(w.triggers, []);
  } finally {
    await w.service.close();
  }
  // Excluded folders do not count against the limit: the same tree is watched when they are skipped.
  const w2 = setup({ sources: [src], excludes: ['d[0-4]'] }, { maxDirectories: 5 });
  await w2.service.update([w2.plan]);
  try {
    assert.equal(w2.service.state('p'), 'watching');
  } finally {
    await w2.service.close();
  }
});

test('plans without watch are not watched, and turning it off stops the watcher', async () => {
  const src = tmpDir('watch');
  const w = setup({ sources: [src] });
  await w.service.update([{ ...w.plan, watch: { enabled: false, debounceMinutes: 5 } }]);
  assert.equal(w.service.state('p'), 'off');
  await w.service.update([w.plan]);
  assert.equal(w.service.state('p'), 'watching');
  await w.service.update([]);
  assert.equal(w.service.state('p'), 'off');
  await w.service.close();
});

test('the watch trigger starts a watch backup unless one for the plan is already waiting', async () => {
  const started: JobRequest[] = [];
  let active: JobInfo[] = [];
  const jobs = {
    active: () => active,
    start: async (r: JobRequest) => { started.push(r); return { id: 'j', request: r, repositoryIds: ['r'], state: 'queued', queuedAt: 0 } as JobInfo; },
  } as unknown as JobService;
  const trigger = watchTrigger(jobs, (id, m) => assert.fail(`${id}: ${m}`));
  trigger('p');
  assert.deepEqual(started, [{ kind: 'backup', planId: 'p', reason: 'watch' }]);
  active = [{ id: 'j', request: { kind: 'backup', planId: 'p' }, repositoryIds: ['r'], state: 'queued', queuedAt: 0 }];
  trigger('p');
  assert.equal(started.length, 1);
  active = [{ ...active[0], state: 'running' }];
  trigger('p');
  assert.equal(started.length, 2, 'changes during a running backup get their own backup');
});
