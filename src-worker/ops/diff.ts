// `diff`: what changed from one snapshot to another, with restic 0.14's rules. Both trees are walked
// together in name order; a path gets "+" (only in the second), "-" (only in the first), "T" (the
// type changed), "M" (a file's content list changed) or, when asked for, "U" (metadata only).
// Directories whose subtree id is equal are not descended. The statistics count the blobs only
// one side references, with their plaintext sizes.
import { throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import { sameInstant } from '../format/time.ts';
import { compareNames, type TreeNode } from '../format/tree.ts';
import { goClean } from '../filter/filter.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';

export interface DiffChange {
  /** Snapshot path; directories end with "/". */
  path: string;
  /** "+", "-", or a combination of "T", "M" and "U" in that order. */
  modifier: string;
}

export interface DiffStat {
  files: number;
  dirs: number;
  others: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext bytes of the counted blobs. */
  bytes: number;
}

export interface DiffResult {
  changedFiles: number;
  added: DiffStat;
  removed: DiffStat;
  /** Blobs whose size the index does not know (restic warns and leaves them out of `bytes`). */
  unknownSizes: { type: 'data' | 'tree'; id: Id }[];
}

export interface DiffOptions {
  /** Report metadata-only changes ("U"), as restic's --metadata. */
  metadata?: boolean;
  signal?: AbortSignal;
}

/** A blob as a set key: type letter and id, so a data and a tree blob with one id stay apart. */
type BlobKey = string;
const dataKey = (id: Id): BlobKey => 'd' + id;
const treeKey = (id: Id): BlobKey => 't' + id;

function emptyStat(): DiffStat {
  return { files: 0, dirs: 0, others: 0, dataBlobs: 0, treeBlobs: 0, bytes: 0 };
}

function countNode(s: DiffStat, n: TreeNode): void {
  if (n.type === 'file') s.files++;
  else if (n.type === 'dir') s.dirs++;
  else s.others++;
}

/** The blobs a node references directly: a file's content, a directory's subtree. */
function addBlobs(set: Set<BlobKey>, n: TreeNode | undefined): void {
  if (!n) return;
  if (n.type === 'file') for (const id of n.content ?? []) set.add(dataKey(id));
  else if (n.type === 'dir' && n.subtree) set.add(treeKey(n.subtree));
}

function joinPath(prefix: string, name: string): string {
  return goClean(prefix + '/' + name);
}

function sameContent(a: Id[] | null, b: Id[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function sameXattrs(a: TreeNode, b: TreeNode): boolean {
  const xa = a.extended_attributes ?? [], xb = b.extended_attributes ?? [];
  if (xa.length !== xb.length) return false;
  const values = new Map(xa.map((x) => [x.name, x.value]));
  const seen = new Set<string>();
  for (const x of xb) {
    if (!values.has(x.name) || values.get(x.name) !== x.value) return false;
    seen.add(x.name);
  }
  return seen.size === values.size;
}

/** restic 0.14's Node.Equals: every field its node carries, times compared as instants. */
export function nodesEqual(a: TreeNode, b: TreeNode): boolean {
  return a.name === b.name && a.type === b.type && (a.mode ?? 0) === (b.mode ?? 0)
    && sameInstant(a.mtime, b.mtime) && sameInstant(a.atime, b.atime) && sameInstant(a.ctime, b.ctime)
    && a.uid === b.uid && a.gid === b.gid && (a.user ?? '') === (b.user ?? '') && (a.group ?? '') === (b.group ?? '')
    && (a.inode ?? 0) === (b.inode ?? 0) && (a.device_id ?? 0) === (b.device_id ?? 0)
    && (a.size ?? 0) === (b.size ?? 0) && (a.links ?? 0) === (b.links ?? 0)
    && (a.linktarget ?? '') === (b.linktarget ?? '') && (a.device ?? 0) === (b.device ?? 0)
    && sameContent(a.content, b.content) && sameXattrs(a, b)
    && (a.subtree ?? null) === (b.subtree ?? null) && (a.error ?? '') === (b.error ?? '');
}

class Comparer {
  readonly before = new Set<BlobKey>();
  readonly after = new Set<BlobKey>();
  /** Blobs under directories that are identical on both sides (never reported as added/removed). */
  readonly common = new Set<BlobKey>();
  readonly added = emptyStat();
  readonly removed = emptyStat();
  changedFiles = 0;

  private readonly repo: Repository;
  private readonly opts: DiffOptions;
  private readonly emit: (c: DiffChange) => void;

  constructor(repo: Repository, opts: DiffOptions, emit: (c: DiffChange) => void) {
    this.repo = repo;
    this.opts = opts;
    this.emit = emit;
  }

  /** Everything under a directory that exists on one side only. */
  private async printDir(modifier: '+' | '-', stat: DiffStat, blobs: Set<BlobKey>, prefix: string, treeId: Id): Promise<void> {
    throwIfAborted(this.opts.signal);
    const tree = await this.repo.loadTree(treeId);
    for (const n of tree.nodes) {
      let p = joinPath(prefix, n.name);
      if (n.type === 'dir') p += '/';
      this.emit({ path: p, modifier });
      countNode(stat, n);
      addBlobs(blobs, n);
      if (n.type === 'dir' && n.subtree) await this.printDir(modifier, stat, blobs, p, n.subtree);
    }
  }

  private async collectDir(blobs: Set<BlobKey>, treeId: Id): Promise<void> {
    throwIfAborted(this.opts.signal);
    const tree = await this.repo.loadTree(treeId);
    for (const n of tree.nodes) {
      addBlobs(blobs, n);
      if (n.type === 'dir' && n.subtree) await this.collectDir(blobs, n.subtree);
    }
  }

  async diffTree(prefix: string, id1: Id, id2: Id): Promise<void> {
    throwIfAborted(this.opts.signal);
    const [t1, t2] = await Promise.all([this.repo.loadTree(id1), this.repo.loadTree(id2)]);
    const nodes1 = new Map(t1.nodes.map((n) => [n.name, n]));
    const nodes2 = new Map(t2.nodes.map((n) => [n.name, n]));
    const names = [...new Set([...nodes1.keys(), ...nodes2.keys()])].sort(compareNames);
    for (const name of names) {
      const n1 = nodes1.get(name), n2 = nodes2.get(name);
      addBlobs(this.before, n1);
      addBlobs(this.after, n2);
      if (n1 && n2) {
        let p = joinPath(prefix, name);
        let mod = '';
        if (n1.type !== n2.type) mod += 'T';
        // The path gets its "/" from the new node's type, as restic prints it.
        if (n2.type === 'dir') p += '/';
        if (n1.type === 'file' && n2.type === 'file' && !sameContent(n1.content, n2.content)) {
          mod += 'M';
          this.changedFiles++;
        } else if (this.opts.metadata && !nodesEqual(n1, n2)) {
          mod += 'U';
        }
        if (mod !== '') this.emit({ path: p, modifier: mod });
        // A directory that became something else (or the reverse) is not descended: restic
        // reports only the type change, not the entries inside.
        if (n1.type === 'dir' && n2.type === 'dir' && n1.subtree && n2.subtree) {
          if (n1.subtree === n2.subtree) await this.collectDir(this.common, n1.subtree);
          else await this.diffTree(p, n1.subtree, n2.subtree);
        }
      } else if (n1) {
        let p = joinPath(prefix, name);
        if (n1.type === 'dir') p += '/';
        this.emit({ path: p, modifier: '-' });
        countNode(this.removed, n1);
        if (n1.type === 'dir' && n1.subtree) await this.printDir('-', this.removed, this.before, p, n1.subtree);
      } else if (n2) {
        let p = joinPath(prefix, name);
        if (n2.type === 'dir') p += '/';
        this.emit({ path: p, modifier: '+' });
        countNode(this.added, n2);
        if (n2.type === 'dir' && n2.subtree) await this.printDir('+', this.added, this.after, p, n2.subtree);
      }
    }
  }
}

/**
 * Compares snapshot `a` to snapshot `b`, calling `emit` for each changed path in restic's order,
 * and returns the statistics restic prints at the end.
 */
export async function diff(repo: Repository, a: SnapshotEntry, b: SnapshotEntry, opts: DiffOptions, emit: (c: DiffChange) => void): Promise<DiffResult> {
  await repo.loadIndex();
  const c = new Comparer(repo, opts, emit);
  c.before.add(treeKey(a.snapshot.tree));
  c.after.add(treeKey(b.snapshot.tree));
  await c.diffTree('/', a.snapshot.tree, b.snapshot.tree);

  const unknownSizes: DiffResult['unknownSizes'] = [];
  const count = (only: Set<BlobKey>, other: Set<BlobKey>, stat: DiffStat) => {
    for (const key of only) {
      if (other.has(key) || c.common.has(key)) continue;
      const type = key[0] === 't' ? 'tree' : 'data';
      const id = key.slice(1);
      if (type === 'tree') stat.treeBlobs++;
      else stat.dataBlobs++;
      const size = repo.index.plainSize(type, id);
      if (size === undefined) unknownSizes.push({ type, id });
      else stat.bytes += size;
    }
  };
  count(c.before, c.after, c.removed);
  count(c.after, c.before, c.added);
  return { changedFiles: c.changedFiles, added: c.added, removed: c.removed, unknownSizes };
}
