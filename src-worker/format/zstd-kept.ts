// zstd for blobs with one compressor and one decompressor per thread, kept from blob to blob.
//
// zlib.zstdCompressSync and zstdDecompressSync build a whole stream for every call (a Duplex, a
// native handle, a zstd context with its tables and window) and close it afterwards: ~20 us to
// decompress and ~40 us to compress a ~1 KB tree blob beyond the work itself, and for every data
// blob a few MiB of fresh tables and window that the allocator has to find and fault in again.
// Measured, 1,500 tree frames: 32 ms to decompress that way, 5 ms through a kept decoder; a
// small tree compresses in 56 us fresh, 17 us kept (frames byte for byte the same).
//
// Node has no public call that works into a given buffer with a kept context, so this drives
// the stream's native handle as node:zlib's own synchronous path does (writeSync into an output
// buffer; the amounts left land in _writeState). Where that is missing (another Node) or a frame
// is damaged, the caller is told so and takes the zlib function, which also words the error.
import zlib from 'node:zlib';

interface NativeZstdHandle {
  reset(): void;
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, out: Uint8Array, outOffset: number, outLength: number): void;
}

interface StreamInternals {
  _handle?: NativeZstdHandle | null;
  /** [output bytes left, input bytes left] after each write. */
  _writeState?: Uint32Array;
  destroyed: boolean;
}

type Stream = zlib.ZstdCompress & StreamInternals;

/**
 * A kept stream of one kind, made on first use; after a damaged frame destroyed it, the next
 * use makes a new one. null when this Node does not expose what is needed.
 */
class Kept {
  private stream: Stream | null | undefined;
  private readonly make: () => zlib.ZstdCompress | zlib.ZstdDecompress;

  constructor(make: () => zlib.ZstdCompress | zlib.ZstdDecompress) {
    this.make = make;
  }

  /**
   * Runs one whole frame's worth of input through the stream (reset first, so nothing a frame
   * before left half done carries over) into out[0, room). Returns [output written, input left],
   * or null when the stream is unusable or failed (the frame was damaged).
   */
  run(flush: number, input: Uint8Array, out: Uint8Array, room: number): [number, number] | null {
    const s = this.usable();
    if (!s) return null;
    s._handle!.reset();
    s._handle!.writeSync(flush, input, 0, input.length, out, 0, room);
    if (s.destroyed || !s._handle) {
      this.stream = undefined;
      return null;
    }
    return [room - s._writeState![0]!, s._writeState![1]!];
  }

  usable(): Stream | null {
    if (this.stream === undefined) {
      const s = this.make() as Stream;
      // A failed write destroys the stream, which then emits the error; nothing reads the stream.
      s.on('error', () => {});
      const ok = typeof s._handle?.writeSync === 'function' && typeof s._handle.reset === 'function' && s._writeState instanceof Uint32Array;
      this.stream = ok ? s : null;
    }
    return this.stream;
  }
}

/** The level blobs are compressed at under the 'auto' setting (restic's default, zstd's 3). */
export const KEPT_LEVEL = 3;

const decoder = new Kept(() => new zlib.ZstdDecompress());
const encoder = new Kept(() => new zlib.ZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: KEPT_LEVEL } }));

/**
 * Decompresses the zstd frame `input`, which must hold exactly `size` bytes, into the start of
 * `out` (at least `size + 1` bytes long, so that a frame holding more shows). Returns whether it
 * did; on false `out` holds anything and the caller should decompress another way.
 */
export function decompressExactInto(input: Uint8Array, size: number, out: Uint8Array): boolean {
  if (out.length <= size) throw new RangeError('decompressExactInto: the output must be longer than size');
  const r = decoder.run(zlib.constants.ZSTD_e_continue, input, out, size + 1);
  return r !== null && r[0] === size && r[1] === 0;
}

/** What compressInto answers where this Node cannot keep a compressor. */
export const NO_KEPT_COMPRESSOR = -1;

/** The most a zstd frame of n bytes can take (zstd's ZSTD_COMPRESSBOUND). */
export function compressBound(n: number): number {
  return n + (n >>> 8) + (n < 128 << 10 ? ((128 << 10) - n) >>> 11 : 0);
}

/**
 * Compresses `input` at KEPT_LEVEL into one frame at the start of `out` and returns its length
 * (NO_KEPT_COMPRESSOR where this Node cannot keep one). `out` must hold compressBound(input
 * length): with that much room zstd compresses in one pass straight into it, which gives the
 * very frame zlib.zstdCompressSync gives with room enough; with less it takes its buffered
 * path, whose frames differ slightly.
 */
export function compressInto(input: Uint8Array, out: Uint8Array): number {
  if (out.length < compressBound(input.length)) throw new RangeError('compressInto: the output must hold compressBound(input length)');
  const r = encoder.run(zlib.constants.ZSTD_e_end, input, out, out.length);
  if (!r) return NO_KEPT_COMPRESSOR;
  if (r[1] !== 0 || r[0] === out.length) throw new Error('zstd left a frame unfinished despite room for it');
  return r[0];
}

/** Whether this Node lets the kept streams work (false: every call falls back). */
export function keptZstdAvailable(): boolean {
  return decoder.usable() !== null && encoder.usable() !== null;
}
