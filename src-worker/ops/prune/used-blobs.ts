// The blobs the snapshots still need: every tree reachable from a snapshot and every data blob a
// file in those trees lists. Prune may delete only what is outside this set, so anything that
// keeps the set from being complete (a snapshot that cannot be read, a tree that is missing or
// damaged) stops the prune before it changes anything.
import { CairnError, isCairnError, throwIfAborted } from '../../errors.ts';
import type { Id } from '../../format/id.ts';
import type { Tree } from '../../format/tree.ts';
import { mapLimit } from '../../repository/concurrency.ts';
import type { Repository } from '../../repository/repository.ts';

/** Keys of a blob set: the type's initial and the id ("t…" tree, "d…" data). */
export type BlobKey = string;
export const treeKey = (id: Id): BlobKey => 't' + id;
export const dataKey = (id: Id): BlobKey => 'd' + id;

const TREE_CONCURRENCY = 8;

export async function findUsedBlobs(
  repo: Repository,
  opts: { signal?: AbortSignal; ignore?: ReadonlySet<Id>; onProgress?: (snapshotsDone: number, snapshotsTotal: number) => void } = {},
): Promise<Set<BlobKey>> {
  const snapshotIds = (await repo.listSnapshotIds()).filter((id) => !opts.ignore?.has(id));
  const used = new Set<BlobKey>();
  let done = 0;
  for (const snId of snapshotIds) {
    throwIfAborted(opts.signal);
    let root: Id;
    try {
      root = (await repo.loadSnapshot(snId)).tree;
    } catch (err) {
      throw new CairnError('CORRUPT_OBJECT',
        `snapshot ${snId.slice(0, 8)} cannot be loaded (${(err as Error).message}); nothing was deleted: without it prune cannot tell which data is still needed, run "cairn check"`,
        { cause: err });
    }
    // Breadth first, a level at a time, so several trees load at once on slow backends.
    let level: Id[] = used.has(treeKey(root)) ? [] : [root];
    for (const id of level) used.add(treeKey(id));
    while (level.length) {
      throwIfAborted(opts.signal);
      const trees = await mapLimit(level, TREE_CONCURRENCY, (id) => loadNeededTree(repo, id, snId));
      const next: Id[] = [];
      for (const tree of trees) {
        for (const node of tree.nodes) {
          if (node.type === 'file') {
            for (const c of node.content ?? []) used.add(dataKey(c));
          } else if (node.type === 'dir' && node.subtree && !used.has(treeKey(node.subtree))) {
            used.add(treeKey(node.subtree));
            next.push(node.subtree);
          }
        }
      }
      level = next;
    }
    opts.onProgress?.(++done, snapshotIds.length);
  }
  return used;
}

async function loadNeededTree(repo: Repository, id: Id, snId: Id): Promise<Tree> {
  if (!repo.index.has('tree', id)) {
    throw new CairnError('MISSING_OBJECT',
      `tree ${id.slice(0, 8)} of snapshot ${snId.slice(0, 8)} is not in the index; nothing was deleted: run "cairn check" (and "cairn repair index" if its pack exists)`);
  }
  try {
    return await repo.loadTree(id, false); // each tree is visited once: keeping it would only hold memory
  } catch (err) {
    if (!isCairnError(err)) throw err;
    throw new CairnError(err.code === 'NOT_FOUND' ? 'MISSING_OBJECT' : err.code,
      `tree ${id.slice(0, 8)} of snapshot ${snId.slice(0, 8)} cannot be loaded (${err.message}); nothing was deleted: run "cairn check"`,
      { cause: err });
  }
}
