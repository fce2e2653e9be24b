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
import type { Id } from '../format/id.ts';
import { BlobIdTable, grown, TYPE_TREE } from './blob-id-table.ts';

const MAX_U32 = 0xffffffff;

export class PackListing {
  private readonly keys = new BlobIdTable((cap) => {
    this.offsets = grown(this.offsets, cap);
    this.lengths = grown(this.lengths, cap);
    this.plainLengths = grown(this.plainLengths, cap);
    this.canon = grown(this.canon, cap);
  });
  // By entry number, beside the table's ids and types.
  private offsets: Uint32Array = new Uint32Array(this.keys.capacity);
  private lengths: Uint32Array = new Uint32Array(this.keys.capacity);
  private plainLengths: Uint32Array = new Uint32Array(this.keys.capacity);
  /** Canonical entry of each entry (itself when it is the blob's first listing). */
  private canon: Uint32Array = new Uint32Array(this.keys.capacity);
  /** Entries that repeat a blob listed before (in this pack or another). */
  duplicates = 0;

  // Packs are few (one per ~16 MiB): plain arrays.
  private readonly packIds: Id[] = [];
  private readonly packNumbers = new Map<Id, number>();
  /** First entry of each pack; the pack after it starts where it ends. */
  private readonly packFirst: number[] = [];

  /** Number of entries (blob listings). */
  get size(): number {
    return this.keys.size;
  }

  get packCount(): number {
    return this.packIds.length;
  }

  /** Adds a pack's listing; a pack listed before keeps its first listing (returns false). */
  addPack(packId: Id, blobs: readonly PackedBlob[]): boolean {
    if (this.packNumbers.has(packId)) return false;
    this.packNumbers.set(packId, this.packIds.length);
    this.packIds.push(packId);
    this.packFirst.push(this.keys.size);
    for (const b of blobs) {
      if (b.offset > MAX_U32 || b.length > MAX_U32 || b.uncompressedLength > MAX_U32) {
        throw new CairnError('UNSUPPORTED_VERSION', `pack ${packId.slice(0, 8)} lists blob ${b.id.slice(0, 8)} beyond 4 GiB, which Cairn cannot handle`);
      }
      const e = this.keys.size;
      const first = this.keys.addCopy(b.type, b.id);
      this.offsets[e] = b.offset;
      this.lengths[e] = b.length;
      this.plainLengths[e] = b.uncompressedLength;
      this.canon[e] = first;
      if (first !== e) this.duplicates++;
    }
    return true;
  }

  /** The canonical entry of a blob, or -1 when no index file lists it. */
  find(type: BlobType, id: Id): number {
    return this.keys.find(type, id);
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
    return p + 1 < this.packFirst.length ? this.packFirst[p + 1] : this.keys.size;
  }

  canonical(e: number): number {
    return this.canon[e];
  }

  isTree(e: number): boolean {
    return this.keys.typeCodeOf(e) === TYPE_TREE;
  }

  type(e: number): BlobType {
    return this.isTree(e) ? 'tree' : 'data';
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
    return this.keys.id(e);
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
}
