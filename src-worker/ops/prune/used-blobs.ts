// The blobs the snapshots still need: every tree reachable from a snapshot and every data blob a
// file in those trees lists. Prune may delete only what is outside this set, so anything that
// keeps the set from being complete (a snapshot that cannot be read, a tree that is missing or
// damaged) stops the prune before it changes anything.
import { CairnError, isCairnError, throwIfAborted } from '../../errors.ts';
import type { Id } from '../../format/id.ts';
import type { Tree } from '../../format/tree.ts';
import { mapLimit } from '../../repository/concurrency.ts';
import type { Repository } from '../../repository/repository.ts';
import type { PackListing } from '../../repository/pack-listing.ts';

const TREE_CONCURRENCY = 8;

/**
 * Flags, by canonical entry of `listing`, of the blobs the snapshots need (1 = used). Throws when
 * a needed blob is in no index file: deciding without it could delete what a snapshot needs.
 */
export async function findUsedBlobs(
  repo: Repository,
  listing: PackListing,
  opts: { signal?: AbortSignal; ignore?: ReadonlySet<Id>; onProgress?: (snapshotsDone: number, snapshotsTotal: number) => void } = {},
): Promise<Uint8Array> {
  const snapshotIds = (await repo.listSnapshotIds()).filter((id) => !opts.ignore?.has(id));
  const used = new Uint8Array(listing.size);
  const missing = new Set<Id>(); // data blobs in no index file: normally none
  const markData = (id: Id): void => {
    const e = listing.find('data', id);
    if (e >= 0) used[e] = 1;
    else missing.add(id);
  };
  /** Marks a tree used; false when it was already. A tree in no index file stops the prune here. */
  const markTree = (id: Id, snId: Id): boolean => {
    const e = listing.find('tree', id);
    if (e < 0) throw missingTree(id, snId);
    if (used[e]) return false;
    used[e] = 1;
    return true;
  };
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
    let level: Id[] = markTree(root, snId) ? [root] : [];
    while (level.length) {
      throwIfAborted(opts.signal);
      const trees = await mapLimit(level, TREE_CONCURRENCY, (id) => loadNeededTree(repo, id, snId));
      const next: Id[] = [];
      for (const tree of trees) {
        for (const node of tree.nodes) {
          if (node.type === 'file') {
            for (const c of node.content ?? []) markData(c);
          } else if (node.type === 'dir' && node.subtree && markTree(node.subtree, snId)) {
            next.push(node.subtree);
          }
        }
      }
      level = next;
    }
    opts.onProgress?.(++done, snapshotIds.length);
  }
  if (missing.size > 0) {
    const n = missing.size;
    const examples = [...missing].slice(0, 3).map((id) => `data ${id.slice(0, 8)}`).join(', ');
    throw new CairnError('MISSING_OBJECT',
      `${n} blob${n === 1 ? '' : 's'} that snapshots use ${n === 1 ? 'is' : 'are'} not in the index (${examples}${n > 3 ? ', …' : ''}); nothing was deleted: run "cairn check", and "cairn repair index" if the packs exist`);
  }
  return used;
}

function missingTree(id: Id, snId: Id): CairnError {
  return new CairnError('MISSING_OBJECT',
    `tree ${id.slice(0, 8)} of snapshot ${snId.slice(0, 8)} is not in the index; nothing was deleted: run "cairn check" (and "cairn repair index" if its pack exists)`);
}

async function loadNeededTree(repo: Repository, id: Id, snId: Id): Promise<Tree> {
  if (!repo.index.has('tree', id)) throw missingTree(id, snId);
  try {
    return await repo.loadTree(id, false); // each tree is visited once: keeping it would only hold memory
  } catch (err) {
    if (!isCairnError(err)) throw err;
    throw new CairnError(err.code === 'NOT_FOUND' ? 'MISSING_OBJECT' : err.code,
      `tree ${id.slice(0, 8)} of snapshot ${snId.slice(0, 8)} cannot be loaded (${err.message}); nothing was deleted: run "cairn check"`,
      { cause: err });
  }
}
