// Copying snapshots between repositories, as `restic copy` does: every tree and data blob a
// snapshot needs that the destination lacks is read from the source (verified), re-encrypted with
// the destination's key and stored there; then the destination's index, then the snapshot, with
// `original` naming the first snapshot of the chain so later copies recognise it.
import { abortError, CairnError, throwIfAborted } from '../errors.ts';
import type { BlobType } from '../format/blob.ts';
import { openBlob } from '../format/blob-codec.ts';
import type { Id } from '../format/id.ts';
import { release } from '../format/release.ts';
import type { Snapshot } from '../format/snapshot.ts';
import { parseTime } from '../format/time.ts';
import { mapLimit } from '../repository/concurrency.ts';
import { RepositoryLock } from '../repository/locks.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { matchesFilter, snapshotTimeNs, type SnapshotFilter } from './snapshots.ts';

/** Trees loaded at once while walking a snapshot. */
const TREE_CONCURRENCY = 8;
/** Source packs read at once; each holds at most one pack's worth of bytes in memory. */
const PACK_CONCURRENCY = 4;
/** Blobs of one pack closer than this are read in one request (the gap is read and dropped). */
const MAX_READ_GAP = 1 << 20;

export interface CopyOptions {
  /** Snapshot ids, unique id prefixes or "latest"; all snapshots matching `filter` when empty. */
  snapshots?: string[];
  /** --host/--tag/--path: selects source snapshots (with no ids, or for "latest") and the destination snapshots compared with. */
  filter?: SnapshotFilter;
  /** Take shared locks on both repositories (default true). */
  lock?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: CopyEvent) => void;
  onProgress?: (p: CopyProgress) => void;
  /** An id that selects nothing, or an unreadable snapshot file; the copy goes on. */
  onWarning?: (message: string) => void;
}

export type CopyEvent =
  | { type: 'start'; source: SnapshotEntry }
  | { type: 'skipped'; source: SnapshotEntry; existing: Id }
  | { type: 'copying'; source: SnapshotEntry; blobs: number; packs: number }
  | { type: 'saved'; source: SnapshotEntry; destination: Id };

export interface CopyProgress {
  snapshotsDone: number;
  snapshotsTotal: number;
  /** Blobs and source packs of the snapshot being copied. */
  blobsDone: number;
  blobsTotal: number;
  packsDone: number;
  packsTotal: number;
  /** Plaintext bytes copied so far, over all snapshots. */
  bytesDone: number;
  elapsedMs: number;
}

export interface CopiedSnapshot {
  source: Id;
  /** The new snapshot, or the destination's existing equivalent when skipped. */
  destination: Id;
  skipped: boolean;
}

export interface CopySummary {
  snapshots: CopiedSnapshot[];
  copied: number;
  skipped: number;
  treeBlobs: number;
  dataBlobs: number;
  /** Plaintext bytes of the blobs copied. */
  bytesCopied: number;
  /** Bytes the new blobs take in the destination's packs (after compression and encryption). */
  bytesStored: number;
  packsRead: number;
  durationMs: number;
}

interface Needed {
  type: BlobType;
  id: Id;
  offset: number;
  length: number;
  uncompressedLength: number;
}

export async function copy(src: Repository, dst: Repository, options: CopyOptions = {}): Promise<CopySummary> {
  const started = performance.now();
  const signal = options.signal;
  // Shared locks on both, as restic: other backups may run, prune may not. Taken side by side
  // (each waits a moment to see competing locks); if one fails, the other is released.
  let srcLock: RepositoryLock | null = null;
  let dstLock: RepositoryLock | null = null;
  try {
    if (options.lock !== false) {
      const [s, d] = await Promise.allSettled([RepositoryLock.acquire(src, false), RepositoryLock.acquire(dst, false)]);
      if (s.status === 'fulfilled') srcLock = s.value;
      if (d.status === 'fulfilled') dstLock = d.value;
      if (s.status === 'rejected') throw s.reason;
      if (d.status === 'rejected') throw d.reason;
    }
    return await new Copier(src, dst, options, started).run();
  } catch (err) {
    dst.abandonWrites();
    // Finished packs stay unreferenced (harmless, as after a cancelled backup); no snapshot names them.
    if (signal?.aborted) throw abortError(signal);
    throw err;
  } finally {
    await dstLock?.release();
    await srcLock?.release();
  }
}

class Copier {
  private readonly src: Repository;
  private readonly dst: Repository;
  private readonly opts: CopyOptions;
  private readonly started: number;
  /** Trees already walked, over all snapshots of this run (as restic): their blobs are queued or copied. */
  private readonly visitedTrees = new Set<Id>();
  /** Serialises dst.saveBlob: its pack writers are not safe for interleaved calls. */
  private saving: Promise<unknown> = Promise.resolve();
  private readonly summary: CopySummary = { snapshots: [], copied: 0, skipped: 0, treeBlobs: 0, dataBlobs: 0, bytesCopied: 0, bytesStored: 0, packsRead: 0, durationMs: 0 };
  private readonly progress: CopyProgress = { snapshotsDone: 0, snapshotsTotal: 0, blobsDone: 0, blobsTotal: 0, packsDone: 0, packsTotal: 0, bytesDone: 0, elapsedMs: 0 };

  constructor(src: Repository, dst: Repository, opts: CopyOptions, started: number) {
    this.src = src;
    this.dst = dst;
    this.opts = opts;
    this.started = started;
  }

  async run(): Promise<CopySummary> {
    const filter = this.opts.filter ?? {};
    const warn = (id: Id, err: unknown) => this.opts.onWarning?.(`snapshot ${id.slice(0, 8)} cannot be read: ${(err as Error).message}`);
    // Snapshots are listed before the indexes are loaded, so every blob they name is indexed.
    const selected = await this.select(await this.src.listSnapshots(warn), this.opts.snapshots ?? [], filter);
    const dstSnapshots = (await this.dst.listSnapshots(warn)).filter((e) => matchesFilter(e.snapshot, filter));
    await this.src.loadIndex();
    await this.dst.loadIndex();

    // Destination snapshots by the id of the snapshot they were copied from, and by their own
    // id (a copy of a copy names the same original).
    const byOriginal = new Map<Id, SnapshotEntry[]>();
    const add = (key: Id, e: SnapshotEntry) => byOriginal.set(key, [...(byOriginal.get(key) ?? []), e]);
    for (const e of dstSnapshots) {
      if (e.snapshot.original) add(e.snapshot.original, e);
      add(e.id, e);
    }

    this.progress.snapshotsTotal = selected.length;
    for (const entry of selected) {
      throwIfAborted(this.opts.signal);
      this.opts.onEvent?.({ type: 'start', source: entry });
      const original = entry.snapshot.original ?? entry.id;
      const existing = byOriginal.get(original)?.find((d) => similarSnapshots(d.snapshot, entry.snapshot));
      if (existing) {
        this.opts.onEvent?.({ type: 'skipped', source: entry, existing: existing.id });
        this.summary.snapshots.push({ source: entry.id, destination: existing.id, skipped: true });
        this.summary.skipped++;
      } else {
        const newId = await this.copySnapshot(entry);
        this.summary.snapshots.push({ source: entry.id, destination: newId, skipped: false });
        this.summary.copied++;
        this.opts.onEvent?.({ type: 'saved', source: entry, destination: newId });
      }
      this.progress.snapshotsDone++;
      this.report();
    }
    this.summary.durationMs = performance.now() - this.started;
    return this.summary;
  }

  /** restic's selection: ids and "latest" in the order given (filters apply to "latest" only), else all matching the filter. */
  private async select(all: SnapshotEntry[], refs: string[], filter: SnapshotFilter): Promise<SnapshotEntry[]> {
    if (refs.length === 0) return all.filter((e) => matchesFilter(e.snapshot, filter));
    const out: SnapshotEntry[] = [];
    for (const ref of refs) {
      let hit: SnapshotEntry | undefined;
      if (ref === 'latest') {
        for (const e of all) {
          if (!matchesFilter(e.snapshot, filter)) continue;
          if (!hit || snapshotTimeNs(e.snapshot) >= snapshotTimeNs(hit.snapshot)) hit = e;
        }
        if (!hit) this.opts.onWarning?.(`Ignoring "latest": no snapshot matches the filter`);
      } else {
        const hits = /^[0-9a-f]{1,64}$/.test(ref) ? all.filter((e) => e.id.startsWith(ref)) : [];
        if (hits.length === 1) hit = hits[0];
        else this.opts.onWarning?.(hits.length === 0 ? `Ignoring "${ref}": no matching ID found` : `Ignoring "${ref}": more than one snapshot matches, give more of the ID`);
      }
      if (hit && !out.includes(hit)) out.push(hit);
    }
    return out;
  }

  private async copySnapshot(entry: SnapshotEntry): Promise<Id> {
    const byPack = await this.collect(entry.snapshot.tree);
    const packs = [...byPack.keys()];
    const blobs = packs.reduce((n, p) => n + byPack.get(p)!.length, 0);
    this.opts.onEvent?.({ type: 'copying', source: entry, blobs, packs: packs.length });
    Object.assign(this.progress, { blobsDone: 0, blobsTotal: blobs, packsDone: 0, packsTotal: packs.length });
    this.report();
    await mapLimit(packs, PACK_CONCURRENCY, (packId) => this.copyPack(packId, byPack.get(packId)!));
    await this.saving;
    // Packs, then the index that lists them, then the snapshot that needs them.
    await this.dst.flush();
    const sn: Snapshot = { ...entry.snapshot, original: entry.snapshot.original ?? entry.id };
    delete sn.parent; // the parent lives in the source repository, not here
    return this.dst.saveSnapshot(sn);
  }

  /** Walks the snapshot's trees; returns the blobs the destination lacks, by source pack. */
  private async collect(root: Id): Promise<Map<Id, Needed[]>> {
    const byPack = new Map<Id, Needed[]>();
    const queued = new Set<string>();
    const need = (type: BlobType, id: Id) => {
      const key = type[0] + id;
      if (queued.has(key) || this.dst.index.has(type, id)) return;
      queued.add(key);
      const loc = this.src.index.lookup(type, id);
      if (!loc) throw new CairnError('MISSING_OBJECT', `${type} blob ${id.slice(0, 8)} is not in the index of the source repository ${this.src.backend.location}: run "cairn check" there`);
      const list = byPack.get(loc.packId) ?? [];
      if (list.length === 0) byPack.set(loc.packId, list);
      list.push({ type, id, offset: loc.offset, length: loc.length, uncompressedLength: loc.uncompressedLength });
    };
    let frontier = this.visitedTrees.has(root) ? [] : [root];
    for (const id of frontier) this.visitedTrees.add(id);
    while (frontier.length > 0) {
      throwIfAborted(this.opts.signal);
      const trees = await mapLimit(frontier, TREE_CONCURRENCY, (id) => this.src.loadTree(id, false)); // each tree once (visitedTrees)
      const next: Id[] = [];
      trees.forEach((tree, i) => {
        need('tree', frontier[i]!);
        for (const node of tree.nodes) {
          for (const blob of node.content ?? []) need('data', blob);
          if (node.subtree && !this.visitedTrees.has(node.subtree)) {
            this.visitedTrees.add(node.subtree);
            next.push(node.subtree);
          }
        }
      });
      frontier = next;
    }
    return byPack;
  }

  /** Reads the needed blobs of one source pack in as few requests as sensible, and stores them in dst. */
  private async copyPack(packId: Id, blobs: Needed[]): Promise<void> {
    throwIfAborted(this.opts.signal);
    blobs.sort((a, b) => a.offset - b.offset);
    for (const run of readRuns(blobs)) {
      const start = run[0]!.offset;
      const end = run[run.length - 1]!.offset + run[run.length - 1]!.length;
      const bytes = await this.src.backend.load('data', packId, { offset: start, length: end - start });
      try {
        // One blob at a time per pack: at most one read range and one plaintext per reader in memory.
        for (const blob of run) {
          let plain: Buffer;
          try {
            plain = openBlob(this.src.key, bytes.subarray(blob.offset - start, blob.offset - start + blob.length), blob.id, blob.type, blob.uncompressedLength, packId);
          } catch (err) {
            // As restic: a damaged copy may have a good twin elsewhere (or the cache was stale).
            plain = await this.src.loadBlob(blob.type, blob.id).catch(() => { throw err; });
          }
          await this.save(blob.type, plain);
        }
      } finally {
        release(bytes);
      }
    }
    this.summary.packsRead++;
    this.progress.packsDone++;
    this.report();
  }

  /** Stores one blob in dst after the ones queued before it (saveBlob calls must not interleave). */
  private save(type: BlobType, plain: Buffer): Promise<void> {
    const saved = this.saving.then(async () => {
      const { stored } = await this.dst.saveBlob(type, plain);
      if (type === 'tree') this.summary.treeBlobs++;
      else this.summary.dataBlobs++;
      this.summary.bytesCopied += plain.length;
      this.summary.bytesStored += stored;
      this.progress.blobsDone++;
      this.progress.bytesDone += plain.length;
      release(plain);
      this.report();
    });
    // A failed save fails this copy (the caller awaits it) without leaving the chain rejected.
    this.saving = saved.catch(() => {});
    return saved;
  }

  private report(): void {
    if (!this.opts.onProgress) return;
    this.progress.elapsedMs = performance.now() - this.started;
    this.opts.onProgress({ ...this.progress });
  }
}

/** Groups offset-sorted blobs into runs whose gaps are small enough to read through. */
function readRuns(blobs: Needed[]): Needed[][] {
  const runs: Needed[][] = [];
  let run: Needed[] = [];
  let end = 0;
  for (const b of blobs) {
    if (run.length > 0 && b.offset - end > MAX_READ_GAP) {
      runs.push(run);
      run = [];
    }
    run.push(b);
    end = b.offset + b.length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * restic's test for "this destination snapshot is a copy of that one": everything but parent and
 * original must match (times as instants, paths and tags as sets, excludes in order).
 */
export function similarSnapshots(a: Snapshot, b: Snapshot): boolean {
  if (!sameInstant(a.time, b.time) || a.tree !== b.tree) return false;
  if ((a.hostname ?? '') !== (b.hostname ?? '') || (a.username ?? '') !== (b.username ?? '')) return false;
  if ((a.uid ?? 0) !== (b.uid ?? 0) || (a.gid ?? 0) !== (b.gid ?? 0)) return false;
  const ap = a.paths, bp = b.paths, at = a.tags ?? [], bt = b.tags ?? [], ae = a.excludes ?? [], be = b.excludes ?? [];
  if (ap.length !== bp.length || at.length !== bt.length || ae.length !== be.length) return false;
  if (!bp.every((p) => ap.includes(p)) || !bt.every((t) => at.includes(t))) return false;
  return ae.every((x, i) => x === be[i]);
}

function sameInstant(x: string, y: string): boolean {
  try {
    return parseTime(x) === parseTime(y);
  } catch {
    return x === y;
  }
}
