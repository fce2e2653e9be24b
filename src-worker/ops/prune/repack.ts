// Copying the still-needed blobs out of packs that are about to be deleted, into new packs. Each
// pack is read once (the span from its first to its last needed blob), every blob is verified
// (MAC, decompression, SHA-256 of the plaintext) before it is copied, and copied as it is stored:
// re-encrypting would only cost time. Blobs that must become compressed (uncompressed trees in a
// version 2 repository) are compressed and sealed anew.
import zlib from 'node:zlib';
import { throwIfAborted } from '../../errors.ts';
import type { BlobType, PackedBlob } from '../../format/blob.ts';
import { damagedBlob, finishBlob, type Compression } from '../../format/blob-codec.ts';
import { IV_SIZE, MAC_SIZE, openInPlace, seal, workArea } from '../../format/crypto.ts';
import type { Id } from '../../format/id.ts';
import { release } from '../../format/release.ts';
import { PackWriter, TARGET_PACK_SIZE } from '../../repository/pack-writer.ts';
import type { Repository } from '../../repository/repository.ts';
import type { IndexPack } from '../../format/index-file.ts';
import type { PrunePlan } from './plan.ts';

export interface RepackHooks {
  signal?: AbortSignal;
  onPack?: (done: number, total: number) => void;
  /** Called after each new pack is stored in the repository. */
  onPackSaved?: (packId: Id) => void;
}

/** Writes the plan's keep-blobs into new packs; returns them (stored in the repository, in no index yet). */
export async function repack(repo: Repository, plan: PrunePlan, hooks: RepackHooks = {}): Promise<IndexPack[]> {
  const { listing } = plan;
  /** Blobs still to copy, by canonical entry. */
  const pending = plan.keepBlobs.slice();
  let pendingCount = plan.keepCount;
  const writers = new Map<BlobType, PackWriter>();
  const written: IndexPack[] = [];
  const staging = await repo.getStagingDir();
  const commit = async (type: BlobType) => {
    const w = writers.get(type)!;
    writers.delete(type);
    const pack = w.finish();
    // Stored, but not indexed yet: the prune's new index files list it (as restic, no interim index file).
    await repo.backend.saveFile('data', pack.packId, pack.path);
    written.push({ id: pack.packId, blobs: pack.blobs });
    hooks.onPackSaved?.(pack.packId);
  };
  try {
    let done = 0;
    for (const packId of plan.repackPacks) {
      throwIfAborted(hooks.signal);
      const wanted: RepackBlob[] = listing.byOffset(listing.packNumber(packId))
        .filter((e) => pending[listing.canonical(e)])
        .map((e) => ({ ...listing.blob(e), entry: e, canonical: listing.canonical(e) }));
      for (const group of readGroups(wanted, repo.backend.localPath ? LOCAL_READ : Infinity)) {
        const start = group[0].offset;
        const end = Math.max(...group.map((b) => b.offset + b.length));
        const span = await repo.backend.load('data', packId, { offset: start, length: end - start });
        // Verified on a copy in the crypto kernel's work area (authenticated and decrypted in
        // place, as restore does), so no buffer of each blob's size is allocated and freed; the
        // sealed bytes in `span` are what is copied.
        const area = workArea(span.length);
        area.set(span);
        const authentic = openInPlace(repo.key, area, group.map((b) => ({ at: b.offset - start, length: b.length })));
        for (const [i, b] of group.entries()) {
          if (!pending[b.canonical]) continue; // the same blob twice in one pack
          const at = b.offset - start;
          const sealed = span.subarray(at, at + b.length);
          if (!authentic[i]) throw damagedBlob(b.type, b.id, packId);
          const plain = finishBlob(area.subarray(at + IV_SIZE, at + b.length - MAC_SIZE), b.id, b.type, b.uncompressedLength, packId, { ownsInput: false, releasedAfterUse: true });
          let w = writers.get(b.type);
          if (!w) writers.set(b.type, (w = new PackWriter(repo.key, staging, repo.backend.isLocal)));
          if (plan.compressOnRepack(b.entry)) {
            const packed = compress(plain, repo.compression);
            w.add(b.id, b.type, seal(repo.key, packed), plain.length);
            release(packed);
          } else {
            w.add(b.id, b.type, sealed, b.uncompressedLength);
          }
          if (plain.buffer !== area.buffer) release(plain);
          pending[b.canonical] = 0;
          pendingCount--;
          if (w.size >= TARGET_PACK_SIZE) await commit(b.type);
        }
        // Copied into the new packs' files already. A local backend's buffer is this call's alone;
        // otherwise left to the collector (a remote backend's may share memory with its own).
        if (repo.backend.localPath) release(span);
      }
      hooks.onPack?.(++done, plan.repackPacks.length);
    }
    for (const type of [...writers.keys()]) await commit(type);
  } catch (err) {
    for (const w of writers.values()) w.abandon();
    throw err;
  }
  if (pendingCount > 0) {
    // The plan promised these blobs were in the repacked packs; deleting them would lose data.
    const example = listing.id(pending.indexOf(1)).slice(0, 8);
    throw new Error(`internal error: ${pendingCount} blobs were not repacked (e.g. ${example}); nothing old was deleted`);
  }
  return written;
}

/**
 * Bytes of a local pack read at once (more when one blob is larger): the work area, which never
 * shrinks, holds only that, and the blobs are verified while still in the core's cache. A remote
 * pack is read in one request (its span of needed blobs), as each request costs a round trip.
 */
const LOCAL_READ = 2 << 20;

/** A blob to copy, with its entry in the plan's listing and the blob's canonical entry. */
interface RepackBlob extends PackedBlob {
  entry: number;
  canonical: number;
}

/** Consecutive blobs (sorted by offset) grouped into reads of at most `limit` bytes each. */
function readGroups(blobs: RepackBlob[], limit: number): RepackBlob[][] {
  const groups: RepackBlob[][] = [];
  let start = 0;
  for (const b of blobs) {
    const last = groups.at(-1);
    if (last && b.offset + b.length - start <= limit) last.push(b);
    else {
      groups.push([b]);
      start = b.offset;
    }
  }
  return groups;
}

/** zstd, always (even when it does not shrink the blob): these blobs are repacked to be compressed. */
function compress(plain: Buffer, mode: Compression): Buffer {
  const level = mode === 'max' ? 19 : 3;
  return zlib.zstdCompressSync(plain, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
}
