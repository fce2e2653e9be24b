// Blob ids and types by entry number, in growable typed arrays, with a power-of-two
// open-addressing table from (type, id) to an entry: the part the master index and the pack
// listing share. Which entries the table points at is the owner's choice (the master index: every
// entry, as it keeps one per blob; the listing: each blob's first). About 32 + 1 bytes an entry,
// and 4 to 8 bytes a tabled entry.
import type { BlobType } from '../format/blob.ts';
import { ID_SIZE, type Id } from '../format/id.ts';

export const TYPE_DATA = 0, TYPE_TREE = 1;
const EMPTY = 0xffffffff;

export const typeCode = (type: BlobType): number => (type === 'tree' ? TYPE_TREE : TYPE_DATA);

export class BlobIdTable {
  private ids = new Uint8Array(ID_SIZE * 1024);
  private idWords = new Uint32Array(this.ids.buffer);
  private types = new Uint8Array(1024);
  private count = 0;
  private tabled = 0;
  /** Entry numbers; EMPTY marks a free slot. */
  private table = new Uint32Array(2048).fill(EMPTY);

  private readonly scratch = Buffer.alloc(ID_SIZE);
  private readonly scratchWords = new Uint32Array(this.scratch.buffer, this.scratch.byteOffset, 8);
  private scratchType = TYPE_DATA;

  /** Called with the new capacity whenever the entry arrays grow, so an owner grows its own. */
  private readonly onGrow: (capacity: number) => void;

  constructor(onGrow: (capacity: number) => void = () => {}) {
    this.onGrow = onGrow;
  }

  get size(): number {
    return this.count;
  }

  /** Entries the arrays have room for (what an owner sizes its own arrays to). */
  get capacity(): number {
    return this.types.length;
  }

  get byteSize(): number {
    return this.ids.byteLength + this.types.byteLength + this.table.byteLength;
  }

  /** The tabled entry of (type, id), or -1. */
  find(type: BlobType, id: Id): number {
    this.scratch.write(id, 0, ID_SIZE, 'hex');
    const e = this.table[this.slotOf(this.scratchWords, typeCode(type))];
    return e === EMPTY ? -1 : e;
  }

  /** Adds (type, id) as a new, tabled entry and returns its number; -1 when the table has it already. */
  addUnique(type: BlobType, id: Id): number {
    const slot = this.load(type, id);
    return this.table[slot] === EMPTY ? this.append(slot, true) : -1;
  }

  /**
   * Adds (type, id) as a new entry whatever the table holds, and returns the entry the table
   * points at for it: an earlier one, or this one (tabled) when it is the first.
   */
  addCopy(type: BlobType, id: Id): number {
    const slot = this.load(type, id);
    const first = this.table[slot];
    const e = this.append(slot, first === EMPTY);
    return first === EMPTY ? e : first;
  }

  /** Puts (type, id) in the scratch key and returns its slot. */
  private load(type: BlobType, id: Id): number {
    this.scratch.write(id, 0, ID_SIZE, 'hex');
    this.scratchType = typeCode(type);
    return this.slotOf(this.scratchWords, this.scratchType);
  }

  /** Appends the scratch key as an entry; tabled at `slot` (its free slot) when asked. */
  private append(slot: number, table: boolean): number {
    if (this.count === this.types.length) this.growEntries();
    const e = this.count++;
    this.idWords.set(this.scratchWords, e * 8);
    this.types[e] = this.scratchType;
    if (table) {
      if ((this.tabled + 1) * 4 > this.table.length * 3) {
        this.growTable();
        slot = this.slotOf(this.scratchWords, this.scratchType);
      }
      this.table[slot] = e;
      this.tabled++;
    }
    return e;
  }

  typeCodeOf(e: number): number {
    return this.types[e];
  }

  id(e: number): Id {
    return Buffer.from(this.ids.buffer, e * ID_SIZE, ID_SIZE).toString('hex');
  }

  /** The slot holding the entry for (words, type), or the free slot where it would go. */
  private slotOf(words: Uint32Array, type: number): number {
    const mask = this.table.length - 1;
    // Ids are SHA-256 hashes, so any of their words is a uniformly distributed hash.
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
    const cap = Math.ceil(this.types.length * 1.5);
    const ids = new Uint8Array(cap * ID_SIZE);
    ids.set(this.ids);
    this.ids = ids;
    this.idWords = new Uint32Array(ids.buffer);
    const types = new Uint8Array(cap);
    types.set(this.types);
    this.types = types;
    this.onGrow(cap);
  }

  /** Twice the slots, refilled from the old table (only tabled entries go back in). */
  private growTable(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2).fill(EMPTY);
    const mask = this.table.length - 1;
    for (const e of old) {
      if (e === EMPTY) continue;
      let slot = (this.idWords[e * 8] ^ this.types[e]) & mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.table[slot] = e;
    }
  }
}

/** A copy of `a` with room for `capacity` entries. */
export function grown(a: Uint32Array, capacity: number): Uint32Array {
  const b = new Uint32Array(capacity);
  b.set(a);
  return b;
}
