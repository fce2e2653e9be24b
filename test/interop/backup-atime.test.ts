// Backing up must not move the access times of the files it reads and the folders it lists
// (restic sets O_NOATIME on Linux): an atime the read moved changes the node the next backup
// records, so every folder up to the root would count as changed and get its tree written again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup } from '../../src-worker/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-atime-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const atime = (p: string) => fs.statSync(p, { bigint: true }).atimeNs;

test('a backup leaves the access times of the files it reads as they were, and the next backup finds every folder unmodified', async (t) => {
  // Does a plain read move atimes here at all (relatime: the first read after a change does)?
  const probe = path.join(work, 'probe.txt');
  fs.writeFileSync(probe, 'probe\n');
  const probeBefore = atime(probe);
  await new Promise((r) => setTimeout(r, 20));
  fs.readFileSync(probe);
  if (atime(probe) === probeBefore) return t.skip('this file system does not update access times on read');

  const src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'a/b'), { recursive: true });
  const files = ['one.txt', 'a/two.txt', 'a/b/three.bin'].map((f) => path.join(src, f));
  files.forEach((f, i) => fs.writeFileSync(f, Buffer.alloc(1000 + i * 700_000, i + 1)));
  const dirs = [src, path.join(src, 'a'), path.join(src, 'a/b')];
  const before = files.map(atime);
  const dirsBefore = dirs.map(atime);
  await new Promise((r) => setTimeout(r, 20));

  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const repo = await Repository.open(new LocalBackend(repoDir), 'pw');
  const first = await backup(repo, { paths: [src], workers: 1 });
  assert.equal(first.filesNew, 3);
  assert.deepEqual(files.map(atime), before, 'atimes unchanged by reading the files');
  assert.deepEqual(dirs.map(atime), dirsBefore, 'atimes unchanged by listing the folders');

  const second = await backup(repo, { paths: [src], workers: 1 });
  await repo.backend.close();
  assert.equal(second.filesUnmodified, 3);
  // src, a and a/b; the folders above src (the temporary folder) change as other tests run.
  const treeOf = async (snapshotId: string) => {
    let id = (await repo.loadSnapshot(snapshotId)).tree;
    for (const name of src.split(path.sep).filter(Boolean)) id = (await repo.loadTree(id, false)).nodes.find((n) => n.name === name)!.subtree!;
    return id;
  };
  assert.equal(await treeOf(second.snapshotId!), await treeOf(first.snapshotId!), 'the source folder\'s tree is the same: no node changed');
});
