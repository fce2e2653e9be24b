// The backup workers share the sealing of a big file's chunks: a worker with no file of its own
// seals chunks the other is cutting, into its own packs. What must hold whatever the timing:
// every chunk is in a pack the index names before the snapshot is written, each exactly once, the
// summary counts what was stored, and restic reads the result.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup, type Id } from '../../src-worker/index.ts';
import { compareTrees } from '../helpers/compare.ts';
import { mulberry32, randomBytes } from '../helpers/random.ts';
import { cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

const work = tmpDir('workers');
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('two workers seal the chunks of one big file between them; every chunk is stored once and restic checks it', async () => {
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  const big = randomBytes(mulberry32(7), 48 << 20); // random: no chunk repeats, so every one is new
  fs.writeFileSync(path.join(src, 'disk.img'), big);
  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'test-password');
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  const summary = await backup(repo, { paths: [src], workers: 2 });

  const content = await contentOf(repo, summary.snapshotId!, path.join(src, 'disk.img'));
  assert.equal(new Set(content).size, content.length, 'random data: each chunk is new');
  assert.equal(summary.dataBlobs, content.length, 'each chunk counted once');
  // The totals count the few small tree blobs too.
  const treesAdded = summary.dataAdded - big.length;
  assert.ok(treesAdded > 0 && treesAdded < 1 << 16, `added: the file's bytes and the trees' (${treesAdded})`);
  let stored = 0;
  const packs = content.map((id) => {
    const loc = repo.index.lookup('data', id);
    assert.ok(loc, `chunk ${id} is in the index`);
    stored += loc.length;
    return loc.packId;
  });
  const treesStored = summary.dataAddedPacked - stored;
  assert.ok(treesStored > 0 && treesStored < 1 << 16, `stored: every chunk, those the other worker sealed too, and the trees (${treesStored})`);
  // One worker alone fills its packs in file order: the chunks run through pack 1, then pack 2...
  // Chunks sealed by the other worker sit in its own packs, so the file's pack sequence switches
  // back and forth more often than there are packs.
  const runs = packs.filter((p, i) => i === 0 || p !== packs[i - 1]).length;
  assert.ok(runs > new Set(packs).size, `the file's chunks alternate between the workers' packs (${runs} runs over ${new Set(packs).size} packs)`);
  await repo.backend.close();

  assert.match(resticOk(repoDir, ['check', '--read-data']), /no errors were found/);
  const target = path.join(work, 'restored');
  cairnOk(['-r', repoDir, 'restore', 'latest', '--target', target]);
  assert.deepEqual(compareTrees(src, path.join(target, src)), []);
});

/** The content ids of `file` in a snapshot, walking its trees by name. */
async function contentOf(repo: Repository, snapshotId: Id, file: string): Promise<Id[]> {
  let tree = await repo.loadTree((await repo.loadSnapshot(snapshotId)).tree, false);
  const parts = file.split(path.sep).filter(Boolean);
  for (const [i, name] of parts.entries()) {
    const node = tree.nodes.find((n) => n.name === name);
    assert.ok(node, `${name} is in the snapshot`);
    if (i === parts.length - 1) return node.content ?? [];
    tree = await repo.loadTree(node.subtree!, false);
  }
  return [];
}

test('chunks longer than a worker\'s first buffer (up to the 8 MiB maximum) are cut exactly where restic cuts them', async () => {
  // A run of one repeated byte other than zero has no cut point, so it is cut at the maximum
  // size; random data around it gives ordinary chunks before and after.
  const src = path.join(work, 'long-chunks');
  fs.mkdirSync(src);
  const rand = mulberry32(11);
  fs.writeFileSync(path.join(src, 'flat.bin'), Buffer.concat([randomBytes(rand, 3 << 20), Buffer.alloc(21 << 20, 0xaa), randomBytes(rand, 5 << 20)]));
  const repoDir = path.join(work, 'repo-long');
  cairnOk(['-r', repoDir, 'init']);
  const ours = JSON.parse(cairnOk(['-r', repoDir, 'backup', src, '--json']).trim().split('\n').at(-1)!) as { data_blobs: number };
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  await repo.loadIndex();
  const snapshot = JSON.parse(cairnOk(['-r', repoDir, 'snapshots', '--json']))[0].id as string;
  const sizes = (await contentOf(repo, snapshot, path.join(src, 'flat.bin'))).map((id) => repo.index.plainSize('data', id)!);
  assert.ok(sizes.filter((n) => n === 8 << 20).length >= 2, `maximal chunks were cut (${sizes.join(', ')})`);
  assert.ok(ours.data_blobs >= 4);
  const theirs = JSON.parse(resticOk(repoDir, ['backup', src, '--force', '--json']).trim().split('\n').at(-1)!) as { data_blobs: number };
  assert.equal(theirs.data_blobs, 0, 'restic cuts the file into the very same chunks');
});
