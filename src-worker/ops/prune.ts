// `prune`: removes data no snapshot needs, as restic 0.14 does. It plans first (ops/prune/plan.ts),
// then changes the repository in an order that survives being killed at any moment:
//   1. delete packs no index names (nothing refers to them);
//   2. copy the needed blobs of the packs to repack into new packs;
//   3. write new index files for every pack that stays plus the new ones, superseding all old ones;
//   4. delete the old index files;
//   5. delete the repacked and unused packs, which no index names any more.
// Until step 3 is done the old index still describes packs that all exist; after it, the new one
// does. The caller holds the repository's exclusive lock (`cairn prune`, or `forget --prune`).
import zlib from 'node:zlib';
import { CairnError, isCairnError, throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import { decodeIndexFile, encodeIndexFile, type IndexPack } from '../format/index-file.ts';
import { mapLimit } from '../repository/concurrency.ts';
import type { Repository } from '../repository/repository.ts';
import { parsePruneLimits, type PruneLimitOptions } from './prune/options.ts';
import { PackListing } from '../repository/pack-listing.ts';
import { planPrune, type PruneStats } from './prune/plan.ts';
import { repack } from './prune/repack.ts';
import { findUsedBlobs } from './prune/used-blobs.ts';

export { validatePruneOptions, type PruneLimitOptions } from './prune/options.ts';
export type { PruneStats } from './prune/plan.ts';

/** restic keeps index files below ~8 MiB by listing at most this many blobs in each. */
const INDEX_MAX_BLOBS = 50_000;
const DELETE_CONCURRENCY = 8;
/**
 * zstd settings for the index files prune writes, which are mostly hex ids (random text) in a
 * repeating JSON frame: the repeats are near, so small match tables find them as well as large
 * ones, and better. Measured on a 3.26 MB index: level 12 as it comes 1,102,539 bytes, 201 ms and
 * +41 MiB at the peak (its tables: prune's highest point); with these tables 984,263 bytes, 49 ms
 * and no more memory than level 3 (1,091,799 bytes).
 */
const INDEX_ZSTD = { level: 12, hashLog: 12, chainLog: 14 };

export interface PruneOptions extends PruneLimitOptions {
  /** Plan and report only; the repository is not changed. */
  dryRun?: boolean;
  /**
   * Snapshots to treat as gone (full ids): what `forget --dry-run --prune` would have removed, so
   * the preview counts the data they alone hold as freed, as the real run will (restic's
   * ignoreSnapshots).
   */
  ignoreSnapshots?: ReadonlySet<Id>;
  repackCacheableOnly?: boolean;
  repackSmall?: boolean;
  repackUncompressed?: boolean;
  signal?: AbortSignal;
  /**
   * Called right after each change to the repository (a file stored or deleted), in order. For
   * logging, and for tests that stop the process at a chosen point.
   */
  onMutation?: (change: PruneMutation) => void;
}

export interface PruneMutation {
  action: 'save' | 'delete';
  type: 'data' | 'index';
  id: Id;
}

export type PrunePhase = 'index' | 'snapshots' | 'plan' | 'delete-unreferenced' | 'repack' | 'write-index' | 'delete-index' | 'delete-packs';

export interface PruneProgress {
  phase: PrunePhase;
  done: number;
  total: number;
}

export interface PruneResult {
  dryRun: boolean;
  stats: PruneStats;
  /** Packs deleted (or, in a dry run, to delete): unreferenced, unused, and repacked ones. */
  unreferencedPacks: Id[];
  removedPacks: Id[];
  repackedPacks: Id[];
  /** Missing packs nothing needed, dropped from the index. */
  forgottenPacks: Id[];
  /** New packs written by repacking (predicted count in a dry run). */
  newPacks: number;
  /** Bytes of pack files deleted, and written by repacking; freed = deleted − written. */
  packBytesDeleted: number;
  packBytesWritten: number;
  bytesFreed: number;
  /** False when the written bytes of a dry run are an estimate (blobs compressed while repacking). */
  exact: boolean;
  /** Index files replaced (none when the index did not need to change). */
  indexFilesReplaced: number;
  indexFilesWritten: number;
}

export async function prune(repo: Repository, options: PruneOptions = {}, onProgress?: (p: PruneProgress) => void): Promise<PruneResult> {
  const limits = parsePruneLimits(options);
  // Version 1 has no compressed blobs at all: compressing while repacking would make it unreadable.
  if (options.repackUncompressed && repo.version < 2) {
    throw new CairnError('INVALID_ARGUMENT', '--repack-uncompressed needs compression, which repository format version 1 lacks: run "cairn migrate upgrade_repo_v2" first');
  }
  const { signal } = options;
  const mutated = (action: PruneMutation['action'], type: PruneMutation['type'], id: Id) => options.onMutation?.({ action, type, id });

  const listing = await loadListing(repo, onProgress);
  await repo.loadIndex();
  throwIfAborted(signal);

  const used = await findUsedBlobs(repo, listing, { signal, ignore: options.ignoreSnapshots, onProgress: (done, total) => onProgress?.({ phase: 'snapshots', done, total }) });
  const packFiles = new Map<Id, number>();
  for await (const f of repo.backend.list('data')) packFiles.set(f.name, f.size);
  const plan = planPrune(listing, packFiles, used, {
    limits, repoVersion: repo.version,
    repackCacheableOnly: options.repackCacheableOnly, repackSmall: options.repackSmall, repackUncompressed: options.repackUncompressed,
  });
  onProgress?.({ phase: 'plan', done: 1, total: 1 });

  const result: PruneResult = {
    dryRun: options.dryRun === true,
    stats: plan.stats,
    unreferencedPacks: plan.unreferencedPacks,
    removedPacks: plan.removePacks,
    repackedPacks: plan.repackPacks,
    forgottenPacks: plan.ignorePacks,
    newPacks: plan.newPacks,
    packBytesDeleted: plan.bytesDeleted,
    packBytesWritten: plan.bytesWritten,
    bytesFreed: plan.bytesDeleted - plan.bytesWritten,
    exact: plan.exact,
    indexFilesReplaced: 0,
    indexFilesWritten: 0,
  };
  if (options.dryRun) return result;
  throwIfAborted(signal);

  // Under prune's exclusive lock no backup runs, so whatever sits in the staging area was left by
  // one that was killed (finished packs never committed among them): they are no one's now.
  await repo.backend.clearStaging?.();

  // 1. Nothing refers to unreferenced packs: they can go first.
  await deleteFiles(repo, 'data', plan.unreferencedPacks, 'delete-unreferenced', signal, mutated, onProgress);

  // 2. New packs for the needed blobs of the packs to repack (step 3 indexes them).
  let newPacks: IndexPack[] = [];
  if (plan.repackPacks.length > 0) {
    newPacks = await repack(repo, plan, {
      signal,
      onPack: (done, total) => onProgress?.({ phase: 'repack', done, total }),
      onPackSaved: (id) => mutated('save', 'data', id),
    });
    result.newPacks = newPacks.length;
    result.packBytesWritten = 0;
    for (const p of newPacks) result.packBytesWritten += (await repo.backend.stat('data', p.id)).size;
    result.bytesFreed = result.packBytesDeleted - result.packBytesWritten;
    result.exact = true;
  }

  // 3.–5. Only when some pack leaves the index (as restic: otherwise the index stays as it is).
  const leaving = new Set<Id>([...plan.removePacks, ...plan.repackPacks, ...plan.ignorePacks]);
  if (leaving.size > 0) {
    throwIfAborted(signal);
    // Every index file present now is replaced.
    const oldIndex: Id[] = [];
    for await (const f of repo.backend.list('index')) oldIndex.push(f.name);
    // Listed packs are turned into index file objects only as their index file is written.
    const keep: PackSource[] = [];
    for (let p = 0; p < listing.packCount; p++) {
      if (leaving.has(listing.packId(p))) continue;
      keep.push({ blobCount: listing.end(p) - listing.first(p), get: () => ({ id: listing.packId(p), blobs: listing.blobs(p) }) });
    }
    for (const pack of newPacks) keep.push({ blobCount: pack.blobs.length, get: () => pack });
    const written = await writeIndexFiles(repo, keep, oldIndex, mutated, onProgress);
    result.indexFilesWritten = written.length;
    const stale = oldIndex.filter((id) => !written.includes(id));
    await deleteFiles(repo, 'index', stale, 'delete-index', undefined, mutated, onProgress);
    result.indexFilesReplaced = stale.length;
    // Past this point the old packs are in no index: deleting them can no longer lose anything.
    await deleteFiles(repo, 'data', [...plan.removePacks, ...plan.repackPacks], 'delete-packs', undefined, mutated, onProgress);
  }
  return result;
}

/**
 * The index files' listing of every pack, duplicates included (the master index keeps one location
 * per blob, but prune must see every copy). Files are read several at once and added in the order
 * the backend lists them, so the same repository always gives the same plan.
 */
async function loadListing(repo: Repository, onProgress?: (p: PruneProgress) => void): Promise<PackListing> {
  const names: Id[] = [];
  for await (const f of repo.backend.list('index')) names.push(f.name);
  const listing = new PackListing();
  const decoded = new Map<number, IndexPack[]>();
  let next = 0, loaded = 0;
  await mapLimit(names, 8, async (name, i) => {
    decoded.set(i, decodeIndexFile(await repo.loadUnpacked('index', name), name, repo.version >= 2).packs);
    onProgress?.({ phase: 'index', done: ++loaded, total: names.length });
    for (let packs = decoded.get(next); packs; packs = decoded.get(next)) {
      decoded.delete(next++);
      for (const p of packs) listing.addPack(p.id, p.blobs);
    }
  });
  return listing;
}

/** A pack for the new index: its number of blobs, and its listing when its file is written. */
interface PackSource {
  blobCount: number;
  get: () => IndexPack;
}

/** Writes index files for `packs`, at most INDEX_MAX_BLOBS blobs each; the first supersedes `old`. */
async function writeIndexFiles(
  repo: Repository, packs: PackSource[], old: Id[],
  mutated: (action: 'save', type: 'index', id: Id) => void, onProgress?: (p: PruneProgress) => void,
): Promise<Id[]> {
  const groups: PackSource[][] = [[]];
  let blobs = 0;
  for (const p of packs) {
    if (blobs > 0 && blobs + p.blobCount > INDEX_MAX_BLOBS) {
      groups.push([]);
      blobs = 0;
    }
    groups[groups.length - 1].push(p);
    blobs += p.blobCount;
  }
  const ids: Id[] = [];
  for (const [i, group] of groups.entries()) {
    const id = await saveIndexFile(repo, encodeIndexFile({ supersedes: i === 0 ? old : [], packs: group.map((p) => p.get()) }));
    ids.push(id);
    mutated('save', 'index', id);
    onProgress?.({ phase: 'write-index', done: i + 1, total: groups.length });
  }
  return ids;
}

/**
 * Stores an index file compressed harder than other files (INDEX_ZSTD): prune rewrites the whole
 * index, and a smaller one keeps the repository smaller than restic's.
 */
function saveIndexFile(repo: Repository, raw: Buffer): Promise<Id> {
  const { ZSTD_c_compressionLevel, ZSTD_c_hashLog, ZSTD_c_chainLog } = zlib.constants;
  const params = { [ZSTD_c_compressionLevel]: INDEX_ZSTD.level, [ZSTD_c_hashLog]: INDEX_ZSTD.hashLog, [ZSTD_c_chainLog]: INDEX_ZSTD.chainLog };
  // The size known up front: the frame says so, and its window is no larger than the file.
  return repo.saveUnpacked('index', raw, { params, pledgedSrcSize: raw.length });
}

async function deleteFiles(
  repo: Repository, type: 'data' | 'index', ids: Id[], phase: PrunePhase, signal: AbortSignal | undefined,
  mutated: (action: 'delete', type: 'data' | 'index', id: Id) => void, onProgress?: (p: PruneProgress) => void,
): Promise<void> {
  let done = 0;
  await mapLimit(ids, DELETE_CONCURRENCY, async (id) => {
    throwIfAborted(signal);
    try {
      await repo.backend.remove(type, id);
    } catch (err) {
      if (!isCairnError(err, 'NOT_FOUND')) throw err; // already gone is what we wanted
    }
    mutated('delete', type, id);
    onProgress?.({ phase, done: ++done, total: ids.length });
  });
}
