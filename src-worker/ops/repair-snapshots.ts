// `repair snapshots` (restic 0.16 semantics): each selected snapshot is rewritten without what is
// lost. A file keeps its node but loses the data blobs the index no longer has (its size becomes
// what is left); a directory whose tree cannot be loaded becomes an empty directory; a snapshot
// whose root tree cannot be loaded is removed. The new snapshot names the old one in `original`
// and is tagged "repaired", unless `forget` removes the old one. Nothing here deletes a pack:
// `prune` later drops what no snapshot uses.
// It trusts the index, so "repair index" must run first (a pack deleted but still indexed looks
// intact here). Unchanged trees keep their ids: only trees that lost something are written anew.
import { isCairnError, throwIfAborted } from '../errors.ts';
import { hashId, type Id } from '../format/id.ts';
import type { Snapshot } from '../format/snapshot.ts';
import { encodeTree, type TreeNode } from '../format/tree.ts';
import type { Repository } from '../repository/repository.ts';
import { selectSnapshots, type SnapshotSelection } from './select.ts';

export interface RepairSnapshotsOptions {
  selection?: SnapshotSelection;
  /** Remove each original snapshot after its repaired version is saved. */
  forget?: boolean;
  /** Only report what would change; write nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  warn?: (message: string) => void;
  onEvent?: (e: RepairSnapshotsEvent) => void;
}

export type RepairSnapshotsEvent =
  | { kind: 'file-content-removed'; snapshot: Id; path: string }
  | { kind: 'file-size-fixed'; snapshot: Id; path: string }
  | { kind: 'dir-emptied'; snapshot: Id; path: string; message: string }
  | { kind: 'root-unreadable'; snapshot: Id; message: string };

export interface RepairedSnapshot {
  oldId: Id;
  /** The new snapshot's id; null when it was removed for an unreadable root, and in a dry run. */
  newId: Id | null;
  /** The snapshot was (in a dry run: would be) deleted: its root tree cannot be read. */
  removed: boolean;
  /** Paths (inside the snapshot) of files that lost data and directories that lost their content. */
  damagedPaths: string[];
}

export interface RepairSnapshotsResult {
  repaired: RepairedSnapshot[];
  /** Snapshots looked at that needed no change. */
  unchanged: Id[];
  dryRun: boolean;
}

const EMPTY_TREE = encodeTree([]);

class Rewriter {
  /** Old tree id → new tree id, for trees already rewritten (shared subtrees are done once). */
  private done = new Map<Id, Id>();
  damaged: string[] = [];

  private readonly repo: Repository;
  private readonly snapshot: Id;
  private readonly opts: RepairSnapshotsOptions;

  constructor(repo: Repository, snapshot: Id, opts: RepairSnapshotsOptions) {
    this.repo = repo;
    this.snapshot = snapshot;
    this.opts = opts;
  }

  /** The id the tree gets after repair; `null` when it is the root and cannot be loaded. */
  async tree(id: Id, at: string): Promise<Id | null> {
    throwIfAborted(this.opts.signal);
    const known = this.done.get(id);
    if (known) return known;
    let nodes: TreeNode[];
    try {
      nodes = (await this.repo.loadTree(id)).nodes;
    } catch (err) {
      if (!isCairnError(err) || err.code === 'ABORTED') throw err;
      this.damaged.push(at);
      if (at === '/') {
        this.opts.onEvent?.({ kind: 'root-unreadable', snapshot: this.snapshot, message: err.message });
        return null;
      }
      this.opts.onEvent?.({ kind: 'dir-emptied', snapshot: this.snapshot, path: at, message: err.message });
      return this.save(EMPTY_TREE);
    }
    let changed = false;
    const out: TreeNode[] = [];
    for (const node of nodes) {
      const p = at === '/' ? `/${node.name}` : `${at}/${node.name}`;
      if (node.type === 'file') {
        const next = this.file(node, p);
        if (next !== node) changed = true;
        out.push(next);
      } else if (node.type === 'dir') {
        // A dir without a subtree fails to load in restic too: it becomes an empty directory.
        const sub = node.subtree ? await this.tree(node.subtree, p) : (this.damaged.push(p), await this.save(EMPTY_TREE));
        if (sub !== node.subtree) changed = true;
        out.push(sub === node.subtree ? node : { ...node, subtree: sub! });
      } else {
        out.push(node);
      }
    }
    const result = changed ? await this.save(encodeTree(out)) : id;
    this.done.set(id, result);
    return result;
  }

  private file(node: TreeNode, p: string): TreeNode {
    const content: Id[] = [];
    let size = 0;
    let lost = false;
    for (const blob of node.content ?? []) {
      const plain = this.repo.index.plainSize('data', blob);
      if (plain === undefined) lost = true;
      else {
        content.push(blob);
        size += plain;
      }
    }
    if (lost) {
      this.damaged.push(p);
      this.opts.onEvent?.({ kind: 'file-content-removed', snapshot: this.snapshot, path: p });
    } else if (size !== (node.size ?? 0)) {
      this.opts.onEvent?.({ kind: 'file-size-fixed', snapshot: this.snapshot, path: p });
    } else {
      return node;
    }
    return { ...node, content, size };
  }

  private async save(bytes: Buffer): Promise<Id> {
    if (this.opts.dryRun) return hashId(bytes);
    return (await this.repo.saveBlob('tree', bytes)).id;
  }
}

/** Rewrites the selected snapshots (all when none are selected) without their lost parts. */
export async function repairSnapshots(repo: Repository, opts: RepairSnapshotsOptions = {}): Promise<RepairSnapshotsResult> {
  const result: RepairSnapshotsResult = { repaired: [], unchanged: [], dryRun: opts.dryRun === true };
  const entries = await selectSnapshots(repo, opts.selection ?? {}, opts.warn ?? (() => {}));
  await repo.loadIndex();
  for (const e of entries) {
    const rewriter = new Rewriter(repo, e.id, opts);
    const root = await rewriter.tree(e.snapshot.tree, '/');
    if (root === e.snapshot.tree) {
      result.unchanged.push(e.id);
      continue;
    }
    if (root === null) {
      // Nothing of it can be restored: as restic, the snapshot goes, with or without --forget.
      if (!opts.dryRun) await repo.backend.remove('snapshots', e.id);
      result.repaired.push({ oldId: e.id, newId: null, removed: true, damagedPaths: rewriter.damaged });
      continue;
    }
    let newId: Id | null = null;
    if (!opts.dryRun) {
      // Trees first, then the snapshot that names them: the write order every writer keeps.
      await repo.flush();
      const tags = e.snapshot.tags ?? [];
      const next: Snapshot = {
        ...e.snapshot, tree: root, original: e.id,
        tags: opts.forget || tags.includes('repaired') ? tags : [...tags, 'repaired'],
      };
      newId = await repo.saveSnapshot(next);
      if (opts.forget && newId !== e.id) await repo.backend.remove('snapshots', e.id);
    }
    result.repaired.push({ oldId: e.id, newId, removed: false, damagedPaths: rewriter.damaged });
  }
  if (!opts.dryRun) await repo.flush();
  return result;
}
