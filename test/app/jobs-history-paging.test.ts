// The job history in pages: a repository with more jobs than one page holds (earlier runs written
// through the real history store, plus one check run now through the real engine) can be read to
// the end with the "before" cursor of jobs.history, newest first, each job exactly once, and a job
// that finishes between two pages neither repeats nor hides one. A cursor that is gone is one clear
// error. Everything goes through the API dispatch the HTTP host and Electron use.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { handle } from '../../src-main/api/index.ts';
import { startApp } from '../../src-main/host/index.ts';
import { HistoryStore } from '../../src-main/jobs/history.ts';
import type { JobInfo } from '../../src-main/jobs/types.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, secretAccount } from '../../src-main/secrets/index.ts';
import { PASSWORD } from '../helpers/job-fixture.ts';
import { resticOk, tmpDir } from '../helpers/tools.ts';

const EARLIER = 120;
const T0 = Date.UTC(2026, 0, 1);

function earlierCheck(n: number): JobInfo {
  const at = T0 + n * 60_000;
  return { id: `earlier-${n}`, request: { kind: 'check', repositoryId: 'local' }, repositoryIds: ['local'], state: 'succeeded', queuedAt: at, startedAt: at, finishedAt: at + 1000 };
}

test('jobs.history pages with a "before" cursor through every job of a repository, newest first', async () => {
  const root = tmpDir('history-paging');
  const configDir = path.join(root, 'config');
  const repo = path.join(root, 'repo');
  resticOk(repo, ['init', '--repository-version', '2'], { password: PASSWORD });
  const { service: setup } = await ProfilesService.open(configDir);
  await setup.addRepository({ id: 'local', name: 'Local disk', location: repo });
  const store = new PasswordFileStore(configDir);
  await store.set(secretAccount('local', 'password'), PASSWORD);

  // Runs from earlier sessions, in the history file the app reads at start.
  const earlier = new HistoryStore(path.join(configDir, 'history'), { now: () => T0, onProblem: (m) => assert.fail(m) });
  for (let n = 1; n <= EARLIER; n++) await earlier.append('repo-local', earlierCheck(n));

  const app = await startApp({
    configDir,
    cacheDir: undefined,
    allowPasswordFile: true,
    secrets: { state: 'file', store, notice: 'passwords in a file' },
    warn: () => {},
    timeZone: 'UTC',
  });
  try {
    const check = await handle('jobs.start', { kind: 'check', repositoryId: 'local' }, app.api);
    assert.equal((await app.jobs.wait(check.id)).state, 'succeeded');

    const first = await handle('jobs.history', { repositoryId: 'local' }, app.api);
    assert.equal(first.jobs.length, 50, 'the default page');
    assert.equal(first.more, true);
    assert.equal(first.jobs[0].id, check.id, 'the newest job first');

    // A job that finishes after the first page was read: the next pages carry on where it ended.
    const late = await handle('jobs.start', { kind: 'check', repositoryId: 'local' }, app.api);
    await app.jobs.wait(late.id);

    const seen = [...first.jobs];
    let more: boolean = first.more;
    let pages = 1;
    while (more) {
      const page = await handle('jobs.history', { repositoryId: 'local', limit: 50, before: seen.at(-1)!.id }, app.api);
      assert.ok(page.jobs.length > 0, 'a page that says more follows is never empty');
      seen.push(...page.jobs);
      more = page.more;
      pages++;
    }
    assert.equal(pages, 3);
    const expected = [check.id, ...Array.from({ length: EARLIER }, (_, i) => `earlier-${EARLIER - i}`)];
    assert.deepEqual(seen.map((j) => j.id), expected, 'every job once, newest first, the late one not mixed in');

    const fresh = await handle('jobs.history', { repositoryId: 'local', limit: 2 }, app.api);
    assert.deepEqual(fresh.jobs.map((j) => j.id), [late.id, check.id], 'a fresh first page starts with the late job');

    const end = await handle('jobs.history', { repositoryId: 'local', before: 'earlier-1' }, app.api);
    assert.deepEqual(end, { jobs: [], more: false });
    await assert.rejects(handle('jobs.history', { repositoryId: 'local', before: 'no-such-job' }, app.api),
      /job no-such-job is no longer in the history .*: reload the history/);
  } finally {
    await app.close();
  }
});
