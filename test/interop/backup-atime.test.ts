// Backing up must not move the access times of the files it reads and the folders it lists
// (restic sets O_NOATIME on Linux): an atime the read moved changes the node the next backup
// records, so every folder up to the root would count as changed and get its tree written again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup } from '../../src-worker/index.ts';
import { cairnOk, resticOk } from '../helpers/tools.ts';

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

test('like restic, a backup records each entry\'s modification time as its access time unless --with-atime, so restic backing up the same files after Cairn writes no tree', () => {
  const src = path.join(work, 'times');
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  const file = path.join(src, 'sub/a.txt');
  fs.writeFileSync(file, 'a\n');
  const old = new Date('2020-01-01T00:00:00Z');
  for (const p of [file, path.join(src, 'sub'), src]) fs.utimesSync(p, old, fs.statSync(p).mtime);
  const repo = path.join(work, 'times-repo');
  cairnOk(['-r', repo, 'init']);
  const nodeOf = (snapshot: string) => JSON.parse(cairnOk(['-r', repo, 'ls', '--json', snapshot, path.join(src, 'sub')]).trim().split('\n').find((l) => l.includes('"a.txt"'))!);
  const first = JSON.parse(cairnOk(['-r', repo, 'backup', '--json', src]).trim().split('\n').at(-1)!);
  const n = nodeOf(first.snapshot_id);
  assert.equal(n.atime, n.mtime, 'atime recorded as mtime');
  // restic, with Cairn's snapshot as parent, finds every node as Cairn recorded it.
  const r = JSON.parse(resticOk(repo, ['backup', '--json', '--parent', first.snapshot_id, src], { password: 'test-password' }).trim().split('\n').at(-1)!);
  // The folders above src change as other tests write to the temporary folder; src's own may not.
  const changed = resticOk(repo, ['diff', '--metadata', first.snapshot_id, r.snapshot_id], { password: 'test-password' })
    .split('\n').filter((l) => /^[+-MTU] /.test(l) && l.includes(src));
  assert.deepEqual(changed, [], 'restic finds the source folder and everything in it unchanged');
  const withAtime = JSON.parse(cairnOk(['-r', repo, 'backup', '--json', '--with-atime', src]).trim().split('\n').at(-1)!);
  assert.equal(new Date(nodeOf(withAtime.snapshot_id).atime).toISOString(), old.toISOString(), '--with-atime records the real access time');
});
