// Blob types and the locations the index and pack headers record for them.
import type { Id } from './id.ts';

export type BlobType = 'data' | 'tree';

export interface PackedBlob {
  id: Id;
  type: BlobType;
  offset: number;
  /** Length of the sealed (encrypted, maybe compressed) blob in the pack. */
  length: number;
  /** Plaintext length when the blob is stored compressed; 0 when stored uncompressed. */
  uncompressedLength: number;
}
