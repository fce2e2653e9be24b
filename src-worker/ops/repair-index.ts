// `repair index` (restic 0.14: `rebuild-index`): a new index made from the packs themselves. The
// index is only a cache of what pack headers say, so it can always be rebuilt from them:
//  - by default the entries of readable index files are kept for packs whose size still agrees
//    with them, and only the other packs' headers are read;
//  - with readAllPacks every pack's header is read and no old index file is trusted.
// Headers are read from each pack's tail with ranged loads, never the whole pack. Packs whose
// header cannot be read are reported and left out. The new index files are written first and
// name the old ones in `supersedes`; only then are the old ones deleted, so a crash at any point
// leaves a repository whose index covers every readable pack.
import { CairnError, isCairnError } from '../errors.ts';
import type { PackedBlob } from '../format/blob.ts';
import type { Id } from '../format/id.ts';
import { decodeIndexFile, encodeIndexFile, type IndexPack } from '../format/index-file.ts';
import { EAGER_TAIL, parsePackTail } from '../format/pack.ts';
import { packSizeFromIndex } from '../format/pack-size.ts';
import { mapLimit } from '../repository/concurrency.ts';
import type { Repository } from '../repository/repository.ts';

/** As restic: an index file lists at most this many blobs, which keeps it below ~8 MiB. */
export const INDEX_FILE_MAX_BLOBS = 50_000;
const READ_CONCURRENCY = 4;

export interface RepairIndexOptions {
  /** Read every pack's header instead of trusting the old index for packs of the right size. */
  readAllPacks?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'index' | 'packs'; done: number; total: number }) => void;
  /** What restic prints as warnings while rebuilding: each pack added, re-read or dropped. */
  onEvent?: (e: RepairIndexEvent) => void;
}

export type RepairIndexEvent =
  | { kind: 'invalid-index'; id: Id; message: string }
  | { kind: 'pack-added'; id: Id }
  | { kind: 'pack-size-changed'; id: Id; size: number; expected: number }
  | { kind: 'pack-not-found'; id: Id }
  | { kind: 'pack-unreadable'; id: Id; message: string };

export interface RepairIndexResult {
  /** Index files that existed before and were deleted (after the new ones were written). */
  removedIndexes: Id[];
  /** Of those, the ones that could not be read. */
  invalidIndexes: Id[];
  newIndexes: Id[];
  packsReused: number;
  packsRead: number;
  /** Packs the index named that do not exist: their blobs are no longer indexed. */
  packsNotFound: Id[];
  /** Packs whose header could not be read: left out of the index (their blobs are lost to it). */
  unreadablePacks: { id: Id; message: string }[];
  packs: number;
  blobs: number;
}

export async function repairIndex(repo: Repository, opts: RepairIndexOptions = {}): Promise<RepairIndexResult> {
  const aborted = () => {
    if (opts.signal?.aborted) throw new CairnError('ABORTED', 'repair index was cancelled');
  };
  const result: RepairIndexResult = {
    removedIndexes: [], invalidIndexes: [], newIndexes: [], packsReused: 0, packsRead: 0, packsNotFound: [], unreadablePacks: [], packs: 0, blobs: 0,
  };

  const oldIndexes: Id[] = [];
  for await (const f of repo.backend.list('index')) oldIndexes.push(f.name);
  oldIndexes.sort();

  // Entries of the old index, per pack (the first index file naming a pack wins).
  const known = new Map<Id, PackedBlob[]>();
  if (!opts.readAllPacks) {
    let done = 0;
    await mapLimit(oldIndexes, 8, async (name) => {
      aborted();
      try {
        const doc = decodeIndexFile(await repo.loadUnpacked('index', name), name, repo.version >= 2);
        for (const p of doc.packs) if (!known.has(p.id)) known.set(p.id, p.blobs);
      } catch (err) {
        if (!isCairnError(err) || err.code === 'ABORTED') throw err;
        result.invalidIndexes.push(name);
        opts.onEvent?.({ kind: 'invalid-index', id: name, message: err.message });
      }
      opts.onProgress?.({ phase: 'index', done: ++done, total: oldIndexes.length });
    });
    result.invalidIndexes.sort();
  }

  // Which packs keep their entries and which must be read.
  aborted();
  const packs = new Map<Id, PackedBlob[]>();
  const toRead: { id: Id; size: number }[] = [];
  for await (const f of repo.backend.list('data')) {
    const entries = known.get(f.name);
    known.delete(f.name);
    if (entries && packSizeFromIndex(entries) === f.size) {
      packs.set(f.name, entries);
      result.packsReused++;
      continue;
    }
    if (!opts.readAllPacks) {
      if (entries) opts.onEvent?.({ kind: 'pack-size-changed', id: f.name, size: f.size, expected: packSizeFromIndex(entries) });
      else opts.onEvent?.({ kind: 'pack-added', id: f.name });
    }
    toRead.push({ id: f.name, size: f.size });
  }
  for (const id of [...known.keys()].sort()) {
    result.packsNotFound.push(id);
    opts.onEvent?.({ kind: 'pack-not-found', id });
  }

  let done = 0;
  opts.onProgress?.({ phase: 'packs', done: 0, total: toRead.length });
  await mapLimit(toRead, READ_CONCURRENCY, async ({ id, size }) => {
    aborted();
    try {
      const blobs = await readPackHeader(repo, id, size);
      if (blobs.length) packs.set(id, blobs);
      result.packsRead++;
    } catch (err) {
      if (!isCairnError(err) || err.code === 'ABORTED') throw err;
      result.unreadablePacks.push({ id, message: err.message });
      opts.onEvent?.({ kind: 'pack-unreadable', id, message: err.message });
    }
    opts.onProgress?.({ phase: 'packs', done: ++done, total: toRead.length });
  });
  result.unreadablePacks.sort((a, b) => (a.id < b.id ? -1 : 1));

  // New index files first; the first names every old file it replaces.
  aborted();
  const files = splitIntoFiles([...packs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, blobs]) => ({ id, blobs })));
  result.packs = packs.size;
  result.blobs = [...packs.values()].reduce((s, b) => s + b.length, 0);
  for (let i = 0; i < files.length; i++) {
    const id = await repo.saveUnpacked('index', encodeIndexFile({ supersedes: i === 0 ? oldIndexes : [], packs: files[i] }));
    result.newIndexes.push(id);
  }
  // Then the old ones go. Past this point cancelling would leave duplicates, never a gap: finish.
  const fresh = new Set(result.newIndexes);
  for (const id of oldIndexes) {
    if (fresh.has(id)) continue;
    await repo.backend.remove('index', id);
    result.removedIndexes.push(id);
  }
  return result;
}

/** Groups packs into index files of at most INDEX_FILE_MAX_BLOBS blobs (a bigger pack gets a file of its own). */
export function splitIntoFiles(packs: IndexPack[]): IndexPack[][] {
  const files: IndexPack[][] = [];
  let current: IndexPack[] = [];
  let count = 0;
  for (const p of packs) {
    if (current.length && count + p.blobs.length > INDEX_FILE_MAX_BLOBS) {
      files.push(current);
      current = [];
      count = 0;
    }
    current.push(p);
    count += p.blobs.length;
  }
  if (current.length) files.push(current);
  return files;
}

/** A pack's header, from its tail: one ranged read, a second when the header is larger than guessed. */
export async function readPackHeader(repo: Repository, id: Id, size: number): Promise<PackedBlob[]> {
  const name = id.slice(0, 8);
  const first = Math.min(size, EAGER_TAIL);
  if (first < 4) throw new CairnError('CORRUPT_PACK', `pack ${name} is too short (${size} bytes) to hold a header`);
  let tail = await repo.backend.load('data', id, { offset: size - first, length: first });
  let parsed = parsePackTail(repo.key, tail, size, name, repo.version >= 2);
  if ('needBytes' in parsed) {
    tail = await repo.backend.load('data', id, { offset: size - parsed.needBytes, length: parsed.needBytes });
    parsed = parsePackTail(repo.key, tail, size, name, repo.version >= 2);
    if ('needBytes' in parsed) throw new CairnError('CORRUPT_PACK', `pack ${name}: its header could not be read`);
  }
  return parsed.blobs;
}
