// Turning a blob's plaintext into the sealed bytes stored in a pack, and back, with the checks
// that reading needs: MAC first, then decompression, then the SHA-256 of the plaintext.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { CairnError } from '../errors.ts';
import type { BlobType } from './blob.ts';
import { open, seal, sealInWorkArea, type MasterKey } from './crypto.ts';
import { release } from './release.ts';
import { compressBound, compressInto, decompressExactInto, KEPT_LEVEL, NO_KEPT_COMPRESSOR } from './zstd-kept.ts';
import type { Id } from './id.ts';

export type Compression = 'auto' | 'off' | 'max';

const LEVEL = { auto: KEPT_LEVEL, max: 19 } as const;
/** Output buffers of work that runs blob after blob come in multiples of this. */
const OUTPUT_STEP = 1 << 20;

/**
 * How a blob of `type` is stored given the repository's setting (null: version 1, no compression):
 * trees are compressed even with data compression off, as restic does.
 */
export function compressionFor(type: BlobType, compression: Compression | null): Compression | null {
  return type === 'tree' && compression === 'off' ? 'auto' : compression;
}

export interface SealedBlob {
  sealed: Buffer;
  /** Plaintext length when the stored form is compressed, else 0. */
  uncompressedLength: number;
}

/**
 * Seals a blob for a pack. With compression on (repository version 2), the compressed form is
 * stored only when it is smaller: incompressible data (photos, archives) is stored as it is,
 * which costs nothing to read back and keeps packs no larger than the input.
 */
export function sealBlob(key: MasterKey, plain: Uint8Array, compression: Compression | null): SealedBlob {
  // chunkSize: one output buffer of its own (not pieces to concatenate), which release() can free.
  return compressAndSeal(plain, compression, plain.length + 4096, (bytes) => seal(key, bytes));
}

/**
 * sealBlob for code that seals blob after blob and writes each out at once (the backup workers):
 * the sealed bytes are a view of the crypto kernel's work area, valid until its next use, and the
 * compressor's output buffers come in whole MiB, so the allocator reuses a few sizes instead of
 * keeping freed buffers of every size (see sealInWorkArea).
 */
export function sealBlobInWorkArea(key: MasterKey, plain: Uint8Array, compression: Compression | null): SealedBlob {
  const chunkSize = Math.ceil((plain.length + 4096) / OUTPUT_STEP) * OUTPUT_STEP;
  return compressAndSeal(plain, compression, chunkSize, (bytes) => sealInWorkArea(key, bytes));
}

function compressAndSeal(plain: Uint8Array, compression: Compression | null, chunkSize: number, sealBytes: (bytes: Uint8Array) => Buffer): SealedBlob {
  if (compression && compression !== 'off' && plain.length > 0) {
    const packed = compress(plain, LEVEL[compression], chunkSize);
    try {
      if (packed) return { sealed: sealBytes(packed), uncompressedLength: plain.length };
    } finally {
      if (packed) release(packed);
    }
  }
  return { sealed: sealBytes(plain), uncompressedLength: 0 };
}

/** `plain` as one zstd frame at `level`, if that is smaller; null if it is not. */
function compress(plain: Uint8Array, level: number, chunkSize: number): Buffer | null {
  if (level === KEPT_LEVEL) {
    const out = Buffer.allocUnsafe(Math.max(chunkSize, compressBound(plain.length)));
    const n = compressInto(plain, out);
    if (n !== NO_KEPT_COMPRESSOR && n < plain.length) return out.subarray(0, n);
    release(out);
    if (n !== NO_KEPT_COMPRESSOR) return null; // not smaller: stored as it is
  }
  const packed = zlib.zstdCompressSync(plain, { chunkSize, params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
  if (packed.length < plain.length) return packed;
  release(packed);
  return null;
}

/** Opens a blob read from a pack and verifies that its plaintext hashes to `id`. */
export function openBlob(key: MasterKey, sealed: Uint8Array, id: Id, type: BlobType, uncompressedLength: number, packId: Id): Buffer {
  let plain: Buffer;
  try {
    plain = open(key, sealed);
  } catch (err) {
    throw damagedBlob(type, id, packId, err);
  }
  return finishBlob(plain, id, type, uncompressedLength, packId, { ownsInput: true, releasedAfterUse: false });
}

/** The error for a blob whose MAC does not match. */
export function damagedBlob(type: BlobType, id: Id, packId: Id, cause?: unknown): CairnError {
  return new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} is damaged (MAC mismatch): run "cairn check --read-data"`, { cause });
}

export interface FinishOptions {
  /** `decrypted` may be freed once decompressed (false for a view into a buffer the caller keeps). */
  ownsInput: boolean;
  /**
   * The caller releases the plaintext right after use (restore and check workers): decompress
   * into buffers of a few fixed sizes, which the allocator hands out again blob after blob,
   * instead of one of each blob's size, which costs fresh pages again and again.
   */
  releasedAfterUse: boolean;
}

/**
 * The second half of opening a blob, after its MAC matched and it was decrypted: decompresses it
 * (repository version 2) and checks that the plaintext hashes to `id`.
 */
export function finishBlob(decrypted: Buffer, id: Id, type: BlobType, uncompressedLength: number, packId: Id, opts: FinishOptions): Buffer {
  let plain = decrypted;
  if (uncompressedLength > 0) {
    try {
      // One output buffer (release() can free it later), and never more output than the index
      // promised: a damaged or hostile blob cannot balloon in memory. The buffer is one byte
      // larger than the output: node:zlib allocates a second one when the first ends up full.
      const room = Math.max(uncompressedLength + 1, 64); // node:zlib refuses chunks under 64 bytes
      const chunkSize = opts.releasedAfterUse ? Math.ceil(room / OUTPUT_STEP) * OUTPUT_STEP : room;
      const out = Buffer.allocUnsafe(chunkSize);
      if (decompressExactInto(decrypted, uncompressedLength, out)) plain = out.subarray(0, uncompressedLength);
      else {
        release(out);
        plain = zlib.zstdDecompressSync(decrypted, { chunkSize, maxOutputLength: uncompressedLength });
      }
    } catch (err) {
      throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} cannot be decompressed: run "cairn check --read-data"`, { cause: err });
    } finally {
      if (opts.ownsInput) release(decrypted);
    }
    if (plain.length !== uncompressedLength) {
      throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} decompressed to ${plain.length} bytes, expected ${uncompressedLength}`);
    }
  }
  const actual = crypto.hash('sha256', plain, 'hex');
  if (actual !== id) {
    throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} has wrong content (hash ${actual.slice(0, 8)}): run "cairn check --read-data"`);
  }
  return plain;
}

