// `backup`: walks the sources, stores new file content through the worker pool, writes a tree per
// directory and finally the snapshot. Order of writes is packs, then index, then snapshot, so an
// interruption at any point leaves a valid repository (at worst with unreferenced packs).
import fsp from 'node:fs/promises';
import fs, { type BigIntStats } from 'node:fs';
import path from 'node:path';
import { CairnError, isCairnError, throwIfAborted } from '../../errors.ts';
import { hashId, type Id } from '../../format/id.ts';
import { sealBlob } from '../../format/blob-codec.ts';
import type { Snapshot } from '../../format/snapshot.ts';
import { formatTime, nowNs, parseTime } from '../../format/time.ts';
import { compareNames, encodeTree, sameNode, type TreeNode } from '../../format/tree.ts';
import { BackupPool, type FileFailure } from '../../pool/backup-pool.ts';
import type { BackupHeadStart } from './head-start.ts';
import type { FileResult } from '../../pool/protocol.ts';
import { RepositoryLock } from '../../repository/locks.ts';
import { currentUser, type Repository } from '../../repository/repository.ts';
import { createExcluder, type ExcludeOptions } from '../../filter/exclude.ts';
import { findParentSnapshot } from '../snapshots.ts';
import { AccountNames, nodeFromStat } from './node-from-stat.ts';
import { buildTargetTree, targetFor, toSnapshotPath, type Target, type TargetDir } from './targets.ts';
import { BackupProgressTracker, type BackupProgress } from './progress.ts';
import { fsPath } from '../../format/raw-names.ts';
import { readDirNamesSync } from './dir-names.ts';
import { readExtendedAttributes } from '../xattrs.ts';
import type { SourcePrefetch } from './prefetch.ts';

export const PROGRAM_VERSION = 'cairn 0.1.0';

export interface BackupOptions extends ExcludeOptions {
  paths: string[];
  tags?: string[];
  host?: string;
  /** Snapshot time in ns since the epoch; default now. */
  time?: bigint;
  parent?: Id;
  force?: boolean;
  oneFileSystem?: boolean;
  /** Record each entry's real access time (restic's --with-atime); else its modification time. */
  withAtime?: boolean;
  dryRun?: boolean;
  ignoreInode?: boolean;
  ignoreCtime?: boolean;
  workers?: number;
  /** Source metadata read while the repository was opened (see prefetch.ts); stopped by the walk. */
  prefetch?: SourcePrefetch;
  /**
   * What was started while the repository was opened (head-start.ts): its prefetch (unless
   * `prefetch` is given) and workers, which the backup takes or ends; it records a saved snapshot.
   */
  headStart?: BackupHeadStart;
  signal?: AbortSignal;
  onProgress?: (p: BackupProgress) => void;
  onWarning?: (path: string, message: string) => void;
}

export interface BackupSummary {
  snapshotId: Id | null;
  parent: Id | null;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Plaintext bytes of new blobs, and what they took in the repository (compressed, sealed). */
  dataAdded: number;
  dataAddedPacked: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
  durationMs: number;
  /** Source paths that could not be read; the snapshot is complete without them. */
  warnings: { path: string; message: string }[];
}

const LSTAT_WINDOW = 32;

/** A directory's tree in the parent snapshot, with its id. */
interface ParentTree {
  id: Id;
  nodes: readonly TreeNode[];
}

/**
 * Whether a directory's new nodes (sorted) are exactly its parent tree's: then that tree is the
 * directory's tree, without encoding and hashing it again. restic's Node.Equals (sameNode) and
 * the two fields it leaves out must all agree.
 */
function sameListing(nodes: readonly TreeNode[], prev: ParentTree): boolean {
  if (nodes.length !== prev.nodes.length) return false;
  for (let i = 0; i < nodes.length; i++) {
    const a = nodes[i]!, b = prev.nodes[i]!;
    if (!sameNode(a, b) || (a.linktarget_raw ?? '') !== (b.linktarget_raw ?? '')) return false;
    if ((a.generic_attributes || b.generic_attributes) && JSON.stringify(a.generic_attributes ?? {}) !== JSON.stringify(b.generic_attributes ?? {})) return false;
  }
  return true;
}

/**
 * `dir`/`name` for a name readdir returned (it holds no separator) in a directory the walk already
 * normalized: path.join would normalize the whole path again for each of millions of entries.
 */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

type Change = 'new' | 'changed' | 'unmodified';

class Archiver {
  private readonly repo: Repository;
  private readonly opts: BackupOptions;
  private readonly pool: BackupPool;
  private readonly names = new AccountNames();
  private readonly isExcluded: (p: string, st: { isDirectory: boolean; size: number }) => boolean | Promise<boolean>;
  readonly progress: BackupProgressTracker;
  readonly summary: BackupSummary;
  private readonly rootDevices = new Set<bigint>();

  constructor(repo: Repository, opts: BackupOptions, pool: BackupPool, isExcluded: Archiver['isExcluded'], summary: BackupSummary) {
    this.repo = repo;
    this.opts = opts;
    this.pool = pool;
    this.isExcluded = isExcluded;
    this.summary = summary;
    this.progress = new BackupProgressTracker(opts.onProgress);
  }

  /** The node for an entry, with its extended attributes (restic records none for symlinks). */
  private nodeOf(abs: string, name: string, st: BigIntStats): TreeNode {
    const node = nodeFromStat(name, st, this.names, this.opts.withAtime);
    if (node.type !== 'symlink') {
      const prefetched = this.opts.prefetch?.takeAttributes(abs);
      for (const message of prefetched?.warnings ?? []) this.warn(abs, message);
      const attrs = prefetched ? prefetched.attrs : readExtendedAttributes(abs, (message) => this.warn(abs, message));
      if (attrs) node.extended_attributes = attrs;
    }
    return node;
  }

  private lstat(p: string): BigIntStats | Error {
    const prefetched = this.opts.prefetch?.takeStat(p);
    if (prefetched) return prefetched;
    try {
      return fs.lstatSync(fsPath(p), { bigint: true });
    } catch (err) {
      return err as Error;
    }
  }

  private warn(p: string, message: string): void {
    this.summary.warnings.push({ path: p, message });
    this.progress.errors++;
    this.opts.onWarning?.(p, message);
  }

  private async loadSubtree(node: TreeNode | undefined): Promise<ParentTree | null> {
    if (!node || node.type !== 'dir' || !node.subtree) return null;
    try {
      return { id: node.subtree, nodes: (await this.repo.loadTree(node.subtree, false)).nodes };
    } catch (err) {
      // A damaged parent only costs re-reading files; warn and go on without it.
      this.opts.onWarning?.(node.name, `cannot load the parent snapshot's tree: ${(err as Error).message}`);
      return null;
    }
  }

  private fileUnchanged(prev: TreeNode | undefined, st: BigIntStats): boolean {
    if (!prev || prev.type !== 'file' || !prev.content) return false;
    if ((prev.size ?? 0) !== Number(st.size)) return false;
    try {
      if (parseTime(prev.mtime) !== st.mtimeNs) return false;
      if (!this.opts.ignoreCtime && parseTime(prev.ctime) !== st.ctimeNs) return false;
    } catch {
      return false;
    }
    if (!this.opts.ignoreInode && (prev.inode ?? 0) !== Number(st.ino)) return false;
    // Content must still be in the repository (a prune may have removed damaged data).
    return prev.content.every((id) => this.repo.index.has('data', id));
  }

  /** Saves the tree of a finished directory (unless the parent's is the same); returns its id. */
  private async saveTree(nodes: TreeNode[], prev: ParentTree | null = null): Promise<Id> {
    nodes.sort((a, b) => compareNames(a.name, b.name));
    if (prev && sameListing(nodes, prev)) return prev.id;
    const blob = encodeTree(nodes);
    if (!this.opts.dryRun && this.pool.started) {
      // The workers seal it (their stored size is counted at the flush).
      const id = hashId(blob);
      if (this.repo.claimBlob('tree', id)) {
        this.pool.saveTree(id, blob);
        this.summary.treeBlobs++;
        this.summary.dataAdded += blob.length;
      }
      return id;
    }
    const { id, stored } = this.opts.dryRun ? this.dryRunTree(blob) : await this.repo.saveBlob('tree', blob);
    if (stored > 0) {
      this.summary.treeBlobs++;
      this.summary.dataAdded += blob.length;
      this.summary.dataAddedPacked += stored;
    }
    return id;
  }

  /** What saving a tree would add, without writing it (--dry-run). */
  private dryRunTree(blob: Buffer): { id: Id; stored: number } {
    const id = hashId(blob);
    if (!this.repo.claimBlob('tree', id)) return { id, stored: 0 };
    const { sealed } = sealBlob(this.repo.key, blob, this.repo.blobCompression('tree'));
    return { id, stored: sealed.length };
  }

  /** As restic counts: unmodified only when the whole node (metadata too) equals the parent's. */
  private countDir(prev: TreeNode | undefined, node: TreeNode): void {
    if (!prev) this.summary.dirsNew++;
    else if (sameNode(prev, node)) this.summary.dirsUnmodified++;
    else this.summary.dirsChanged++;
  }

  /** The node of a regular file whose content the parent snapshot already has. */
  private unchangedFile(abs: string, name: string, st: BigIntStats, prev: TreeNode): TreeNode {
    const node = this.nodeOf(abs, name, st);
    node.content = prev.content; // never modified in place, so shared with the parent's node
    this.summary.filesUnmodified++;
    this.progress.fileDone(abs, Number(st.size));
    return node;
  }

  /**
   * Archives one entry (file, symlink, device...) that is not a directory and not a file the parent
   * already has (the callers hand those to unchangedFile). Resolves to null when skipped.
   */
  private async archiveLeaf(abs: string, name: string, st: BigIntStats, prev: TreeNode | undefined): Promise<TreeNode | null> {
    const node = this.nodeOf(abs, name, st);
    if (node.type === 'symlink') {
      try {
        node.linktarget = await fsp.readlink(fsPath(abs));
      } catch (err) {
        this.warn(abs, `cannot read symlink: ${(err as Error).message}`);
        return null;
      }
      return node;
    }
    if (node.type !== 'file') return node;
    this.progress.startFile(abs);
    const change: Change = prev ? 'changed' : 'new';
    let result: FileResult;
    try {
      result = await this.pool.saveFile(abs, Number(st.size), (n) => this.progress.addBytes(n));
    } catch (err) {
      if (this.pool.error) throw this.pool.error;
      const f = err as FileFailure;
      this.warn(abs, f.code === 'ENOENT' ? 'file vanished before it could be read' : `cannot read file: ${f.message}`);
      this.progress.fileDone(abs, 0);
      return null;
    }
    node.content = result.content;
    if (result.size) node.size = result.size;
    else delete node.size;
    this.summary.dataBlobs += result.newBlobs;
    this.summary.dataAdded += result.newBytes;
    this.summary.dataAddedPacked += result.storedBytes;
    this.count(change);
    this.progress.fileDone(abs, 0);
    return node;
  }

  private count(change: Change): void {
    if (change === 'new') this.summary.filesNew++;
    else if (change === 'changed') this.summary.filesChanged++;
    else this.summary.filesUnmodified++;
  }

  /**
   * Walks a directory and starts work for each entry. Returns once every entry has been started
   * (so the caller can walk on) with a promise of the directory's subtree id, which settles when
   * all of its content is stored. (Wrapped in an object: a promise returned from an async
   * function would be awaited along with it.) `done: null`: the directory could not be listed
   * (warned); like restic, it is then left out.
   */
  private async walkDir(abs: string, prevTree: ParentTree | null): Promise<{ done: Promise<Id> | null }> {
    throwIfAborted(this.opts.signal);
    let names: string[] | Error;
    try {
      // Sync on purpose (here and for lstat below): a local readdir or lstat takes microseconds,
      // less than the thread-pool round trip of the promise version.
      names = this.opts.prefetch?.takeNames(abs) ?? readDirNamesSync(abs);
    } catch (err) {
      names = err as Error;
    }
    if (names instanceof Error) {
      this.warn(abs, `cannot read directory: ${names.message}`);
      return { done: null };
    }
    names.sort(compareNames); // a no-op pass over a prefetched listing
    const prevByName = new Map<string, TreeNode>();
    for (const n of prevTree?.nodes ?? []) prevByName.set(n.name, n);

    const children: (TreeNode | Promise<TreeNode | null>)[] = [];
    // Entries are stat'ed a window at a time and their work started in name order.
    for (let i = 0; i < names.length; i += LSTAT_WINDOW) {
      const batch = names.slice(i, i + LSTAT_WINDOW);
      const paths = batch.map((n) => childPath(abs, n));
      const stats = paths.map((p) => this.lstat(p));
      for (let k = 0; k < batch.length; k++) {
        throwIfAborted(this.opts.signal);
        const name = batch[k];
        const child = paths[k];
        const st = stats[k];
        if (st instanceof Error) {
          if ((st as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(child, `cannot stat: ${st.message}`);
          continue;
        }
        let excluded = this.isExcluded(toSnapshotPath(child), { isDirectory: st.isDirectory(), size: Number(st.size) });
        // Awaited only when a rule has to read the file system (--exclude-if-present and the
        // like): otherwise an await would cost a promise and a microtask turn per entry.
        if (typeof excluded !== 'boolean') excluded = await excluded;
        if (excluded) continue;
        const prev = prevByName.get(name);
        if (st.isDirectory()) {
          if (this.opts.oneFileSystem && !this.rootDevices.has(st.dev)) {
            // A mount point: kept as an empty directory, as restic keeps it, so a restore
            // recreates the place where the other file system is mounted.
            children.push(guard(this.saveTree([]).then((subtree) => {
              const node = this.nodeOf(child, name, st);
              node.subtree = subtree;
              this.countDir(prev, node);
              return node;
            })));
            continue;
          }
          // Depth first, like restic: the subdirectory is listed (recursively) before the next
          // entry here, so only the directories on the current path and those still waiting for
          // file content are in memory, not every directory of the source at once.
          children.push((await this.archiveDir(child, name, st, prev)).node);
        } else if (st.isFile() && this.fileUnchanged(prev, st)) {
          // Most files of a later backup: their node is ready now, no promise needed.
          children.push(this.unchangedFile(child, name, st, prev!));
        } else {
          if (st.isFile()) await this.pool.waitForCapacity();
          children.push(guard(this.archiveLeaf(child, name, st, prev)));
        }
      }
    }
    return { done: guard(Promise.all(children).then((nodes) => this.saveTree(nodes.filter((n): n is TreeNode => n !== null), prevTree))) };
  }

  /** Walks a directory; resolves once its entries are started, with a promise of its finished node. */
  private async archiveDir(abs: string, name: string, st: BigIntStats, prev: TreeNode | undefined): Promise<{ node: Promise<TreeNode | null> }> {
    const prevTree = await this.loadSubtree(prev);
    const { done } = await this.walkDir(abs, prevTree);
    if (!done) return { node: Promise.resolve(null) };
    return {
      node: guard(done.then((subtree) => {
        const node = this.nodeOf(abs, name, st);
        node.subtree = subtree;
        this.countDir(prev, node);
        return node;
      })),
    };
  }

  /** Archives the synthetic directories between the snapshot root and the targets. */
  async archiveTargets(dir: TargetDir, prevTree: ParentTree | null): Promise<Id> {
    if (dir.isTarget) {
      // The file system root itself is a target: its listing is the snapshot's root tree.
      const st = this.lstat(dir.path);
      if (st instanceof Error) throw st;
      this.rootDevices.add(st.dev);
      const { done } = await this.walkDir(dir.path, prevTree);
      if (!done) throw new CairnError('SOURCE_MISSING', `nothing to back up: ${dir.path} cannot be read`);
      return done;
    }
    const children: Promise<TreeNode | null>[] = [];
    for (const [name, child] of [...dir.children].sort((a, b) => compareNames(a[0], b[0]))) {
      const prev = prevTree?.nodes.find((n) => n.name === name);
      const st = this.lstat(child.path);
      if (st instanceof Error) {
        if (child.isTarget) {
          this.warn(child.path, (st as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot stat: ${st.message}`);
          continue;
        }
        throw st;
      }
      if (child.isTarget) {
        this.rootDevices.add(st.dev);
        if (st.isDirectory()) children.push((await this.archiveDir(child.path, name, st, prev)).node);
        else if (st.isFile() && this.fileUnchanged(prev, st)) children.push(Promise.resolve(this.unchangedFile(child.path, name, st, prev!)));
        else children.push(guard(this.archiveLeaf(child.path, name, st, prev)));
      } else {
        const prevSub = await this.loadSubtree(prev);
        const subtree = await this.archiveTargets(child, prevSub);
        const node = this.nodeOf(child.path, name, st);
        node.subtree = subtree;
        this.countDir(prev, node);
        children.push(Promise.resolve(node));
      }
    }
    const nodes = (await Promise.all(children)).filter((n): n is TreeNode => n !== null);
    return this.saveTree(nodes, prevTree);
  }
}

/** Marks a promise as handled now (it is awaited later), so an early rejection is not fatal to the process. */
function guard<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

export async function backup(repo: Repository, options: BackupOptions): Promise<BackupSummary> {
  try {
    return await runBackup(repo, options);
  } finally {
    await options.headStart?.close(); // workers started ahead that no pool took
  }
}

async function runBackup(repo: Repository, givenOptions: BackupOptions): Promise<BackupSummary> {
  const started = performance.now();
  const options = { ...givenOptions, prefetch: givenOptions.prefetch ?? givenOptions.headStart?.prefetch };
  const signal = options.signal;
  if (options.paths.length === 0) throw new CairnError('INVALID_ARGUMENT', 'nothing to back up: give at least one file or directory');
  const seen = new Set<string>();
  const allTargets = options.paths.map(targetFor).filter((t) => !seen.has(t.local) && seen.add(t.local));
  const targets = allTargets.map((t) => t.local);
  const existingTargets: { target: Target; st: fs.Stats }[] = [];
  for (const target of allTargets) {
    const st = fs.lstatSync(target.local, { throwIfNoEntry: false });
    if (st) existingTargets.push({ target, st });
  }
  const existing = existingTargets.map((t) => t.target.local);
  if (existing.length === 0) {
    throw new CairnError('SOURCE_MISSING', `nothing to back up: ${targets.join(', ')} ${targets.length === 1 ? 'does' : 'do'} not exist`);
  }
  const excluder = await createExcluder(options);
  // Like restic, the exclude rules apply to the paths given too (a shell's `dir/*`, a
  // --files-from glob), not only to what is found inside them.
  const keptTargets: Target[] = [];
  for (const { target, st } of existingTargets) {
    if (target.parts.length > 0 && (await excluder.isExcluded(toSnapshotPath(target.local), { isDirectory: st.isDirectory(), size: st.size }))) continue;
    keptTargets.push(target);
  }
  if (keptTargets.length === 0) {
    throw new CairnError('INVALID_ARGUMENT', `nothing to back up: the exclude options exclude every path given (${existing.join(', ')})`);
  }
  const host = options.host ?? currentUser().hostname;
  const time = options.time ?? nowNs();

  const summary: BackupSummary = {
    snapshotId: null, parent: null, filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirsNew: 0, dirsChanged: 0,
    dirsUnmodified: 0, dataBlobs: 0, treeBlobs: 0, dataAdded: 0, dataAddedPacked: 0, totalFilesProcessed: 0,
    totalBytesProcessed: 0, durationMs: 0, warnings: [],
  };
  const pool = new BackupPool(repo, await repo.getStagingDir(), { workers: options.workers, dryRun: options.dryRun, warm: options.headStart });
  // Between files the walk checks the signal itself; this stops the files being read right now.
  const onAbort = () => pool.abort(new CairnError('ABORTED', 'the backup was cancelled; no snapshot was written'));
  signal?.addEventListener('abort', onAbort, { once: true });
  let archiver: Archiver | null = null;
  // The lock is written, then checked again after restic's 200 ms wait for a racing exclusive
  // lock. Reading, the walk and packing go on during that wait; whatever would go into the
  // repository waits for the lock (holdWritesUntil), and if it fails the walk stops.
  const locking = options.dryRun ? Promise.resolve(null) : RepositoryLock.acquire(repo, false);
  const lockFailed = new AbortController();
  locking.catch((err: Error) => {
    lockFailed.abort(err);
    pool.abort(err);
  });
  repo.holdWritesUntil(locking);
  const walkSignal = signal ? AbortSignal.any([signal, lockFailed.signal]) : lockFailed.signal;
  let lock: RepositoryLock | null = null;
  try {
    await repo.loadIndex();
    // Like restic: a missing source is a warning (exit 3) and is left out of the snapshot's paths,
    // which also decide the parent of later backups.
    const snapshotPaths = existing.map(toSnapshotPath).sort(); // restic sorts them too
    const parent = options.force ? null : await findParentSnapshot(repo, { paths: snapshotPaths, host, before: time, explicit: options.parent });
    summary.parent = parent?.id ?? null;
    const parentRoot = parent ? await repo.loadTree(parent.snapshot.tree, false).catch(() => null) : null;
    const parentTree: ParentTree | null = parentRoot && { id: parent!.snapshot.tree, nodes: parentRoot.nodes };

    archiver = new Archiver(repo, { ...options, signal: walkSignal }, pool, (p, st) => excluder.isExcluded(p, st), summary);
    for (const t of targets) {
      if (!existing.includes(t)) {
        summary.warnings.push({ path: t, message: 'does not exist' });
        options.onWarning?.(t, 'does not exist');
      }
    }
    archiver.progress.startScan(keptTargets.map((t) => t.local), (p, st) => excluder.isExcluded(p, st), signal);
    options.prefetch?.stop(); // the walk itself goes on from here, taking what it read
    const rootTree = await archiver.archiveTargets(buildTargetTree(keptTargets), parentTree);
    throwIfAborted(signal);
    lock = await locking;
    if (!options.dryRun) {
      summary.dataAddedPacked += await pool.flush();
      await repo.flush();
    }
    const me = currentUser();
    const sn: Snapshot = {
      time: formatTime(time),
      parent: parent?.id,
      tree: rootTree,
      paths: snapshotPaths,
      hostname: host,
      username: me.username,
      uid: me.uid,
      gid: me.gid,
      excludes: excluder.patterns.length ? excluder.patterns : undefined,
      tags: options.tags?.length ? options.tags : undefined,
      program_version: PROGRAM_VERSION,
    };
    if (!options.dryRun) {
      summary.snapshotId = await repo.saveSnapshot(sn);
      options.headStart?.saveRecord();
    }
    summary.totalFilesProcessed = summary.filesNew + summary.filesChanged + summary.filesUnmodified;
    summary.totalBytesProcessed = archiver.progress.bytesDone;
    summary.durationMs = performance.now() - started;
    return summary;
  } catch (err) {
    repo.abandonWrites();
    // A repository locked by someone else can fail the reading too (prune removing index files):
    // the lock is then what the user needs to hear about.
    if (!lock) {
      const lockError = await locking.then(() => null, (e: unknown) => e);
      if (lockError) throw lockError;
    }
    if (signal?.aborted && !isCairnError(err, 'ABORTED')) throw new CairnError('ABORTED', 'the backup was cancelled; no snapshot was written', { cause: err });
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    archiver?.progress.stop();
    await pool.close();
    repo.holdWritesUntil(null);
    await (lock ?? await locking.catch(() => null))?.release();
  }
}
