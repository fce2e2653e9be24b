// The in-memory index: where every blob of the repository is (pack, offset, lengths). Sized for big
// repositories: entries live in growable typed arrays (no JS object per blob) and a power-of-two
// open-addressing table of entry numbers finds them, about 60 bytes per blob all told.
import type { BlobType, PackedBlob } from '../format/blob.ts';
import { ID_SIZE, type Id } from '../format/id.ts';

export interface BlobLocation {
  packId: Id;
  type: BlobType;
  offset: number;
  length: number;
  uncompressedLength: number;
}

const TYPE_DATA = 0, TYPE_TREE = 1;
const EMPTY = 0xffffffff;

export class MasterIndex {
  // Entry arrays, indexed by entry number.
  private ids = new Uint8Array(ID_SIZE * 1024);
  private idWords = new Uint32Array(this.ids.buffer);
  private packOf: Uint32Array = new Uint32Array(1024);
  private offsets: Uint32Array = new Uint32Array(1024);
  private lengths: Uint32Array = new Uint32Array(1024);
  private plainLengths: Uint32Array = new Uint32Array(1024);
  private types = new Uint8Array(1024);
  private count = 0;
  /** Entries whose (type, id) was already present: the same blob stored in more than one pack. */
  duplicates = 0;

  // Hash table of entry numbers; EMPTY marks a free slot.
  private table = new Uint32Array(2048).fill(EMPTY);

  // Packs are few (one per ~16 MiB), so a plain array and map are fine.
  private packIds: Id[] = [];
  private packNumbers = new Map<Id, number>();

  private readonly scratch = Buffer.alloc(ID_SIZE);
  private readonly scratchWords = new Uint32Array(this.scratch.buffer, this.scratch.byteOffset, 8);

  get size(): number {
    return this.count;
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
    return this.ids.byteLength + this.packOf.byteLength * 4 + this.types.byteLength + this.table.byteLength;
  }

  addPack(packId: Id, blobs: readonly PackedBlob[]): void {
    let pack = this.packNumbers.get(packId);
    if (pack === undefined) {
      pack = this.packIds.length;
      this.packIds.push(packId);
      this.packNumbers.set(packId, pack);
    }
    for (const b of blobs) this.addBlob(pack, b);
  }

  private addBlob(pack: number, b: PackedBlob): void {
    const words = this.loadKey(b.id);
    const type = b.type === 'tree' ? TYPE_TREE : TYPE_DATA;
    if (this.findSlot(words, type) >= 0) {
      this.duplicates++;
      return;
    }
    if (this.count === this.packOf.length) this.growEntries();
    if ((this.count + 1) * 4 > this.table.length * 3) this.growTable();
    const e = this.count++;
    this.idWords.set(words, e * 8);
    this.packOf[e] = pack;
    this.offsets[e] = b.offset;
    this.lengths[e] = b.length;
    this.plainLengths[e] = b.uncompressedLength;
    this.types[e] = type;
    this.insert(e);
  }

  has(type: BlobType, id: Id): boolean {
    return this.findSlot(this.loadKey(id), type === 'tree' ? TYPE_TREE : TYPE_DATA) >= 0;
  }

  lookup(type: BlobType, id: Id): BlobLocation | undefined {
    const slot = this.findSlot(this.loadKey(id), type === 'tree' ? TYPE_TREE : TYPE_DATA);
    if (slot < 0) return undefined;
    const e = this.table[slot];
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
    const slot = this.findSlot(this.loadKey(id), type === 'tree' ? TYPE_TREE : TYPE_DATA);
    if (slot < 0) return undefined;
    const e = this.table[slot];
    return this.plainLengths[e] || this.lengths[e] - 32;
  }

  /** Every blob, for check and statistics. */
  *entries(): Iterable<{ id: Id; location: BlobLocation }> {
    for (let e = 0; e < this.count; e++) {
      yield {
        id: Buffer.from(this.ids.buffer, e * ID_SIZE, ID_SIZE).toString('hex'),
        location: {
          packId: this.packIds[this.packOf[e]],
          type: this.types[e] === TYPE_TREE ? 'tree' : 'data',
          offset: this.offsets[e],
          length: this.lengths[e],
          uncompressedLength: this.plainLengths[e],
        },
      };
    }
  }

  private loadKey(id: Id): Uint32Array {
    this.scratch.write(id, 0, ID_SIZE, 'hex');
    return this.scratchWords;
  }

  private findSlot(words: Uint32Array, type: number): number {
    const mask = this.table.length - 1;
    // Ids are SHA-256 hashes, so any of their words is a uniformly distributed hash.
    let slot = (words[0] ^ type) & mask;
    const w = this.idWords;
    for (;;) {
      const e = this.table[slot];
      if (e === EMPTY) return -1;
      const base = e * 8;
      if (w[base] === words[0] && w[base + 1] === words[1] && w[base + 2] === words[2] && w[base + 3] === words[3]
        && w[base + 4] === words[4] && w[base + 5] === words[5] && w[base + 6] === words[6] && w[base + 7] === words[7]
        && this.types[e] === type) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private insert(e: number): void {
    const mask = this.table.length - 1;
    let slot = (this.idWords[e * 8] ^ this.types[e]) & mask;
    while (this.table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.table[slot] = e;
  }

  private growEntries(): void {
    const cap = Math.ceil(this.packOf.length * 1.5);
    const ids = new Uint8Array(cap * ID_SIZE);
    ids.set(this.ids);
    this.ids = ids;
    this.idWords = new Uint32Array(ids.buffer);
    this.packOf = grow(this.packOf, cap);
    this.offsets = grow(this.offsets, cap);
    this.lengths = grow(this.lengths, cap);
    this.plainLengths = grow(this.plainLengths, cap);
    const types = new Uint8Array(cap);
    types.set(this.types);
    this.types = types;
  }

  private growTable(): void {
    this.table = new Uint32Array(this.table.length * 2).fill(EMPTY);
    for (let e = 0; e < this.count; e++) this.insert(e);
  }
}

function grow(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
