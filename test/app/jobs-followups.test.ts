// The job runner's follow-ups and other kinds on real repositories: retention after a backup,
// copy to a second repository, restore, and the scheduler's runJob adapter.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runPlanJob } from '../../src-main/jobs/index.ts';
import { compareTrees } from '../helpers/compare.ts';
import { jobFixture, PASSWORD, resticSnapshots, writeRandomFiles } from '../helpers/job-fixture.ts';
import { restic, resticOk } from '../helpers/tools.ts';

test('after a backup the plan\'s retention is applied to its own snapshots only, then pruned', async () => {
  const f = await jobFixture();
  const repo = await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 2, 50_000);
  // Another computer's snapshots of the same folder (more than keepLast): this plan's policy must not touch them.
  for (let i = 0; i < 3; i++) resticOk(repo, ['backup', '--host', 'another-computer', src], { password: PASSWORD });
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src], retention: { keepLast: 2 } });

  const ends = [];
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(src, 'changing.txt'), `version ${i}`);
    ends.push(await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id));
  }
  assert.deepEqual(ends.map((e) => e.state), ['succeeded', 'succeeded', 'succeeded'], ends.map((e) => e.error).join(' | '));
  assert.equal(ends[2].summary?.snapshotsRemoved, 1);
  assert.equal(typeof ends[2].summary?.pruneBytesFreed, 'number');

  const snaps = resticSnapshots(repo);
  const mine = snaps.filter((s) => s.hostname !== 'another-computer');
  assert.equal(mine.length, 2);
  assert.equal(snaps.filter((s) => s.hostname === 'another-computer').length, 3);
  // The newest two survive: exactly the snapshots of the 2nd and 3rd jobs.
  assert.deepEqual(mine.map((s) => s.id).sort(), [ends[1].snapshotIds![0], ends[2].snapshotIds![0]].sort());
  const log = await f.service.log(ends[2].id);
  assert.ok(log.some((l) => l.message.startsWith('removed 1 snapshots')), JSON.stringify(log));
  const check = restic(repo, ['check', '--read-data'], { password: PASSWORD });
  assert.equal(check.code, 0, check.stderr);

  // forget-prune as its own job, as a dry run: says what it would do, changes nothing.
  await f.profiles.updatePlan('docs', { retention: { keepLast: 1 } });
  const dry = await f.service.wait((await f.service.start({ kind: 'forget-prune', planId: 'docs', dryRun: true })).id);
  assert.equal(dry.state, 'succeeded', dry.error);
  assert.equal(dry.summary?.snapshotsRemoved, 1);
  assert.equal(resticSnapshots(repo).length, 5);
});

test('after a backup the new snapshot is copied to the plan\'s second repository, where restic sees it as a copy', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const second = await f.addRepo('offsite');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 3, 30_000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src], copyToRepositoryId: 'offsite' });
  const end = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  assert.equal(end.state, 'succeeded', end.error);
  assert.deepEqual(end.repositoryIds, ['main', 'offsite']);
  assert.equal(end.summary?.snapshotsCopied, 1);

  const copies = resticSnapshots(second);
  assert.equal(copies.length, 1);
  assert.equal(copies[0].original, end.snapshotIds![0]);
  assert.deepEqual(end.snapshotIds, [end.snapshotIds![0], copies[0].id]);
  const check = restic(second, ['check', '--read-data'], { password: PASSWORD });
  assert.equal(check.code, 0, check.stderr);

  // A copy job on its own: everything is already there, so it is skipped, not duplicated.
  const again = await f.service.wait((await f.service.start({ kind: 'copy', fromRepositoryId: 'main', toRepositoryId: 'offsite' })).id);
  assert.equal(again.state, 'succeeded', again.error);
  assert.equal(again.summary?.snapshotsSkipped, 1);
  assert.equal(resticSnapshots(second).length, 1);
  assert.equal((await f.service.history({ repositoryId: 'offsite' }))[0]?.id, again.id);
});

test('a failing copy after a backup fails the job but says the snapshot was saved', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  await f.profiles.addRepository({ id: 'missing', name: 'missing', location: path.join(f.root, 'not-a-repo') });
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 1, 1000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src], copyToRepositoryId: 'missing' });
  const end = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  assert.equal(end.state, 'failed');
  assert.match(end.error ?? '', /^snapshot [0-9a-f]{8} was saved, but copying to repository missing failed: /);
  assert.equal(end.snapshotIds?.length, 1);
});

test('a restore job restores byte-identical files and never overwrites unless asked', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(path.join(src, 'sub'), 4, 20_000);
  fs.writeFileSync(path.join(src, 'note.txt'), 'hello');
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const b = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  const snapshotId = b.snapshotIds![0];

  const target = path.join(f.root, 'restored');
  const r = await f.service.wait((await f.service.start({ kind: 'restore', repositoryId: 'main', snapshotId, target })).id);
  assert.equal(r.state, 'succeeded', r.error);
  const restored = path.join(target, src);
  assert.deepEqual(compareTrees(src, restored, { checkDirTimes: false }), []);

  // The user changed a restored file; restoring again without permission must not touch it.
  fs.writeFileSync(path.join(restored, 'note.txt'), 'my edit');
  const again = await f.service.wait((await f.service.start({ kind: 'restore', repositoryId: 'main', snapshotId, target })).id);
  assert.equal(again.state, 'failed');
  assert.equal(again.errorCode, 'TARGET_EXISTS', again.error);
  assert.equal(fs.readFileSync(path.join(restored, 'note.txt'), 'utf8'), 'my edit');

  const forced = await f.service.wait((await f.service.start({ kind: 'restore', repositoryId: 'main', snapshotId, target, overwrite: 'always' })).id);
  assert.equal(forced.state, 'succeeded', forced.error);
  assert.equal(fs.readFileSync(path.join(restored, 'note.txt'), 'utf8'), 'hello');
});

test('a restore job with hostile include patterns writes nothing outside its target', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 2, 1000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const b = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  const jail = path.join(f.root, 'jail');
  const target = path.join(jail, 'target');
  fs.mkdirSync(target, { recursive: true });
  const rootBefore = fs.readdirSync(f.root).sort();
  const r = await f.service.wait((await f.service.start({
    kind: 'restore', repositoryId: 'main', snapshotId: b.snapshotIds![0], target,
    include: ['../escape', '../../escape', '/../../../../tmp/escape', `..${src}`, src],
  })).id);
  assert.ok(r.state === 'succeeded' || r.errorCode === 'UNSAFE_PATH' || r.errorCode === 'INVALID_ARGUMENT', `${r.state}: ${r.error}`);
  assert.deepEqual(fs.readdirSync(jail), ['target']);
  assert.deepEqual(fs.readdirSync(f.root).sort(), rootBefore);
  if (r.state === 'succeeded') assert.deepEqual(compareTrees(src, path.join(target, src), { checkDirTimes: false }), []);
});

test('the scheduler adapter runs the plan\'s backup and reports how it ended', async () => {
  const f = await jobFixture();
  const repo = await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 1, 1000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const runJob = runPlanJob(f.service);
  assert.deepEqual(await runJob({ id: 'docs' }), { ok: true });
  assert.equal(resticSnapshots(repo).length, 1);
  const history = await f.service.history({ planId: 'docs' });
  assert.deepEqual(history[0].request, { kind: 'backup', planId: 'docs', reason: 'scheduled' });
  const missing = await runJob({ id: 'gone' });
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? '' : missing.error, /no plan "gone"/);
});
