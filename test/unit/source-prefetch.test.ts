// The source metadata read while a repository opens (ops/backup/prefetch.ts) must give the walk
// exactly what it would have read itself, and be used: a backup that takes it records the same
// trees as one that does not.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, SourcePrefetch, backup } from '../../src-worker/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-prefetch-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function makeSource(root: string): void {
  fs.mkdirSync(path.join(root, 'a/b/c'), { recursive: true });
  fs.mkdirSync(path.join(root, 'empty'));
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(root, 'a', `f${i}.txt`), `file ${i}\n`); // more than one slice
  fs.writeFileSync(path.join(root, 'a/b/c/deep.bin'), Buffer.alloc(700_000, 7));
  fs.symlinkSync('a/b', path.join(root, 'link'));
  fs.writeFileSync(path.join(root, 'Ünïcode name.txt'), 'ü');
}

test('a backup that takes prefetched metadata records the same trees, and takes each entry once', async () => {
  const src = path.join(work, 'src');
  makeSource(src);
  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');

  // The first backup reads every file, which moves their access times: compare the next two.
  await backup(repo, { paths: [src], workers: 1 });
  const plain = await backup(repo, { paths: [src], workers: 1 });
  const prefetch = new SourcePrefetch([src]);
  await prefetch.finished;
  const withPrefetch = await backup(repo, { paths: [src], workers: 1, prefetch });

  // The tree of the source folder itself (the snapshot's parents of it, /tmp, change whenever
  // another test makes a folder there).
  const treeOf = async (snapshotId: string) => {
    let id = (await repo.loadSnapshot(snapshotId)).tree;
    for (const name of src.split(path.sep).filter(Boolean)) id = (await repo.loadTree(id, false)).nodes.find((n) => n.name === name)!.subtree!;
    return id;
  };
  assert.equal(await treeOf(withPrefetch.snapshotId!), await treeOf(plain.snapshotId!), 'the same tree: every node recorded alike');
  await repo.backend.close();
  assert.equal(withPrefetch.filesUnmodified, 302, 'every file found unchanged');
  for (const p of [src, path.join(src, 'a'), path.join(src, 'a/f299.txt'), path.join(src, 'a/b/c/deep.bin'), path.join(src, 'link')]) {
    assert.equal(prefetch.takeStat(p), undefined, `${p}: its prefetched lstat was taken by the walk`);
  }
  assert.equal(prefetch.takeNames(path.join(src, 'a/b')), undefined, 'listings were taken too');
});

test('the prefetch stops at its limit and when told, and what it did not read the walk reads itself', async () => {
  const src = path.join(work, 'src2');
  makeSource(src);
  const limited = new SourcePrefetch([src], { limit: 10 });
  await limited.finished;
  let stats = 0;
  for (const name of ['', 'Ünïcode name.txt', 'a', 'empty', 'link']) if (limited.takeStat(path.join(src, name))) stats++;
  assert.ok(stats >= 1 && stats <= 5, 'a few entries were read');
  assert.equal(limited.takeStat(path.join(src, 'a/f299.txt')), undefined, 'nothing past the limit');

  const stopped = new SourcePrefetch([src]);
  stopped.stop();
  await stopped.finished;
  assert.equal(stopped.takeStat(path.join(src, 'a/b/c/deep.bin')), undefined);

  const repoDir = path.join(work, 'repo2');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  const partial = new SourcePrefetch([src], { limit: 40 });
  await partial.finished;
  const s = await backup(repo, { paths: [src], workers: 1, prefetch: partial });
  await repo.backend.close();
  assert.equal(s.filesNew, 302, 'every file backed up, prefetched or not');
  assert.deepEqual(s.warnings, []);
});
