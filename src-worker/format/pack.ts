// Pack files: sealed blobs back to back, then the sealed header, then the header's sealed length
// as a little-endian uint32. A header entry is the blob type (0 data, 1 tree, 2 compressed data,
// 3 compressed tree), the sealed length, for compressed types the plaintext length, and the id.
import { CairnError } from '../errors.ts';
import type { BlobType, PackedBlob } from './blob.ts';
import { open, seal, SEAL_OVERHEAD, type MasterKey } from './crypto.ts';
import { bytesToId, ID_SIZE, idToBytes } from './id.ts';

const PLAIN_ENTRY = 1 + 4 + ID_SIZE;
const COMPRESSED_ENTRY = 1 + 4 + 4 + ID_SIZE;

/** Upper bound restic uses when reading a pack's tail speculatively. */
export const EAGER_TAIL = 15 * 1024;

export function entrySize(compressed: boolean): number {
  return compressed ? COMPRESSED_ENTRY : PLAIN_ENTRY;
}

export function encodeHeader(blobs: readonly PackedBlob[]): Buffer {
  let size = 0;
  for (const b of blobs) size += entrySize(b.uncompressedLength > 0);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const b of blobs) {
    const compressed = b.uncompressedLength > 0;
    out[at] = (b.type === 'tree' ? 1 : 0) | (compressed ? 2 : 0);
    out.writeUInt32LE(b.length, at + 1);
    at += 5;
    if (compressed) {
      out.writeUInt32LE(b.uncompressedLength, at);
      at += 4;
    }
    idToBytes(b.id).copy(out, at);
    at += ID_SIZE;
  }
  return out;
}

/** Seals a header and appends its length: the bytes that end a pack. */
export function encodePackTail(key: MasterKey, blobs: readonly PackedBlob[]): Buffer {
  const sealed = seal(key, encodeHeader(blobs));
  const tail = Buffer.allocUnsafe(sealed.length + 4);
  sealed.copy(tail, 0);
  tail.writeUInt32LE(sealed.length, sealed.length);
  return tail;
}

export function decodeHeader(plain: Uint8Array, packName: string, allowCompressed: boolean): PackedBlob[] {
  const buf = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  const blobs: PackedBlob[] = [];
  let at = 0;
  let offset = 0;
  while (at < buf.length) {
    const kind = buf[at];
    if (kind > 3 || (kind >= 2 && !allowCompressed)) {
      throw new CairnError('CORRUPT_PACK', `pack ${packName} has a header entry of invalid type ${kind}`);
    }
    const compressed = kind >= 2;
    if (at + entrySize(compressed) > buf.length) throw new CairnError('CORRUPT_PACK', `pack ${packName} has a truncated header`);
    const length = buf.readUInt32LE(at + 1);
    at += 5;
    let uncompressedLength = 0;
    if (compressed) {
      uncompressedLength = buf.readUInt32LE(at);
      at += 4;
    }
    const id = bytesToId(buf.subarray(at, at + ID_SIZE));
    at += ID_SIZE;
    const type: BlobType = (kind & 1) === 1 ? 'tree' : 'data';
    if (length < SEAL_OVERHEAD) throw new CairnError('CORRUPT_PACK', `pack ${packName} lists blob ${id.slice(0, 8)} with impossible length ${length}`);
    blobs.push({ id, type, offset, length, uncompressedLength });
    offset += length;
  }
  return blobs;
}

/**
 * Parses a pack header given the pack's last bytes (`tail`, which must include the whole sealed
 * header and the length field) and the pack's total size.
 */
export function parsePackTail(key: MasterKey, tail: Uint8Array, packSize: number, packName: string, allowCompressed: boolean):
  { blobs: PackedBlob[]; headerLength: number } | { needBytes: number } {
  if (packSize < 4 + SEAL_OVERHEAD || tail.length < 4) throw new CairnError('CORRUPT_PACK', `pack ${packName} is too short (${packSize} bytes) to hold a header`);
  const buf = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  const headerLength = buf.readUInt32LE(buf.length - 4);
  if (headerLength + 4 > packSize || headerLength < SEAL_OVERHEAD) {
    throw new CairnError('CORRUPT_PACK', `pack ${packName} has an invalid header length ${headerLength}`);
  }
  if (headerLength + 4 > buf.length) return { needBytes: headerLength + 4 };
  const sealed = buf.subarray(buf.length - 4 - headerLength, buf.length - 4);
  let plain: Buffer;
  try {
    plain = open(key, sealed);
  } catch (err) {
    throw new CairnError('CORRUPT_PACK', `pack ${packName} has a damaged header (MAC mismatch)`, { cause: err });
  }
  const blobs = decodeHeader(plain, packName, allowCompressed);
  const dataEnd = blobs.length ? blobs[blobs.length - 1].offset + blobs[blobs.length - 1].length : 0;
  if (dataEnd + headerLength + 4 !== packSize) {
    throw new CairnError('CORRUPT_PACK', `pack ${packName}: header describes ${dataEnd} bytes of blobs but the pack holds ${packSize - headerLength - 4}`);
  }
  return { blobs, headerLength };
}
