// Mixed packs, as restic before 0.8 (and any version 1 writer) could store them: data and tree
// blobs in the same pack. Made from a version 1 repository restic 0.14 wrote by moving every blob
// into new packs that take them alternately from the tree and the data side, then replacing the
// whole index and deleting the old packs (in that order, so the repository is valid throughout).
import { sealBlob } from '../../src-worker/format/blob-codec.ts';
import type { Id } from '../../src-worker/format/id.ts';
import { PackWriter } from '../../src-worker/repository/pack-writer.ts';
import { listFiles, openRepo } from './rewrite-repo.ts';

/** Repacks everything into mixed packs of about `packSize` bytes; returns how many packs were mixed. */
export async function mixAllPacks(repoDir: string, packSize = 4 << 20): Promise<number> {
  const repo = await openRepo(repoDir);
  if (repo.version !== 1) throw new Error('mixed packs are a version 1 thing: use a version 1 repository');
  await repo.loadIndex();
  const oldIndex = await listFiles(repo, 'index');
  const oldPacks = await listFiles(repo, 'data');
  const trees: Id[] = [], data: Id[] = [];
  for (const { id, location } of repo.index.entries()) (location.type === 'tree' ? trees : data).push(id);
  // Interleave: tree, data, tree, data, ... then whatever is left of the longer side.
  const order: { type: 'tree' | 'data'; id: Id }[] = [];
  for (let i = 0; i < Math.max(trees.length, data.length); i++) {
    if (i < trees.length) order.push({ type: 'tree', id: trees[i]! });
    if (i < data.length) order.push({ type: 'data', id: data[i]! });
  }
  const staging = await repo.getStagingDir();
  let writer: PackWriter | null = null;
  let mixed = 0;
  const finish = async () => {
    if (!writer) return;
    const pack = writer.finish();
    writer = null;
    if (new Set(pack.blobs.map((b) => b.type)).size > 1) mixed++;
    await repo.commitPack(pack); // listed in the index file flush() writes
  };
  for (const b of order) {
    const plain = await repo.loadBlob(b.type, b.id);
    writer ??= new PackWriter(repo.key, staging, repo.backend.isLocal);
    const { sealed } = sealBlob(repo.key, plain, null);
    writer.add(b.id, b.type, sealed, 0);
    if (writer.size >= packSize) await finish();
  }
  await finish();
  await repo.flush();
  for (const id of oldIndex) await repo.backend.remove('index', id);
  for (const id of oldPacks) await repo.backend.remove('data', id);
  return mixed;
}
