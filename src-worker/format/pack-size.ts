// The size a pack must have on the backend, computed from what the index says it holds: every
// blob's sealed length, one header entry per blob, the header's sealing overhead and the 4-byte
// header length. check compares it with the listed size; repair index uses it to decide which
// packs' existing index entries can be trusted without reading the pack.
import type { PackedBlob } from './blob.ts';
import { SEAL_OVERHEAD } from './crypto.ts';
import { entrySize } from './pack.ts';

export function packSizeFromIndex(blobs: readonly PackedBlob[]): number {
  let size = SEAL_OVERHEAD + 4;
  for (const b of blobs) size += b.length + entrySize(b.uncompressedLength > 0);
  return size;
}
