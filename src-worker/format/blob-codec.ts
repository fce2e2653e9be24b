// Turning a blob's plaintext into the sealed bytes stored in a pack, and back, with the checks
// that reading needs: MAC first, then decompression, then the SHA-256 of the plaintext.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { CairnError } from '../errors.ts';
import type { BlobType } from './blob.ts';
import { open, seal, type MasterKey } from './crypto.ts';
import { release } from './release.ts';
import type { Id } from './id.ts';

export type Compression = 'auto' | 'off' | 'max';

const LEVEL = { auto: 3, max: 19 } as const;

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
  if (compression && compression !== 'off' && plain.length > 0) {
    // chunkSize: one output buffer of its own (not pieces to concatenate), which release() can free.
    const packed = zlib.zstdCompressSync(plain, { chunkSize: plain.length + 4096, params: { [zlib.constants.ZSTD_c_compressionLevel]: LEVEL[compression] } });
    try {
      if (packed.length < plain.length) return { sealed: seal(key, packed), uncompressedLength: plain.length };
    } finally {
      release(packed);
    }
  }
  return { sealed: seal(key, plain), uncompressedLength: 0 };
}

/** Opens a blob read from a pack and verifies that its plaintext hashes to `id`. */
export function openBlob(key: MasterKey, sealed: Uint8Array, id: Id, type: BlobType, uncompressedLength: number, packId: Id): Buffer {
  let plain: Buffer;
  try {
    plain = open(key, sealed);
  } catch (err) {
    throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} is damaged (MAC mismatch): run "cairn check --read-data"`, { cause: err });
  }
  if (uncompressedLength > 0) {
    const packed = plain;
    try {
      // One output buffer of the expected size (release() can free it later), and never more
      // output than the index promised: a damaged or hostile blob cannot balloon in memory.
      plain = zlib.zstdDecompressSync(packed, { chunkSize: Math.min(Math.max(uncompressedLength, 64), 16 << 20), maxOutputLength: uncompressedLength });
    } catch (err) {
      release(packed);
      throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} cannot be decompressed: run "cairn check --read-data"`, { cause: err });
    }
    release(packed);
    if (plain.length !== uncompressedLength) {
      throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} decompressed to ${plain.length} bytes, expected ${uncompressedLength}`);
    }
  }
  const actual = crypto.createHash('sha256').update(plain).digest('hex');
  if (actual !== id) {
    throw new CairnError('CORRUPT_PACK', `${type} blob ${id.slice(0, 8)} in pack ${packId.slice(0, 8)} has wrong content (hash ${actual.slice(0, 8)}): run "cairn check --read-data"`);
  }
  return plain;
}
