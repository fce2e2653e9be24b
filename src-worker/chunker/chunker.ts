// Content-defined chunking with boundaries identical to restic's (github.com/restic/chunker) for
// the same polynomial. The per-byte loop runs in WebAssembly (wasm/assembly/chunker.ts); this
// module prepares the polynomial's tables and owns the input buffer, which lives in the kernel's
// memory so file data is read straight into it with no copy.
import { CairnError } from '../errors.ts';
import { loadKernel } from '../wasm/load.ts';
import { degree, isIrreducible, mod } from './polynomial.ts';

export { isIrreducible, randomPolynomial } from './polynomial.ts';

export const MIN_SIZE = 512 * 1024;
export const MAX_SIZE = 8 * 1024 * 1024;
const WINDOW = 64;
const AVERAGE_BITS = 20;

interface ChunkerKernel {
  outTablePtr(): number;
  modTablePtr(): number;
  heapBase(): number;
  cut(ptr: number, len: number, eof: number, minSize: number, maxSize: number, splitMask: bigint, polShift: bigint): number;
}

function appendByte(hash: bigint, b: number, pol: bigint): bigint {
  return mod((hash << 8n) | BigInt(b), pol);
}

/**
 * restic's out table (hash of a byte followed by 63 zero bytes) and mod table (reduction by the
 * top 8 bits). Both are linear over GF(2) in the byte, so only the eight single-bit bytes are
 * computed with bigint arithmetic (a twentieth of the work of all 256, which a worker paid at
 * start) and every other entry is the XOR of those its bits select.
 */
export function buildTables(pol: bigint): { out: BigUint64Array; mod: BigUint64Array } {
  const out = new BigUint64Array(256);
  const modTable = new BigUint64Array(256);
  const k = degree(pol);
  for (let bit = 0; bit < 8; bit++) {
    const b = 1 << bit;
    let h = appendByte(0n, b, pol);
    for (let i = 0; i < WINDOW - 1; i++) h = appendByte(h, 0, pol);
    out[b] = h;
    modTable[b] = mod(BigInt(b) << BigInt(k), pol) | (BigInt(b) << BigInt(k));
  }
  for (let b = 3; b < 256; b++) {
    const low = b & -b; // the lowest set bit; b - low has its entries already
    if (low === b) continue;
    out[b] = out[low]! ^ out[b - low]!;
    modTable[b] = modTable[low]! ^ modTable[b - low]!;
  }
  return { out, mod: modTable };
}

const tableCache = new Map<bigint, { out: BigUint64Array; mod: BigUint64Array }>();

export interface ChunkerOptions { minSize?: number; maxSize?: number; averageBits?: number }

export class Chunker {
  /** Input buffer inside the kernel's memory: read file data into it, then call `cut`. */
  buffer: Buffer;
  private readonly kernel: ChunkerKernel & { memory: WebAssembly.Memory };
  private readonly base: number;
  private readonly minSize: number;
  private readonly maxSize: number;
  private readonly splitMask: bigint;
  private readonly polShift: bigint;

  constructor(pol: bigint, bufferSize: number, options: ChunkerOptions = {}) {
    const deg = degree(pol);
    if (deg !== 53) {
      throw new CairnError('CORRUPT_OBJECT', `the repository's chunker polynomial ${pol.toString(16)} has degree ${deg}, not 53: the config file is damaged`);
    }
    this.minSize = options.minSize ?? MIN_SIZE;
    this.maxSize = options.maxSize ?? MAX_SIZE;
    this.splitMask = (1n << BigInt(options.averageBits ?? AVERAGE_BITS)) - 1n;
    this.polShift = BigInt(deg - 8);
    const kernel = loadKernel<ChunkerKernel>('chunker');
    this.kernel = kernel;
    this.base = kernel.heapBase();
    const needPages = Math.ceil((this.base + bufferSize) / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (needPages > 0) kernel.memory.grow(needPages);
    let tables = tableCache.get(pol);
    if (!tables) tableCache.set(pol, (tables = buildTables(pol)));
    new BigUint64Array(kernel.memory.buffer, kernel.outTablePtr(), 256).set(tables.out);
    new BigUint64Array(kernel.memory.buffer, kernel.modTablePtr(), 256).set(tables.mod);
    this.buffer = Buffer.from(kernel.memory.buffer, this.base, bufferSize);
  }

  /**
   * Makes the buffer `size` bytes, keeping its content (the memory can only grow). Returns the new
   * view; earlier views of the buffer are detached.
   */
  grow(size: number): Buffer {
    if (size <= this.buffer.length) return this.buffer;
    const needPages = Math.ceil((this.base + size) / 65536) - this.kernel.memory.buffer.byteLength / 65536;
    if (needPages > 0) this.kernel.memory.grow(needPages);
    this.buffer = Buffer.from(this.kernel.memory.buffer, this.base, size);
    return this.buffer;
  }

  /**
   * Length of the chunk starting at buffer offset `start`, with `available` bytes of input there.
   * Returns 0 when more input is needed; with `eof`, the rest is the last chunk.
   */
  cut(start: number, available: number, eof: boolean): number {
    if (available <= 0) return 0;
    return this.kernel.cut(this.base + start, available, eof ? 1 : 0, this.minSize, this.maxSize, this.splitMask, this.polShift);
  }

  /** Chunk lengths of a whole in-memory input (tests and tools; backup streams through `buffer`). */
  static split(pol: bigint, data: Uint8Array, options: ChunkerOptions = {}): number[] {
    const max = options.maxSize ?? MAX_SIZE;
    const c = new Chunker(pol, 2 * max, options);
    const lengths: number[] = [];
    let pos = 0;
    while (pos < data.length) {
      const n = Math.min(data.length - pos, 2 * max);
      c.buffer.set(data.subarray(pos, pos + n), 0);
      const len = c.cut(0, n, pos + n === data.length);
      lengths.push(len);
      pos += len;
    }
    return lengths;
  }
}

export function checkPolynomial(pol: bigint): void {
  if (degree(pol) !== 53 || !isIrreducible(pol)) {
    throw new CairnError('CORRUPT_OBJECT', `the repository's chunker polynomial ${pol.toString(16)} is not an irreducible polynomial of degree 53: the config file is damaged`);
  }
}
