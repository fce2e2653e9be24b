// Deciding what a prune does, without doing it: which packs are kept, deleted or repacked, which
// blobs must be copied out of repacked packs, and the statistics restic prints. The rules are
// restic 0.14's (cmd_prune.go): a pack nobody uses goes, a pack everybody uses stays, a partly
// used one is repacked while the repository holds more unused data than --max-unused allows
// (best ratio of unused to used first), within --max-repack-size. Tree packs, mixed packs and
// uncompressed tree packs (version 2) are repacked whenever they hold anything unused.
import { CairnError } from '../../errors.ts';
import { SEAL_OVERHEAD } from '../../format/crypto.ts';
import type { Id } from '../../format/id.ts';
import { entrySize } from '../../format/pack.ts';
import { TARGET_PACK_SIZE } from '../../repository/pack-writer.ts';
import type { PackListing } from '../../repository/pack-listing.ts';
import type { PruneLimits } from './options.ts';

export interface PruneStats {
  blobs: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number };
  /** Bytes as stored (sealed blob lengths); `unref` is whole files no index names. */
  size: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number; unref: number };
  packs: { used: number; unused: number; partlyUsed: number; unref: number; keep: number; repack: number; remove: number };
}

export interface PlanOptions {
  limits: PruneLimits;
  repoVersion: number;
  /** Only repack packs that hold trees (restic's --repack-cacheable-only). */
  repackCacheableOnly?: boolean;
  /** Also repack packs below 80% of the target size (restic's --repack-small). */
  repackSmall?: boolean;
  /** Compress every uncompressed blob of the packs it touches (restic's --repack-uncompressed). */
  repackUncompressed?: boolean;
}

export interface PrunePlan {
  stats: PruneStats;
  /** Packs in the repository that no index names (an interrupted backup's): deleted first. */
  unreferencedPacks: Id[];
  /** Packs with no used blob: dropped from the index, then deleted. */
  removePacks: Id[];
  /** Packs whose used blobs are copied into new packs before they are deleted, in repack order. */
  repackPacks: Id[];
  /** Packs the index names that the repository lacks but nothing needs: dropped from the index. */
  ignorePacks: Id[];
  /** Blobs to copy out of the repacked packs (used, and in no pack that stays): 1 by canonical entry of `listing`. */
  keepBlobs: Uint8Array;
  /** Number of blobs keepBlobs flags. */
  keepCount: number;
  /** Whether an entry must be stored compressed when copied (uncompressed trees in version 2, or all with --repack-uncompressed). */
  compressOnRepack: (entry: number) => boolean;
  /** Every pack the index lists, with its blobs (the first listing when several index files name it). */
  listing: PackListing;
  /** Size in the repository of every pack file. */
  packFileSizes: Map<Id, number>;
  /** Bytes of the pack files this plan deletes. */
  bytesDeleted: number;
  /** Bytes of the new packs repacking writes (exact unless blobs get compressed on the way). */
  bytesWritten: number;
  /** Number of new packs repacking writes. */
  newPacks: number;
  /** False when some copied blobs get compressed on the way, so bytesWritten is an estimate. */
  exact: boolean;
}

interface PackInfo {
  usedBlobs: number;
  unusedBlobs: number;
  usedSize: number;
  unusedSize: number;
  /** 'mixed' when the pack holds both trees and data (never written in version 2, but possible in old repositories). */
  type: 'data' | 'tree' | 'mixed' | null;
  uncompressed: boolean;
}

/** Pack header bytes for this many blobs, of which `compressed` are stored compressed: entries, sealing overhead and the 4-byte length. */
export function headerSize(count: number, compressed: number): number {
  return SEAL_OVERHEAD + 4 + compressed * entrySize(true) + (count - compressed) * entrySize(false);
}

/**
 * Plans a prune. `listing` is every pack listing of the index files, `packFiles` every pack file
 * of the repository with its size, `used` the blobs snapshots need (flags by canonical entry;
 * consumed by this function: it becomes the plan's keepBlobs).
 */
export function planPrune(listing: PackListing, packFiles: Map<Id, number>, used: Uint8Array, opts: PlanOptions): PrunePlan {
  const stats: PruneStats = {
    blobs: { used: 0, duplicate: 0, unused: 0, remove: 0, repack: 0, repackrm: 0 },
    size: { used: 0, duplicate: 0, unused: 0, remove: 0, repack: 0, repackrm: 0, unref: 0 },
    packs: { used: 0, unused: 0, partlyUsed: 0, unref: 0, keep: 0, repack: 0, remove: 0 },
  };

  // Used, duplicate (a used blob stored again elsewhere) and unused blobs. A blob's first listing
  // is its canonical entry, so a used blob is counted used there and duplicate at each later one.
  const keepBlobs = used;
  /** Copies of each duplicated used blob, by canonical entry (few, normally none). */
  const duplicates = new Map<number, number>();
  for (let e = 0; e < listing.size; e++) {
    const c = listing.canonical(e);
    const length = listing.length(e);
    if (keepBlobs[c] && c === e) {
      stats.size.used += length;
      stats.blobs.used++;
    } else if (keepBlobs[c]) {
      duplicates.set(c, Math.min(255, (duplicates.get(c) ?? 1) + 1));
      stats.size.duplicate += length;
      stats.blobs.duplicate++;
    } else {
      stats.size.unused += length;
      stats.blobs.unused++;
    }
  }

  // Per pack: used and unused blobs and bytes; the header counts as used.
  const info: PackInfo[] = [];
  for (let pack = 0; pack < listing.packCount; pack++) {
    const first = listing.first(pack), end = listing.end(pack);
    let compressed = 0;
    const p: PackInfo = { usedBlobs: 0, unusedBlobs: 0, usedSize: 0, unusedSize: 0, type: null, uncompressed: false };
    for (let e = first; e < end; e++) {
      const type = listing.type(e);
      p.type = p.type === null || p.type === type ? type : 'mixed';
      const c = listing.canonical(e);
      if (duplicates.has(c)) { /* decided below */ } else if (keepBlobs[c]) {
        p.usedSize += listing.length(e);
        p.usedBlobs++;
      } else {
        p.unusedSize += listing.length(e);
        p.unusedBlobs++;
      }
      if (listing.uncompressedLength(e) === 0) p.uncompressed = true;
      else compressed++;
    }
    p.usedSize += headerSize(end - first, compressed);
    info.push(p);
  }
  // Of a duplicated blob exactly one copy counts as used: preferably one in a pack that holds other
  // used blobs (so that pack can stay whole), else the last one met.
  if (duplicates.size > 0) {
    for (let pack = 0; pack < listing.packCount; pack++) {
      const p = info[pack];
      for (let e = listing.first(pack), end = listing.end(pack); e < end; e++) {
        const c = listing.canonical(e);
        const count = duplicates.get(c);
        if (count === undefined) continue;
        if (count !== 0 && (p.usedBlobs > 0 || count === 1)) {
          p.usedSize += listing.length(e);
          p.usedBlobs++;
          duplicates.set(c, 0);
        } else {
          p.unusedSize += listing.length(e);
          p.unusedBlobs++;
          if (count !== 0) duplicates.set(c, count - 1);
        }
      }
    }
  }

  const unreferencedPacks: Id[] = [];
  const removePacks: Id[] = [];
  const ignorePacks: Id[] = [];
  type Candidate = { id: Id; p: PackInfo; mustCompress: boolean };
  let candidates: Candidate[] = [];
  const smallCandidates: Candidate[] = [];
  // Packs under 1/25 of the target size are "small"; with --repack-small, under 80% of it.
  const smallBelow = opts.repackSmall ? Math.floor(TARGET_PACK_SIZE / 5) * 4 : Math.floor(TARGET_PACK_SIZE / 25);
  const mismatched: string[] = [];

  for (const [id, fileSize] of packFiles) {
    const p = info[listing.packNumber(id)];
    if (!p) {
      unreferencedPacks.push(id);
      stats.size.unref += fileSize;
      continue;
    }
    if (p.usedSize + p.unusedSize !== fileSize && p.usedBlobs !== 0) {
      mismatched.push(`${id} has ${fileSize} bytes, the index describes ${p.usedSize + p.unusedSize}`);
      continue;
    }
    if (p.usedBlobs === 0) stats.packs.unused++;
    else if (p.unusedBlobs === 0) stats.packs.used++;
    else stats.packs.partlyUsed++;

    const mustCompress = opts.repoVersion >= 2 && (p.type === 'tree' || opts.repackUncompressed === true) && p.uncompressed;
    if (p.usedBlobs === 0) {
      removePacks.push(id);
      stats.blobs.remove += p.unusedBlobs;
      stats.size.remove += p.unusedSize;
    } else if (opts.repackCacheableOnly && p.type === 'data') {
      stats.packs.keep++;
    } else if (p.unusedBlobs === 0 && p.type !== 'mixed' && !mustCompress) {
      if (fileSize >= smallBelow) stats.packs.keep++;
      else smallCandidates.push({ id, p, mustCompress });
    } else {
      candidates.push({ id, p, mustCompress });
    }
  }
  if (mismatched.length) {
    throw new CairnError('CORRUPT_PACK',
      `${mismatched.length} needed pack${mismatched.length === 1 ? ' does' : 's do'} not match the index (${mismatched.slice(0, 3).join('; ')}${mismatched.length > 3 ? '; …' : ''}); nothing was deleted: run "cairn repair index"`);
  }

  // Packs the index names but the repository lacks: harmless when nothing in them is needed.
  const missingNeeded: Id[] = [];
  for (let pack = 0; pack < listing.packCount; pack++) {
    const id = listing.packId(pack), p = info[pack];
    if (packFiles.has(id)) continue;
    if (p.usedBlobs === 0) {
      ignorePacks.push(id);
      stats.blobs.remove += p.unusedBlobs;
      stats.size.remove += p.unusedSize;
    } else {
      missingNeeded.push(id);
    }
  }
  if (missingNeeded.length) {
    throw new CairnError('MISSING_OBJECT',
      `the index lists ${missingNeeded.length} needed pack${missingNeeded.length === 1 ? '' : 's'} that the repository does not have: ${missingNeeded.join(', ')}; nothing was deleted: run "cairn repair index", then prune again`);
  }

  // A handful of small packs is not worth rewriting (and one small pack would be rewritten forever).
  if (smallCandidates.length < 10) stats.packs.keep += smallCandidates.length;
  else candidates = candidates.concat(smallCandidates);

  // Trees and mixed packs first, then small packs, then by share of unused bytes, highest first.
  const total = (p: PackInfo) => p.usedSize + p.unusedSize;
  candidates.sort((a, b) => {
    const pa = a.p, pb = b.p;
    if (pa.type !== 'data' && pb.type === 'data') return -1;
    if (pb.type !== 'data' && pa.type === 'data') return 1;
    const sa = total(pa) < smallBelow, sb = total(pb) < smallBelow;
    if (sa !== sb) return sa ? -1 : 1;
    return pb.unusedSize * pa.usedSize - pa.unusedSize * pb.usedSize;
  });

  const repackPacks: Id[] = [];
  const maxUnusedAfter = opts.limits.maxUnusedBytes(stats.size.used);
  for (const { id, p, mustCompress } of candidates) {
    // Duplicates count as unused here: both are bytes that pruning can free.
    const unusedAfter = stats.size.unused + stats.size.duplicate - stats.size.remove - stats.size.repackrm;
    const reachedRepackSize = stats.size.repack + total(p) >= opts.limits.maxRepackBytes;
    if (reachedRepackSize) {
      stats.packs.keep++;
    } else if (p.type !== 'data' || mustCompress) {
      // Tree, mixed and must-compress packs: only --max-repack-size limits these.
      repackPacks.push(id);
    } else if (unusedAfter < maxUnusedAfter && total(p) >= smallBelow) {
      stats.packs.keep++;
    } else {
      repackPacks.push(id);
    }
    if (repackPacks[repackPacks.length - 1] === id) {
      stats.blobs.repack += p.usedBlobs + p.unusedBlobs;
      stats.size.repack += total(p);
      stats.blobs.repackrm += p.unusedBlobs;
      stats.size.repackrm += p.unusedSize;
    }
  }
  stats.packs.unref = unreferencedPacks.length;
  stats.packs.repack = repackPacks.length;
  stats.packs.remove = removePacks.length;

  // Blobs to copy: used ones that no surviving pack holds.
  const leaving = new Set<Id>([...removePacks, ...repackPacks, ...ignorePacks]);
  if (repackPacks.length > 0) {
    for (let pack = 0; pack < listing.packCount; pack++) {
      if (leaving.has(listing.packId(pack))) continue;
      for (let e = listing.first(pack), end = listing.end(pack); e < end; e++) keepBlobs[listing.canonical(e)] = 0;
    }
  } else {
    keepBlobs.fill(0);
  }
  let keepCount = 0;
  for (let e = 0; e < keepBlobs.length; e++) keepCount += keepBlobs[e];

  const compressOnRepack = (e: number) =>
    opts.repoVersion >= 2 && listing.uncompressedLength(e) === 0 && (listing.isTree(e) || opts.repackUncompressed === true);
  repackPacks.sort();
  const layout = simulateRepack(repackPacks, listing, keepBlobs, compressOnRepack);

  let bytesDeleted = 0;
  for (const id of [...unreferencedPacks, ...removePacks, ...repackPacks]) bytesDeleted += packFiles.get(id) ?? 0;

  return {
    stats, unreferencedPacks, removePacks, repackPacks, ignorePacks, keepBlobs, keepCount, compressOnRepack,
    listing, packFileSizes: packFiles, bytesDeleted,
    bytesWritten: layout.bytes, newPacks: layout.packs, exact: layout.exact,
  };
}

/**
 * The new packs repacking will write, computed the way the repacker fills them (same order, same
 * size limit), so a dry run can say exactly how many bytes a real run frees.
 */
function simulateRepack(repackPacks: readonly Id[], listing: PackListing, keepBlobs: Uint8Array, compress: (e: number) => boolean) {
  const copied = new Uint8Array(keepBlobs.length);
  /** The pack being filled for each blob type: blobs, of them compressed, and bytes. */
  const open = new Map<string, { count: number; compressed: number; size: number }>();
  let bytes = 0, packs = 0, exact = true;
  const close = (type: string) => {
    const o = open.get(type)!;
    bytes += o.size + headerSize(o.count, o.compressed);
    packs++;
    open.delete(type);
  };
  for (const packId of repackPacks) {
    for (const e of listing.byOffset(listing.packNumber(packId))) {
      const c = listing.canonical(e);
      if (!keepBlobs[c] || copied[c]) continue;
      copied[c] = 1;
      if (compress(e)) exact = false;
      const type = listing.type(e);
      let o = open.get(type);
      if (!o) open.set(type, (o = { count: 0, compressed: 0, size: 0 }));
      o.count++;
      if (listing.uncompressedLength(e) > 0) o.compressed++;
      o.size += listing.length(e);
      if (o.size >= TARGET_PACK_SIZE) close(type);
    }
  }
  for (const type of [...open.keys()]) close(type);
  return { bytes, packs, exact };
}
