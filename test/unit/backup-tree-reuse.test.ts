// A directory whose entries all equal the parent snapshot's keeps the parent's tree (backup skips
// encoding and hashing it again). Any change to an entry, its metadata or its extended
// attributes must still give the directory, and every directory above it, a new tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup, type Id } from '../../src-worker/index.ts';
import { writeExtendedAttributes } from '../../src-worker/ops/xattrs.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-tree-reuse-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** The tree ids of `src` and of its subdirectories a and b in a snapshot. */
async function treesOf(repo: Repository, snapshotId: Id, src: string): Promise<{ src: Id; a: Id; b: Id }> {
  let tree = await repo.loadTree((await repo.loadSnapshot(snapshotId)).tree, false);
  let id = '';
  for (const name of src.split(path.sep).filter(Boolean)) {
    id = tree.nodes.find((n) => n.name === name)!.subtree!;
    tree = await repo.loadTree(id, false);
  }
  const sub = (name: string) => tree.nodes.find((n) => n.name === name)!.subtree!;
  return { src: id, a: sub('a'), b: sub('b') };
}

test('unchanged directories keep the parent tree; a mode, an attribute or a new entry gives a new one up to the root', async () => {
  const src = path.join(work, 'src');
  for (const d of ['a', 'b']) {
    fs.mkdirSync(path.join(src, d), { recursive: true });
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, d, `f${i}`), `${d}${i}\n`);
  }
  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  const run = async () => {
    const s = await backup(repo, { paths: [src], workers: 1 });
    return { summary: s, trees: await treesOf(repo, s.snapshotId!, src) };
  };
  // A file read again (its ctime changed) may get a new access time, and with it a new node in
  // the backup after: compare the backups once they have settled.
  const settled = async () => {
    await run();
    return run();
  };
  const first = await settled();
  const same = await run();
  assert.deepEqual(same.trees, first.trees, 'nothing changed: every tree is the parent\'s');

  fs.chmodSync(path.join(src, 'a', 'f1'), 0o600);
  const chmodded = await settled();
  assert.notEqual(chmodded.trees.a, same.trees.a, 'a mode change gives a its own new tree');
  assert.notEqual(chmodded.trees.src, same.trees.src, '... and its parent');
  assert.equal(chmodded.trees.b, same.trees.b, 'b is untouched');

  assert.equal(writeExtendedAttributes(path.join(src, 'b', 'f2'), [{ name: 'user.cairn-test', value: Buffer.from('tag').toString('base64') }]), 0, 'the attribute could be set');
  const tagged = await settled();
  assert.notEqual(tagged.trees.b, chmodded.trees.b, 'an extended attribute gives b a new tree');
  assert.equal(tagged.trees.a, chmodded.trees.a);

  fs.writeFileSync(path.join(src, 'a', 'new'), 'new\n');
  const added = await settled();
  assert.notEqual(added.trees.a, tagged.trees.a, 'a new entry gives a a new tree');
  assert.equal(added.trees.b, tagged.trees.b);
  await repo.backend.close();
});
