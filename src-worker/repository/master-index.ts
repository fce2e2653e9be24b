// The in-memory index: where every blob of the repository is (pack, offset, lengths). Sized for big
// repositories: entries live in growable typed arrays (no JS object per blob) and an
// open-addressing table of entry numbers finds them (blob-id-table.ts), about 60 bytes per blob.
import type { BlobType, PackedBlob } from '../format/blob.ts';
import type { Id } from '../format/id.ts';
import { BlobIdTable, grown, TYPE_TREE } from './blob-id-table.ts';

export interface BlobLocation {
  packId: Id;
  type: BlobType;
  offset: number;
  length: number;
  uncompressedLength: number;
}

export class MasterIndex {
  private readonly keys = new BlobIdTable((cap) => {
    this.packOf = grown(this.packOf, cap);
    this.offsets = grown(this.offsets, cap);
    this.lengths = grown(this.lengths, cap);
    this.plainLengths = grown(this.plainLengths, cap);
  });
  // By entry number, beside the table's ids and types.
  private packOf: Uint32Array = new Uint32Array(this.keys.capacity);
  private offsets: Uint32Array = new Uint32Array(this.keys.capacity);
  private lengths: Uint32Array = new Uint32Array(this.keys.capacity);
  private plainLengths: Uint32Array = new Uint32Array(this.keys.capacity);
  /** Entries whose (type, id) was already present: the same blob stored in more than one pack. */
  duplicates = 0;

  // Packs are few (one per ~16 MiB), so a plain array and map are fine.
  private packIds: Id[] = [];
  private packNumbers = new Map<Id, number>();

  get size(): number {
    return this.keys.size;
  }

  get packCount(): number {
    return this.packIds.length;
  }

  hasPack(packId: Id): boolean {
    return this.packNumbers.has(packId);
  }

  packs(): Id[] {
    return this.packIds.slice();
  }

  /** Bytes held by the index's arrays, for memory accounting. */
  get byteSize(): number {
    return this.keys.byteSize + this.packOf.byteLength * 4;
  }

  addPack(packId: Id, blobs: readonly PackedBlob[]): void {
    let pack = this.packNumbers.get(packId);
    if (pack === undefined) {
      pack = this.packIds.length;
      this.packIds.push(packId);
      this.packNumbers.set(packId, pack);
    }
    for (const b of blobs) {
      const e = this.keys.addUnique(b.type, b.id);
      if (e < 0) {
        this.duplicates++;
        continue;
      }
      this.packOf[e] = pack;
      this.offsets[e] = b.offset;
      this.lengths[e] = b.length;
      this.plainLengths[e] = b.uncompressedLength;
    }
  }

  has(type: BlobType, id: Id): boolean {
    return this.keys.find(type, id) >= 0;
  }

  lookup(type: BlobType, id: Id): BlobLocation | undefined {
    const e = this.keys.find(type, id);
    if (e < 0) return undefined;
    return {
      packId: this.packIds[this.packOf[e]],
      type,
      offset: this.offsets[e],
      length: this.lengths[e],
      uncompressedLength: this.plainLengths[e],
    };
  }

  /** Plaintext size of a blob (what it restores to), or undefined when unknown. */
  plainSize(type: BlobType, id: Id): number | undefined {
    const e = this.keys.find(type, id);
    if (e < 0) return undefined;
    return this.plainLengths[e] || this.lengths[e] - 32;
  }

  /** Every blob, for check and statistics. */
  *entries(): Iterable<{ id: Id; location: BlobLocation }> {
    for (let e = 0; e < this.keys.size; e++) {
      yield {
        id: this.keys.id(e),
        location: {
          packId: this.packIds[this.packOf[e]],
          type: this.keys.typeCodeOf(e) === TYPE_TREE ? 'tree' : 'data',
          offset: this.offsets[e],
          length: this.lengths[e],
          uncompressedLength: this.plainLengths[e],
        },
      };
    }
  }
}
