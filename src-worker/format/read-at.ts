// One positioned read that does not stop short: readSync may return fewer bytes than asked at
// any time (signals, network file systems, pipes), so every caller that needs a whole range loops.
// Used by the workers (source files, packs) and the local backend and cache (small ranges).
import fs from 'node:fs';

export interface ReadPieces {
  /** Bytes read at most per call. */
  max: number;
  /** Called with each piece as it is read (to hash it while it is still in the core's cache). */
  onPiece: (bytes: Uint8Array) => void;
}

/**
 * Reads `length` bytes at file position `position` into `into` at `at`; returns how many, fewer
 * only where the file ends.
 */
export function readAtSync(fd: number, into: Uint8Array, at: number, length: number, position: number, pieces?: ReadPieces): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, into, at + got, pieces ? Math.min(pieces.max, length - got) : length - got, position + got);
    if (n === 0) break;
    pieces?.onPiece(into.subarray(at + got, at + got + n));
    got += n;
  }
  return got;
}
