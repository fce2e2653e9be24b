// `stats`: sizes and counts over snapshots, computed exactly as restic 0.14 computes them.
//
//  restore-size       every node of every snapshot counts as a file; sizes add up, except that within
//                     one snapshot a non-zero inode adds its size only once (hard links).
//  files-by-contents  nodes are unique by their content list (all nodes without content, including
//                     directories and symlinks, are one and the same "file"); each unique one adds its size.
//  blobs-per-file     of the nodes unique by content, each path (across snapshots) counts once as a
//                     file, and each blob once per path, with its plaintext size.
//  raw-data           the blobs (trees and data) the snapshots reference, each once, with the size
//                     they take in the packs (encrypted, compressed).
//
// In the two "unique" modes restic's walker also skips a directory whose subtree already appeared
// in the same snapshot; that changes blobs-per-file when a snapshot holds identical directories.
import { CairnError, throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import type { TreeNode } from '../format/tree.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { goClean } from '../filter/filter.ts';

export const STATS_MODES = ['restore-size', 'files-by-contents', 'blobs-per-file', 'raw-data'] as const;
export type StatsMode = (typeof STATS_MODES)[number];

export interface StatsResult {
  totalSize: number;
  totalFileCount: number;
  totalBlobCount: number;
  snapshotsCount: number;
}

export interface StatsOptions {
  mode: StatsMode;
  signal?: AbortSignal;
}

export function isStatsMode(mode: string): mode is StatsMode {
  return (STATS_MODES as readonly string[]).includes(mode);
}

/** Depth-first over a snapshot, skipping directories whose subtree is in `skip` (when given). */
async function walkNodes(repo: Repository, treeId: Id, prefix: string, skip: Set<Id> | null, visit: (path: string, node: TreeNode) => void, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const tree = await repo.loadTree(treeId);
  for (const node of tree.nodes) {
    const p = goClean(prefix + '/' + node.name);
    if (node.type === 'dir' && node.subtree) {
      if (skip?.has(node.subtree)) continue;
      visit(p, node);
      skip?.add(node.subtree);
      await walkNodes(repo, node.subtree, p, skip, visit, signal);
    } else {
      visit(p, node);
    }
  }
}

export async function stats(repo: Repository, snapshots: SnapshotEntry[], opts: StatsOptions): Promise<StatsResult> {
  if (!isStatsMode(opts.mode)) throw new CairnError('INVALID_ARGUMENT', `unknown counting mode: ${opts.mode as string} (use ${STATS_MODES.join(', ')})`);
  await repo.loadIndex();
  const result: StatsResult = { totalSize: 0, totalFileCount: 0, totalBlobCount: 0, snapshotsCount: 0 };
  const uniqueContents = new Set<string>();
  const pathBlobs = new Map<string, Set<Id>>();
  const treesSeen = new Set<Id>();
  const dataSeen = new Set<Id>();

  for (const sn of snapshots) {
    result.snapshotsCount++;
    if (opts.mode === 'raw-data') {
      await collectBlobs(repo, sn.snapshot.tree, treesSeen, dataSeen, opts.signal);
      continue;
    }
    if (opts.mode === 'restore-size') {
      const inodes = new Set<number>();
      await walkNodes(repo, sn.snapshot.tree, '/', null, (_p, node) => {
        result.totalFileCount++;
        const inode = node.inode ?? 0;
        if (inode === 0 || !inodes.has(inode)) {
          inodes.add(inode);
          result.totalSize += node.size ?? 0;
        }
      }, opts.signal);
      continue;
    }
    await walkNodes(repo, sn.snapshot.tree, '/', new Set<Id>(), (path, node) => {
      const key = (node.content ?? []).join('');
      if (uniqueContents.has(key)) return;
      uniqueContents.add(key);
      if (opts.mode === 'files-by-contents') {
        result.totalSize += node.size ?? 0;
        result.totalFileCount++;
        return;
      }
      for (const id of node.content ?? []) {
        let seen = pathBlobs.get(path);
        if (!seen) {
          seen = new Set();
          pathBlobs.set(path, seen);
          result.totalFileCount++;
        }
        if (seen.has(id)) continue;
        const size = repo.index.plainSize('data', id);
        if (size === undefined) throw new CairnError('MISSING_OBJECT', `data blob ${id.slice(0, 8)} of ${path} is not in the index: run "cairn check"`);
        result.totalSize += size;
        seen.add(id);
        result.totalBlobCount++;
      }
    }, opts.signal);
  }

  if (opts.mode === 'raw-data') {
    const add = (type: 'tree' | 'data', ids: Set<Id>) => {
      for (const id of ids) {
        const loc = repo.index.lookup(type, id);
        if (!loc) throw new CairnError('MISSING_OBJECT', `${type} blob ${id.slice(0, 8)} is not in the index: run "cairn check"`);
        result.totalSize += loc.length;
        result.totalBlobCount++;
      }
    };
    add('tree', treesSeen);
    add('data', dataSeen);
  }
  return result;
}

/** Every tree and data blob reachable from `treeId`; trees already seen are not read again. */
async function collectBlobs(repo: Repository, treeId: Id, trees: Set<Id>, data: Set<Id>, signal?: AbortSignal): Promise<void> {
  if (trees.has(treeId)) return;
  trees.add(treeId);
  throwIfAborted(signal);
  const tree = await repo.loadTree(treeId);
  for (const node of tree.nodes) {
    if (node.type === 'file') for (const id of node.content ?? []) data.add(id);
    else if (node.type === 'dir' && node.subtree) await collectBlobs(repo, node.subtree, trees, data, signal);
  }
}
