// restic's content-defined chunker (Rabin fingerprint over a 64-byte window), one chunk per call.
// The host fills OUT_TABLE and MOD_TABLE for its polynomial (see chunker/chunker.ts) and keeps
// file data in this instance's memory from heapBase() on. Each chunk starts from the same fresh
// state, so the kernel keeps nothing between calls.

const WINDOW: i32 = 64;
const OUT_TABLE: usize = memory.data(256 * 8, 16);
const MOD_TABLE: usize = memory.data(256 * 8, 16);

export function outTablePtr(): usize { return OUT_TABLE; }
export function modTablePtr(): usize { return MOD_TABLE; }
export function heapBase(): usize { return (__heap_base + 15) & ~15; }

/**
 * Length of the chunk that starts at `ptr`, given `len` bytes available there. 0 means no cut
 * point lies within the bytes given and more input is needed (only when `eof` is false).
 */
export function cut(ptr: usize, len: i32, eof: bool, minSize: i32, maxSize: i32, splitMask: u64, polShift: u64): i32 {
  if (len < minSize) return eof ? len : 0;
  // restic's reset(): the window starts as [1, 0, 0, ...] with the digest of that single 1 byte,
  // and the first minSize - 64 bytes of a chunk are skipped without hashing.
  let digest: u64 = 1;
  let p = ptr + <usize>(minSize - WINDOW);
  // The first 64 hashed bytes slide out the initial window: zeros, then the 1 at position 0.
  for (let k = 0; k < WINDOW; k++) {
    const b = <u64>load<u8>(p);
    if (k == WINDOW - 1) digest ^= load<u64>(OUT_TABLE + 8);
    digest = ((digest << 8) | b) ^ load<u64>(MOD_TABLE + (<usize>(digest >> polShift) << 3));
    p++;
  }
  if ((digest & splitMask) == 0) return minSize;
  const end = ptr + <usize>(len < maxSize ? len : maxSize);
  // From here the byte leaving the window is the one 64 bytes back.
  while (p < end) {
    const b = <u64>load<u8>(p);
    digest ^= load<u64>(OUT_TABLE + (<usize>load<u8>(p - WINDOW) << 3));
    digest = ((digest << 8) | b) ^ load<u64>(MOD_TABLE + (<usize>(digest >> polShift) << 3));
    p++;
    if ((digest & splitMask) == 0) return <i32>(p - ptr);
  }
  if (len >= maxSize) return maxSize;
  return eof ? len : 0;
}
