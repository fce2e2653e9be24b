// A local repository stages packs under tmp/, in one folder per backend instance. Closing the
// backend removes its folder, so a failed or interrupted backup leaves nothing behind; what a
// killed process left is removed by prune, whose exclusive lock means no writer is running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup, prune } from '../../src-worker/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-staging-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('each backend instance stages in its own folder under tmp/, and close removes it', async () => {
  const repoDir = path.join(work, 'repo-a');
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const one = new LocalBackend(repoDir);
  const two = new LocalBackend(repoDir);
  const a = await one.stagingDir();
  const b = await two.stagingDir();
  assert.notEqual(a, b);
  assert.equal(path.dirname(a), path.join(repoDir, 'tmp'));
  assert.equal(await one.stagingDir(), a, 'the same folder for the whole life of the instance');
  fs.writeFileSync(path.join(a, 'pack-1-unfinished.tmp'), 'half a pack');
  fs.writeFileSync(path.join(b, 'pack-2-unfinished.tmp'), 'half a pack');
  await one.close();
  assert.equal(fs.existsSync(a), false);
  assert.equal(fs.existsSync(path.join(b, 'pack-2-unfinished.tmp')), true, 'the other instance keeps its files');
  await two.close();
  assert.deepEqual(fs.readdirSync(path.join(repoDir, 'tmp')), []);
});

test('prune removes what killed runs left staged, but not the staging folder of a run still open', async () => {
  const repoDir = path.join(work, 'repo-b');
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'file'), 'some content\n'.repeat(5000));
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const repo = await Repository.open(new LocalBackend(repoDir), 'pw');
  await backup(repo, { paths: [src], workers: 1 });
  const own = await repo.backend.stagingDir();
  fs.writeFileSync(path.join(own, 'in-use.tmp'), 'a pack being written');

  const tmp = path.join(repoDir, 'tmp');
  fs.mkdirSync(path.join(tmp, 'run-killed'));
  fs.writeFileSync(path.join(tmp, 'run-killed', 'pack-4242-0123.tmp'), 'a finished pack nobody committed');
  fs.writeFileSync(path.join(tmp, 'pack-4243-4567.tmp'), 'staged by an older Cairn straight into tmp/');

  const dry = await prune(repo, { dryRun: true });
  assert.equal(dry.dryRun, true);
  assert.equal(fs.existsSync(path.join(tmp, 'run-killed')), true, 'a dry run changes nothing');

  await prune(repo);
  assert.deepEqual(fs.readdirSync(tmp), [path.basename(own)]);
  assert.deepEqual(fs.readdirSync(own), ['in-use.tmp']);
  await repo.backend.close();
  assert.deepEqual(fs.readdirSync(tmp), []);
});
