// `restore`: recreates a snapshot (or part of it) under a target directory. First a plan is made
// from the trees and checked (safe names, conflicts with existing files) before anything is
// written; then each needed pack is read once, in ranges, and workers write the blobs into
// temporary files that are renamed into place when complete; metadata comes last.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CairnError, fromSystemError, isCairnError, throwIfAborted } from '../../errors.ts';
import { posixPermFromGoMode } from '../../format/filemode.ts';
import type { Id } from '../../format/id.ts';
import { parseTime } from '../../format/time.ts';
import type { TreeNode } from '../../format/tree.ts';
import { compilePatterns, type CompiledPatterns } from '../../filter/filter.ts';
import { defaultWorkerCount } from '../../pool/backup-pool.ts';
import type { RestoreItem, RestoreTaskResult } from '../../pool/restore-protocol.ts';
import { ownedArrayBuffer, RestorePool } from '../../pool/restore-pool.ts';
import type { Repository, SnapshotEntry } from '../../repository/repository.ts';
import { mapLimit } from '../../repository/concurrency.ts';
import { checkName, resolveSubpath } from './paths.ts';
import { fsPath } from '../../format/raw-names.ts';
import { makeDirs } from '../../backend/make-dirs.ts';
import { setFileTimes } from '../file-times.ts';
import { writeExtendedAttributes } from '../xattrs.ts';

export type OverwritePolicy = 'never' | 'always' | 'if-changed';

export interface RestoreOptions {
  snapshot: SnapshotEntry;
  /** Restore only this path of the snapshot (restic's snapshot:subpath); its content lands in the target. */
  subpath?: string;
  target: string;
  include?: string[];
  exclude?: string[];
  iinclude?: string[];
  iexclude?: string[];
  overwrite?: OverwritePolicy;
  verify?: boolean;
  sparse?: boolean;
  dryRun?: boolean;
  workers?: number;
  signal?: AbortSignal;
  /**
   * The `confirmed` of a lock from RepositoryLock.begin: the index, the trees and the target are
   * read while it waits out its re-check, and nothing is written before it settles (a racing
   * exclusive lock, such as a prune's, stops the restore with that lock's error).
   */
  lockConfirmed?: Promise<void>;
  onProgress?: (p: RestoreProgress) => void;
  onWarning?: (path: string, message: string) => void;
}

export interface RestoreProgress {
  filesDone: number;
  totalFiles: number;
  bytesDone: number;
  totalBytes: number;
  elapsedMs: number;
}

export interface RestoreSummary {
  filesRestored: number;
  dirsRestored: number;
  otherRestored: number;
  filesUnchanged: number;
  bytesRestored: number;
  totalFiles: number;
  totalBytes: number;
  /** Existing paths in the target that the restore would replace (with overwrite "never": the reason it stopped). */
  conflicts: string[];
  errors: { path: string; message: string }[];
  verified: number;
  durationMs: number;
}

/** What restore sets on a path once written: a tree node's metadata (a TreeNode is one). */
type NodeMetadata = Pick<TreeNode, 'mode' | 'uid' | 'gid' | 'atime' | 'mtime' | 'extended_attributes'>;

/**
 * A file to write. The plan holds one per file of the snapshot until the restore ends, so it keeps
 * only what writing and finishing the file need, flat in one object: a snapshot of 100,000 small
 * files planned in 141 MiB of heap when each kept its tree node, its target path and its
 * temporary path (~1.3 KB a file).
 */
interface PlannedFile extends NodeMetadata {
  /** The folder it goes into (one string shared by the files of a folder), and its name there. */
  dir: string;
  name: string;
  /** Numbers its temporary file in `dir` (see Restorer.tmpPath). */
  seq: number;
  size: number;
  content: Id[];
  remaining: number;
  failed: string | null;
  /** Made by the main thread (a file without blobs) or by the workers, which write its blobs. */
  created: boolean;
  /** Renamed into place, or given up and its temporary file removed. */
  finished: boolean;
}

/** A blob to write into a file at an offset. */
interface FileWrite {
  file: PlannedFile;
  offset: number;
}

/** A blob of a pack that the restore needs, and where it goes. */
interface NeededBlob {
  id: Id;
  /** Its place in the pack. */
  offset: number;
  length: number;
  uncompressedLength: number;
  writes: FileWrite[];
}

interface Plan {
  dirs: { local: string; node: TreeNode | null }[];
  files: PlannedFile[];
  hardlinks: { local: string; node: TreeNode; first: PlannedFile }[];
  symlinks: { local: string; node: TreeNode }[];
  specials: { local: string; node: TreeNode }[];
}

const MAX_GAP = 1 << 20;
/**
 * Pack bytes being read or waiting for a worker at once. A remote range is downloaded whole before
 * a worker takes it, so this is most of what a remote restore holds: 48 MiB (with 8 MiB ranges)
 * peaked at 252-269 MiB over SFTP, 24 MiB (4 MiB ranges) at 218-225, as fast (1 GiB, 3 runs each).
 */
const MAX_IN_FLIGHT_BYTES = 24 << 20;
/**
 * Blob writes handed to the workers at once, and at most in one range: a range of small files is
 * small in bytes but not in messages (each write names its file), and with bytes as the only
 * bound a restore of 100,000 small files had all of them in flight: +110 MiB of heap.
 */
const MAX_IN_FLIGHT_WRITES = 4096;
const MAX_RANGE_WRITES = 1024;
/**
 * Largest pack range read at once: what a worker holds in memory (a single blob may exceed it).
 * A local read costs no round trip, and 2 MiB ranges restored 1 GiB as fast as 8 MiB ones with
 * ~10 MiB less at the peak (3 runs each: 4.46 and 4.40 s, 151 and 142 MiB); a remote range is a
 * request (a few round trips), so those are larger.
 */
const MAX_RANGE = { local: 2 << 20, remote: 4 << 20 };
const TMP_PREFIX = '.cairn-restore-';

/**
 * The same text as one flat string. path.join builds its result from slices of its input, and the
 * plan keeps one such path per folder: held as they come, the pieces took ~0.5 KB a path. The JSON
 * round trip is lossless, lone surrogates (raw names) included.
 */
function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function selector(opts: RestoreOptions): (snPath: string, isDir: boolean) => { selected: boolean; descend: boolean } {
  const inc: CompiledPatterns[] = [];
  const exc: CompiledPatterns[] = [];
  if (opts.include?.length) inc.push(compilePatterns(opts.include));
  if (opts.iinclude?.length) inc.push(compilePatterns(opts.iinclude, { caseInsensitive: true }));
  if (opts.exclude?.length) exc.push(compilePatterns(opts.exclude));
  if (opts.iexclude?.length) exc.push(compilePatterns(opts.iexclude, { caseInsensitive: true }));
  return (p, isDir) => {
    for (const e of exc) if (e.match(p)) return { selected: false, descend: false };
    if (inc.length === 0) return { selected: true, descend: isDir };
    let selected = false, descend = false;
    for (const i of inc) {
      if (i.match(p)) selected = true;
      if (isDir && i.childMayMatch(p)) descend = true;
    }
    return { selected, descend: isDir && (selected || descend) };
  };
}

class Restorer {
  private readonly repo: Repository;
  private readonly opts: RestoreOptions;
  private readonly target: string;
  readonly summary: RestoreSummary;
  private readonly started = performance.now();
  /** Names this restore's temporary files, with each file's number (unguessable: see tmpPath). */
  private readonly run = crypto.randomBytes(8).toString('hex');
  private bytesDone = 0;
  private filesDone = 0;

  constructor(repo: Repository, opts: RestoreOptions) {
    this.repo = repo;
    this.opts = opts;
    this.target = path.resolve(opts.target);
    this.summary = {
      filesRestored: 0, dirsRestored: 0, otherRestored: 0, filesUnchanged: 0, bytesRestored: 0, totalFiles: 0,
      totalBytes: 0, conflicts: [], errors: [], verified: 0, durationMs: 0,
    };
  }

  /** Where a planned file goes. */
  private static local(f: PlannedFile): string {
    return path.join(f.dir, f.name);
  }

  /**
   * Where a planned file is written before it is renamed into place: in the same folder, named by
   * the run's random part and the file's number, so nobody can place a symlink there ahead of it.
   */
  private tmpPath(f: PlannedFile): string {
    return path.join(f.dir, `${TMP_PREFIX}${this.run}-${f.seq}`);
  }

  private error(p: string, message: string): void {
    this.summary.errors.push({ path: p, message });
    this.opts.onWarning?.(p, message);
  }

  private inside(local: string): string {
    const rel = path.relative(this.target, local);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new CairnError('UNSAFE_PATH', `refusing to restore ${local}: it lies outside the target ${this.target}`);
    }
    return local;
  }

  async plan(): Promise<Plan> {
    const plan: Plan = { dirs: [], files: [], hardlinks: [], symlinks: [], specials: [] };
    const select = selector(this.opts);
    const hardlinkFirst = new Map<string, PlannedFile>();
    const root = await resolveSubpath(this.repo, this.opts.snapshot.snapshot.tree, this.opts.subpath);
    if (root.kind === 'node') {
      // The subpath is a single file or symlink: restore it into the target under its name.
      this.planLeaf(plan, root.node, this.target, checkName(root.node.name, '/'), hardlinkFirst);
      return plan;
    }
    // Returns whether anything below was selected: like restic, a directory gets its recorded
    // metadata when it is selected itself or when anything inside it was restored.
    const walk = async (treeId: Id, snDir: string, localDir: string): Promise<boolean> => {
      throwIfAborted(this.opts.signal);
      let tree;
      try {
        tree = await this.repo.loadTree(treeId, false); // read once; the plan keeps the nodes it needs
      } catch (err) {
        // A directory whose tree is lost (not in the index, its pack gone or damaged) is named and
        // restored empty, as restic does; everything beside it is still restored. Only the root
        // (nothing to restore at all) and what is not damage (a backend failure) stop the restore.
        if (snDir === '/' || !isDamage(err)) throw err;
        this.error(localDir, `its contents were not restored: ${(err as Error).message}`);
        return false;
      }
      let last: string | null = null;
      let restoredAny = false;
      for (const node of tree.nodes) {
        const name = checkName(node.name, snDir);
        if (last !== null && name === last) throw new CairnError('UNSAFE_PATH', `tree of ${snDir} lists "${name}" twice: the repository is damaged or hostile; restore refused`);
        last = name;
        const snPath = snDir === '/' ? '/' + name : snDir + '/' + name;
        const isDir = node.type === 'dir';
        const { selected, descend } = select(snPath, isDir);
        if (isDir) {
          if (!descend && !selected) continue;
          const local = this.inside(path.join(localDir, name));
          if (!node.subtree) {
            this.error(local, 'directory has no subtree in the snapshot (damaged repository)');
            continue;
          }
          const entry: (typeof plan.dirs)[number] = { local: flatString(local), node: selected ? node : null };
          const at = plan.dirs.push(entry) - 1;
          const below = await walk(node.subtree, snPath, entry.local);
          if (below) entry.node = node;
          if (selected || below) restoredAny = true;
          // Only walked through, and nothing inside matched: not made at all, as restic makes
          // none (the folders after it in the list are its own, dropped for the same reason).
          else plan.dirs.length = at;
        } else if (selected) {
          this.planLeaf(plan, node, localDir, name, hardlinkFirst);
          restoredAny = true;
        }
      }
      return restoredAny;
    };
    await walk(root.tree, '/', this.target);
    return plan;
  }

  private planLeaf(plan: Plan, node: TreeNode, dir: string, name: string, hardlinkFirst: Map<string, PlannedFile>): void {
    const local = this.inside(path.join(dir, name));
    switch (node.type) {
      case 'file': {
        const key = node.links && node.links > 1 && node.inode ? `${node.device_id ?? 0}:${node.inode}` : null;
        const first = key ? hardlinkFirst.get(key) : undefined;
        if (first) {
          plan.hardlinks.push({ local, node, first });
          return;
        }
        const file: PlannedFile = {
          dir, name, seq: plan.files.length, size: node.size ?? 0, content: node.content ?? [], remaining: 0, failed: null, created: false, finished: false,
          mode: node.mode, uid: node.uid, gid: node.gid, atime: node.atime, mtime: node.mtime, extended_attributes: node.extended_attributes,
        };
        if (key) hardlinkFirst.set(key, file);
        plan.files.push(file);
        this.summary.totalFiles++;
        this.summary.totalBytes += file.size;
        return;
      }
      case 'symlink':
        plan.symlinks.push({ local, node });
        return;
      case 'dir':
        return;
      default:
        plan.specials.push({ local, node });
    }
  }

  /** Paths that already exist where the restore would put a file, symlink or special file. */
  async findConflicts(plan: Plan): Promise<string[]> {
    const conflicts: string[] = [];
    const leaves = [...plan.files.map((f) => Restorer.local(f)), ...plan.hardlinks.map((h) => h.local), ...plan.symlinks.map((s) => s.local), ...plan.specials.map((s) => s.local)];
    for (const p of leaves) {
      if (lstatIfAny(p)) conflicts.push(p);
    }
    for (const d of plan.dirs) {
      const st = lstatIfAny(d.local);
      if (st && !st.isDirectory()) conflicts.push(d.local);
    }
    return conflicts.sort();
  }

  private async unchangedOnDisk(f: PlannedFile): Promise<boolean> {
    try {
      const st = await fsp.lstat(fsPath(Restorer.local(f)), { bigint: true });
      if (!st.isFile() || Number(st.size) !== f.size) return false;
      const want = parseTime(f.mtime);
      // Node can set times only as doubles, so allow the rounding that a Cairn restore itself left.
      const diff = st.mtimeNs > want ? st.mtimeNs - want : want - st.mtimeNs;
      return diff < 1000n;
    } catch {
      return false;
    }
  }

  private makeDir(local: string, overwrite: OverwritePolicy): void {
    try {
      fs.mkdirSync(fsPath(local), { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = fs.lstatSync(fsPath(local));
      if (st.isFile() && overwrite !== 'never') {
        // A file where the snapshot has a directory: overwriting means replacing it.
        fs.rmSync(fsPath(local));
        fs.mkdirSync(fsPath(local), { mode: 0o700 });
      } else if (!st.isDirectory()) {
        throw new CairnError('UNSAFE_PATH', `cannot restore into ${local}: it exists and is not a directory${st.isSymbolicLink() ? ' (a symlink, which restore never follows)' : ''}`);
      }
    }
  }

  private progress(): void {
    this.opts.onProgress?.({
      filesDone: this.filesDone, totalFiles: this.summary.totalFiles, bytesDone: this.bytesDone,
      totalBytes: this.summary.totalBytes, elapsedMs: performance.now() - this.started,
    });
  }

  async execute(plan: Plan): Promise<void> {
    const overwrite = this.opts.overwrite ?? 'never';
    try {
      await makeDirs(this.target, 0o700); // as restic makes a new target: what is restored may be private
    } catch (err) {
      throw fromSystemError(err, `restore target ${this.target}`);
    }
    for (const d of plan.dirs) this.makeDir(d.local, overwrite);

    // Decide per file whether it is written, and which blobs from which packs it needs.
    const byPack = new Map<Id, Map<Id, NeededBlob>>();
    const toWrite: PlannedFile[] = [];
    for (const f of plan.files) {
      if (overwrite === 'if-changed' && (await this.unchangedOnDisk(f))) {
        this.summary.filesUnchanged++;
        this.filesDone++;
        this.bytesDone += f.size;
        continue;
      }
      let offset = 0;
      for (const id of f.content) {
        const loc = this.repo.index.lookup('data', id);
        if (!loc) {
          // Lost, or only its index entry is (then "repair index" finds it in its pack again).
          f.failed = `data blob ${id.slice(0, 8)} is not in the index: run "cairn check"`;
          break;
        }
        let items = byPack.get(loc.packId);
        if (!items) byPack.set(loc.packId, (items = new Map()));
        const write: FileWrite = { file: f, offset };
        const item = items.get(id);
        if (!item) {
          // Created holding its first write: most blobs have just the one, and an array that
          // starts empty grows to room for 17 on its first push.
          items.set(id, { id, offset: loc.offset, length: loc.length, uncompressedLength: loc.uncompressedLength, writes: [write] });
        } else {
          item.writes.push(write);
        }
        f.created = true; // by the worker that writes this blob
        f.remaining++;
        offset += loc.uncompressedLength || loc.length - 32;
      }
      if (f.failed) {
        this.error(Restorer.local(f), `not restored: ${f.failed}`);
        // Undo the writes already planned for this file.
        for (const items of byPack.values()) for (const item of items.values()) {
          if (item.writes.some((w) => w.file === f)) item.writes = item.writes.filter((w) => w.file !== f);
        }
        continue;
      }
      toWrite.push(f);
    }

    // Files without content (empty) are complete right away.
    for (const f of toWrite) if (f.remaining === 0) await this.finishFile(f);

    const pool = new RestorePool(this.repo.key, this.opts.workers ?? defaultWorkerCount());
    let completed = false;
    try {
      let inFlight = 0;
      let writesInFlight = 0;
      // Remote: no more range downloads at once than the backend's connections.
      const maxDownloads = this.repo.backend.localPath ? Infinity : this.repo.backend.connections ?? 4;
      const waiters: (() => void)[] = [];
      const running = new Set<Promise<void>>();
      for (const [packId, itemMap] of byPack) {
        const items = [...itemMap.values()].filter((i) => i.writes.length > 0).sort((a, b) => a.offset - b.offset);
        for (const range of splitRanges(items, this.repo.backend.localPath ? MAX_RANGE.local : MAX_RANGE.remote)) {
          throwIfAborted(this.opts.signal);
          while (inFlight > 0 && (inFlight + range.length > MAX_IN_FLIGHT_BYTES || writesInFlight + range.writes > MAX_IN_FLIGHT_WRITES || running.size >= maxDownloads)) {
            await new Promise<void>((r) => waiters.push(r));
          }
          inFlight += range.length;
          writesInFlight += range.writes;
          const job = this.restoreRange(pool, packId, range).finally(() => {
            inFlight -= range.length;
            writesInFlight -= range.writes;
            running.delete(job);
            waiters.shift()?.();
          });
          running.add(job);
        }
      }
      await Promise.all(running);
      completed = true;
    } finally {
      await pool.close();
      // Cancelled or failed part way: the files not yet in place leave no temporary file behind
      // (the workers are gone, so none is being written).
      if (!completed) for (const f of toWrite) if (!f.finished && f.created) fs.rmSync(fsPath(this.tmpPath(f)), { force: true });
    }

    for (const h of plan.hardlinks) await this.makeHardlink(h.local, h.first, overwrite);
    for (const s of plan.specials) await this.makeSpecial(s.local, s.node, overwrite);
    for (const s of plan.symlinks) await this.makeSymlink(s.local, s.node, overwrite);
    // Directory metadata last and deepest first: creating children changes a directory's mtime.
    for (const d of [...plan.dirs].reverse()) {
      if (!d.node) continue;
      this.applyMetadata(d.local, d.node);
      this.summary.dirsRestored++;
    }
    this.progress();
  }

  private async restoreRange(pool: RestorePool, packId: Id, range: { offset: number; length: number; items: NeededBlob[] }): Promise<void> {
    // The workers make the temporary files as they write into them: creating thousands of files
    // here blocked the main thread, which over SFTP is the one keeping downloads going (1.1 s of
    // its time for 8,000 files).
    const files = new Set<PlannedFile>();
    for (const item of range.items) for (const w of item.writes) files.add(w.file);
    const tmpPaths = new Map<PlannedFile, string>();
    for (const f of files) tmpPaths.set(f, this.tmpPath(f));
    const items: RestoreItem[] = range.items
      .filter((i) => i.writes.some((w) => !w.file.failed))
      .map((i) => ({
        id: i.id, at: i.offset - range.offset, length: i.length, uncompressedLength: i.uncompressedLength,
        writes: i.writes.map((w) => ({ path: tmpPaths.get(w.file)!, offset: w.offset, size: w.file.size })),
      }));
    let result: RestoreTaskResult;
    const backend = this.repo.backend;
    if (backend.localPath) {
      // A local pack: the worker reads the range itself, into a buffer it reuses.
      const file = { path: backend.localPath('data', packId), offset: range.offset, length: range.length };
      result = await pool.run({ packId, file, items, sparse: this.opts.sparse ?? false });
    } else {
      let data: Buffer;
      try {
        data = await backend.load('data', packId, { offset: range.offset, length: range.length });
      } catch (err) {
        // A pack shorter than the index says (truncated) fails a range read that reaches past its
        // end; the blobs before the cut are intact: read those again, fail only the ones past it.
        const size = isCairnError(err, 'ABORTED') || isCairnError(err, 'NOT_FOUND') ? undefined : await this.packSize(packId);
        if (size !== undefined && size < range.offset + range.length) {
          const inside = range.items.filter((i) => i.offset + i.length <= size);
          const past = range.items.filter((i) => i.offset + i.length > size);
          for (const item of past) for (const { file } of item.writes) this.failFile(file, `pack ${packId.slice(0, 8)} is shorter than the index says: data blob ${item.id.slice(0, 8)} lies past its end`);
          await this.settle(past);
          if (inside.length) {
            const end = Math.max(...inside.map((i) => i.offset + i.length));
            await this.restoreRange(pool, packId, { offset: range.offset, length: end - range.offset, items: inside });
          }
          return;
        }
        for (const f of files) this.failFile(f, `pack ${packId.slice(0, 8)} cannot be read: ${(err as Error).message}`);
        return this.settle(range.items);
      }
      result = await pool.run({ packId, buffer: ownedArrayBuffer(data), items, sparse: this.opts.sparse ?? false });
    }
    for (const failure of result.failures) {
      for (const item of range.items) {
        if (failure.blob && item.id !== failure.blob) continue;
        for (const { file } of item.writes) if (!failure.path || failure.path === tmpPaths.get(file)) this.failFile(file, failure.message);
      }
    }
    this.bytesDone += result.bytes;
    await this.settle(range.items);
  }

  /** A pack's size on the backend, when it can be found out. */
  private async packSize(packId: Id): Promise<number | undefined> {
    try {
      return (await this.repo.backend.stat('data', packId)).size;
    } catch {
      return undefined;
    }
  }

  private async settle(items: NeededBlob[]): Promise<void> {
    const finished: PlannedFile[] = [];
    for (const item of items) for (const { file } of item.writes) if (--file.remaining === 0) finished.push(file);
    await Promise.all(finished.map((f) => this.finishFile(f)));
    this.progress();
  }

  private failFile(f: PlannedFile, message: string): void {
    if (!f.failed) {
      f.failed = message;
      this.error(Restorer.local(f), `not restored: ${message}`);
    }
  }

  // Per-file work below uses the synchronous fs calls on purpose: each is a few microseconds in
  // the kernel, while the promise versions hop through libuv's thread pool and back, which costs
  // more than the call itself (measured: a third of restore's system time went to those wake-ups).
  /** A file no worker writes to (it has no blobs): made here, at its size. */
  private createTmp(f: PlannedFile): void {
    if (f.created) return;
    f.created = true;
    const fd = fs.openSync(fsPath(this.tmpPath(f)), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      fs.ftruncateSync(fd, f.size);
    } finally {
      fs.closeSync(fd);
    }
  }

  private async finishFile(f: PlannedFile): Promise<void> {
    this.filesDone++;
    f.finished = true;
    const tmp = this.tmpPath(f);
    if (f.failed) {
      fs.rmSync(fsPath(tmp), { force: true });
      return;
    }
    try {
      this.createTmp(f);
      this.applyMetadata(tmp, f);
      fs.renameSync(fsPath(tmp), fsPath(Restorer.local(f)));
      this.summary.filesRestored++;
      this.summary.bytesRestored += f.size;
    } catch (err) {
      fs.rmSync(fsPath(tmp), { force: true });
      this.error(Restorer.local(f), `not restored: ${(err as Error).message}`);
      f.failed = (err as Error).message;
    }
  }

  private async replaceable(local: string, overwrite: OverwritePolicy): Promise<boolean> {
    try {
      const st = await fsp.lstat(fsPath(local));
      if (overwrite === 'never' || st.isDirectory()) {
        this.error(local, 'not restored: the path exists already');
        return false;
      }
      await fsp.rm(fsPath(local), { force: true });
    } catch { /* does not exist */ }
    return true;
  }

  private async makeHardlink(local: string, first: PlannedFile, overwrite: OverwritePolicy): Promise<void> {
    if (first.failed) return this.error(local, `not restored: it is a hard link to ${Restorer.local(first)}, which could not be restored`);
    if (!(await this.replaceable(local, overwrite))) return;
    try {
      await fsp.link(fsPath(Restorer.local(first)), fsPath(local));
      this.summary.filesRestored++;
    } catch (err) {
      this.error(local, `cannot create hard link: ${(err as Error).message}`);
    }
  }

  private async makeSymlink(local: string, node: TreeNode, overwrite: OverwritePolicy): Promise<void> {
    if (!(await this.replaceable(local, overwrite))) return;
    const target = node.linktarget_raw ? Buffer.from(node.linktarget_raw, 'base64').toString('latin1') : node.linktarget ?? '';
    try {
      await fsp.symlink(target, fsPath(local));
      this.applyMetadata(local, node, true);
      this.summary.otherRestored++;
    } catch (err) {
      this.error(local, `cannot create symlink: ${(err as Error).message}`);
    }
  }

  private async makeSpecial(local: string, node: TreeNode, overwrite: OverwritePolicy): Promise<void> {
    if (node.type === 'socket') return; // restic does not restore sockets either
    if (!(await this.replaceable(local, overwrite))) return;
    const run = promisify(execFile);
    try {
      if (node.type === 'fifo') {
        await run('mkfifo', [local]);
      } else if (node.type === 'dev' || node.type === 'chardev') {
        // Linux packs major and minor into st_rdev this way (glibc's gnu_dev_major/gnu_dev_minor).
        const dev = BigInt(node.device ?? 0);
        const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
        const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
        await run('mknod', [local, node.type === 'chardev' ? 'c' : 'b', String(major), String(minor)]);
      } else {
        return this.error(local, `cannot restore a node of type ${node.type}`);
      }
      this.applyMetadata(local, node);
      this.summary.otherRestored++;
    } catch (err) {
      this.error(local, `cannot create ${node.type}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** Mode, owner (when allowed) and times; errors on owner are expected for non-root users. */
  private applyMetadata(local: string, node: NodeMetadata, isSymlink = false): void {
    if (isRoot) {
      try { fs.lchownSync(fsPath(local), node.uid, node.gid); } catch { /* e.g. unknown ids on this system */ }
    }
    // Extended attributes before the mode: setting one needs write permission, which a read-only
    // file's mode would take away from a user who is not root.
    if (!isSymlink) writeExtendedAttributes(local, node.extended_attributes);
    // A node without a mode (written by an old restic) gets mode 0, as restic 0.14 restores it.
    if (!isSymlink) fs.chmodSync(fsPath(local), posixPermFromGoMode(node.mode ?? 0));
    const atime = parseTime(node.atime);
    const mtime = parseTime(node.mtime);
    if (isSymlink) {
      try { setFileTimes(fsPath(local), atime, mtime, true); } catch { /* not supported everywhere */ }
    } else {
      setFileTimes(fsPath(local), atime, mtime);
    }
  }

  async verify(plan: Plan): Promise<void> {
    await mapLimit(plan.files.filter((f) => !f.failed), 4, async (f) => {
      const local = Restorer.local(f);
      const h = await fsp.open(fsPath(local), 'r');
      try {
        let pos = 0;
        for (const id of f.content) {
          const size = this.repo.index.plainSize('data', id) ?? 0;
          const buf = Buffer.allocUnsafe(size);
          const { bytesRead } = await h.read(buf, 0, size, pos);
          pos += size;
          const actual = crypto.createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
          if (actual !== id) throw new Error(`content at offset ${pos - size} does not match the snapshot`);
        }
        this.summary.verified++;
      } catch (err) {
        this.error(local, `verification failed: ${(err as Error).message}`);
      } finally {
        await h.close();
      }
    });
  }
}

/** lstat that treats "no such path" (also: a parent is a file) as absent. */
function lstatIfAny(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(fsPath(p));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Errors that mean the repository lacks or holds a damaged object (not a failing backend). */
function isDamage(err: unknown): boolean {
  return isCairnError(err) && ['MISSING_OBJECT', 'NOT_FOUND', 'CORRUPT_OBJECT', 'CORRUPT_PACK'].includes(err.code);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Groups blobs of one pack (sorted by offset) into read ranges, merging across small gaps, up to
 * maxRange bytes and MAX_RANGE_WRITES writes a range (one blob may exceed either alone).
 */
function splitRanges(items: NeededBlob[], maxRange: number): { offset: number; length: number; writes: number; items: NeededBlob[] }[] {
  const ranges: { offset: number; length: number; writes: number; items: NeededBlob[] }[] = [];
  for (const item of items) {
    const last = ranges[ranges.length - 1];
    if (last && item.offset - (last.offset + last.length) <= MAX_GAP && item.offset + item.length - last.offset <= maxRange && last.writes + item.writes.length <= MAX_RANGE_WRITES) {
      last.length = Math.max(last.length, item.offset + item.length - last.offset);
      last.writes += item.writes.length;
      last.items.push(item);
    } else {
      ranges.push({ offset: item.offset, length: item.length, writes: item.writes.length, items: [item] });
    }
  }
  return ranges;
}

export async function restore(repo: Repository, options: RestoreOptions): Promise<RestoreSummary> {
  const started = performance.now();
  // A damaged index file must not withhold what the others still find: it is named, and only the
  // files whose blobs it alone listed fail (each named as not restored).
  await repo.loadIndex(undefined, (id, err) => options.onWarning?.(`index/${id}`, `index file skipped: ${(err as Error).message}`));
  const r = new Restorer(repo, options);
  const plan = await r.plan();
  const conflicts = await r.findConflicts(plan);
  r.summary.conflicts = conflicts;
  await options.lockConfirmed;
  const overwrite = options.overwrite ?? 'never';
  if (options.dryRun) {
    r.summary.durationMs = performance.now() - started;
    return r.summary;
  }
  if (conflicts.length > 0 && overwrite === 'never') {
    const shown = conflicts.slice(0, 3).join(', ');
    throw new CairnError('TARGET_EXISTS',
      `restore stopped before writing anything: ${conflicts.length} path${conflicts.length === 1 ? '' : 's'} to restore already exist${conflicts.length === 1 ? 's' : ''} in ${path.resolve(options.target)} (${shown}${conflicts.length > 3 ? ', ...' : ''}); ` +
      'choose an empty --target, or pass --overwrite if-changed or --overwrite always');
  }
  await r.execute(plan);
  if (options.verify) await r.verify(plan);
  r.summary.durationMs = performance.now() - started;
  return r.summary;
}
