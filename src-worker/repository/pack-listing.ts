// Every blob listing of the index files: per pack (the first listing of a pack when several index
// files name it), every blob it holds, duplicates included. The master index keeps one location
// per blob; prune must see each copy to decide which to keep, and check --read-data each pack's
// whole list to verify it. Entries live in typed arrays (about 60 bytes a blob with the lookup
// table) instead of an object and an id string per blob: a repository of a few million blobs fits
// in a few hundred MiB, not gigabytes.
//
// Entry numbers are positions in listing order: a pack's entries are consecutive, packs in the
// order they were added. A blob's "canonical" entry is its first listing; sets of blobs (used, to
// keep, copied) are flag arrays indexed by canonical entry.
import { CairnError } from '../errors.ts';
import type { BlobType, PackedBlob } from '../format/blob.ts';
import { ID_SIZE, type Id } from '../format/id.ts';

const TYPE_DATA = 0, TYPE_TREE = 1;
const EMPTY = 0xffffffff;
const MAX_U32 = 0xffffffff;

export class PackListing {
  private ids = new Uint8Array(ID_SIZE * 1024);
  private idWords = new Uint32Array(this.ids.buffer);
  private offsets: Uint32Array = new Uint32Array(1024);
  private lengths: Uint32Array = new Uint32Array(1024);
  private plainLengths: Uint32Array = new Uint32Array(1024);
  private types = new Uint8Array(1024);
  /** Canonical entry of each entry (itself when it is the blob's first listing). */
  private canon: Uint32Array = new Uint32Array(1024);
  private count = 0;
  /** Entries that repeat a blob listed before (in this pack or another). */
  duplicates = 0;

  /** Hash table of canonical entries; EMPTY marks a free slot. */
  private table = new Uint32Array(2048).fill(EMPTY);

  // Packs are few (one per ~16 MiB): plain arrays.
  private readonly packIds: Id[] = [];
  private readonly packNumbers = new Map<Id, number>();
  /** First entry of each pack; the pack after it starts where it ends. */
  private packFirst: number[] = [];

  private readonly scratch = Buffer.alloc(ID_SIZE);
  private readonly scratchWords = new Uint32Array(this.scratch.buffer, this.scratch.byteOffset, 8);

  /** Number of entries (blob listings). */
  get size(): number {
    return this.count;
  }

  get packCount(): number {
    return this.packIds.length;
  }

  /** Adds a pack's listing; a pack listed before keeps its first listing (returns false). */
  addPack(packId: Id, blobs: readonly PackedBlob[]): boolean {
    if (this.packNumbers.has(packId)) return false;
    this.packNumbers.set(packId, this.packIds.length);
    this.packIds.push(packId);
    this.packFirst.push(this.count);
    for (const b of blobs) this.addBlob(b, packId);
    return true;
  }

  private addBlob(b: PackedBlob, packId: Id): void {
    if (b.offset > MAX_U32 || b.length > MAX_U32 || b.uncompressedLength > MAX_U32) {
      throw new CairnError('UNSUPPORTED_VERSION', `pack ${packId.slice(0, 8)} lists blob ${b.id.slice(0, 8)} beyond 4 GiB, which Cairn cannot handle`);
    }
    if (this.count === this.offsets.length) this.growEntries();
    if ((this.count + 1) * 4 > this.table.length * 3) this.growTable();
    const e = this.count++;
    this.scratch.write(b.id, 0, ID_SIZE, 'hex');
    this.idWords.set(this.scratchWords, e * 8);
    this.offsets[e] = b.offset;
    this.lengths[e] = b.length;
    this.plainLengths[e] = b.uncompressedLength;
    const type = b.type === 'tree' ? TYPE_TREE : TYPE_DATA;
    this.types[e] = type;
    const slot = this.findSlot(this.scratchWords, type);
    if (this.table[slot] === EMPTY) {
      this.table[slot] = e;
      this.canon[e] = e;
    } else {
      this.canon[e] = this.table[slot];
      this.duplicates++;
    }
  }

  /** The canonical entry of a blob, or -1 when no index file lists it. */
  find(type: BlobType, id: Id): number {
    this.scratch.write(id, 0, ID_SIZE, 'hex');
    const e = this.table[this.findSlot(this.scratchWords, type === 'tree' ? TYPE_TREE : TYPE_DATA)];
    return e === EMPTY ? -1 : e;
  }

  packId(p: number): Id {
    return this.packIds[p];
  }

  /** Pack number of a pack id, or -1 when no index file lists it. */
  packNumber(id: Id): number {
    return this.packNumbers.get(id) ?? -1;
  }

  /** First entry of pack p. */
  first(p: number): number {
    return this.packFirst[p];
  }

  /** One past the last entry of pack p. */
  end(p: number): number {
    return p + 1 < this.packFirst.length ? this.packFirst[p + 1] : this.count;
  }

  canonical(e: number): number {
    return this.canon[e];
  }

  isTree(e: number): boolean {
    return this.types[e] === TYPE_TREE;
  }

  type(e: number): BlobType {
    return this.types[e] === TYPE_TREE ? 'tree' : 'data';
  }

  offset(e: number): number {
    return this.offsets[e];
  }

  /** Sealed length in the pack. */
  length(e: number): number {
    return this.lengths[e];
  }

  /** Plaintext length when stored compressed, 0 when stored uncompressed. */
  uncompressedLength(e: number): number {
    return this.plainLengths[e];
  }

  id(e: number): Id {
    return Buffer.from(this.ids.buffer, e * ID_SIZE, ID_SIZE).toString('hex');
  }

  /** The entry as the index file format describes a blob. */
  blob(e: number): PackedBlob {
    return { id: this.id(e), type: this.type(e), offset: this.offsets[e], length: this.lengths[e], uncompressedLength: this.plainLengths[e] };
  }

  /** A pack's entries as index file blobs, in listing order. */
  blobs(p: number): PackedBlob[] {
    const out: PackedBlob[] = [];
    for (let e = this.first(p), end = this.end(p); e < end; e++) out.push(this.blob(e));
    return out;
  }

  /** A pack's entries by position in the pack, so a pack is read front to back. */
  byOffset(p: number): number[] {
    const out: number[] = [];
    for (let e = this.first(p), end = this.end(p); e < end; e++) out.push(e);
    return out.sort((a, b) => this.offsets[a] - this.offsets[b]);
  }

  /** A slot: the blob's canonical entry, or the free slot where it would go. */
  private findSlot(words: Uint32Array, type: number): number {
    const mask = this.table.length - 1;
    // Ids are SHA-256 hashes: any of their words is a uniformly distributed hash.
    let slot = (words[0] ^ type) & mask;
    const w = this.idWords;
    for (;;) {
      const e = this.table[slot];
      if (e === EMPTY) return slot;
      const base = e * 8;
      if (w[base] === words[0] && w[base + 1] === words[1] && w[base + 2] === words[2] && w[base + 3] === words[3]
        && w[base + 4] === words[4] && w[base + 5] === words[5] && w[base + 6] === words[6] && w[base + 7] === words[7]
        && this.types[e] === type) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private growEntries(): void {
    const cap = Math.ceil(this.offsets.length * 1.5);
    const ids = new Uint8Array(cap * ID_SIZE);
    ids.set(this.ids);
    this.ids = ids;
    this.idWords = new Uint32Array(ids.buffer);
    this.offsets = grow(this.offsets, cap);
    this.lengths = grow(this.lengths, cap);
    this.plainLengths = grow(this.plainLengths, cap);
    this.canon = grow(this.canon, cap);
    const types = new Uint8Array(cap);
    types.set(this.types);
    this.types = types;
  }

  private growTable(): void {
    this.table = new Uint32Array(this.table.length * 2).fill(EMPTY);
    for (let e = 0; e < this.count; e++) {
      if (this.canon[e] !== e) continue;
      const slot = this.findSlot(this.idWords.subarray(e * 8, e * 8 + 8), this.types[e]);
      this.table[slot] = e;
    }
  }
}

function grow(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
