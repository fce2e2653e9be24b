// Poly1305 one-time authenticator (RFC 8439 §2.5) over 26-bit limbs, so every product fits in
// 64 bits. The host copies the 32-byte one-time key (r || s) to KEY and the message, in windows of
// at most WINDOW bytes, to INPUT; `update` absorbs whole 16-byte blocks, `finish` the last partial
// block and writes the tag to TAG. One message at a time per instance.

const WINDOW: i32 = 65536;
const KEY: usize = memory.data(32, 16);
const TAG: usize = memory.data(16, 16);
const INPUT: usize = memory.data(WINDOW + 16, 16);

let r0: u64 = 0, r1: u64 = 0, r2: u64 = 0, r3: u64 = 0, r4: u64 = 0;
let h0: u32 = 0, h1: u32 = 0, h2: u32 = 0, h3: u32 = 0, h4: u32 = 0;

export function keyPtr(): usize { return KEY; }
export function tagPtr(): usize { return TAG; }
export function inputPtr(): usize { return INPUT; }
export function windowSize(): i32 { return WINDOW; }

/** Loads r (clamped) from KEY and clears the accumulator. */
export function init(): void {
  r0 = <u64>(load<u32>(KEY + 0) & 0x3ffffff);
  r1 = <u64>((load<u32>(KEY + 3) >> 2) & 0x3ffff03);
  r2 = <u64>((load<u32>(KEY + 6) >> 4) & 0x3ffc0ff);
  r3 = <u64>((load<u32>(KEY + 9) >> 6) & 0x3f03fff);
  r4 = <u64>((load<u32>(KEY + 12) >> 8) & 0x00fffff);
  h0 = 0; h1 = 0; h2 = 0; h3 = 0; h4 = 0;
}

// h = (h + block) * r  mod 2^130 - 5, for `count` blocks starting at p; hibit is 2^128 in limb 4.
function blocks(p: usize, count: i32, hibit: u32): void {
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  const lr0 = r0, lr1 = r1, lr2 = r2, lr3 = r3, lr4 = r4;
  let a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
  for (let i = 0; i < count; i++) {
    a0 += load<u32>(p + 0) & 0x3ffffff;
    a1 += (load<u32>(p + 3) >> 2) & 0x3ffffff;
    a2 += (load<u32>(p + 6) >> 4) & 0x3ffffff;
    a3 += (load<u32>(p + 9) >> 6) & 0x3ffffff;
    a4 += (load<u32>(p + 12) >> 8) | hibit;
    const b0 = <u64>a0, b1 = <u64>a1, b2 = <u64>a2, b3 = <u64>a3, b4 = <u64>a4;
    let d0 = b0 * lr0 + b1 * s4 + b2 * s3 + b3 * s2 + b4 * s1;
    let d1 = b0 * lr1 + b1 * lr0 + b2 * s4 + b3 * s3 + b4 * s2;
    let d2 = b0 * lr2 + b1 * lr1 + b2 * lr0 + b3 * s4 + b4 * s3;
    let d3 = b0 * lr3 + b1 * lr2 + b2 * lr1 + b3 * lr0 + b4 * s4;
    let d4 = b0 * lr4 + b1 * lr3 + b2 * lr2 + b3 * lr1 + b4 * lr0;
    d1 += d0 >> 26; a0 = <u32>d0 & 0x3ffffff;
    d2 += d1 >> 26; a1 = <u32>d1 & 0x3ffffff;
    d3 += d2 >> 26; a2 = <u32>d2 & 0x3ffffff;
    d4 += d3 >> 26; a3 = <u32>d3 & 0x3ffffff;
    const c = <u32>(d4 >> 26); a4 = <u32>d4 & 0x3ffffff;
    a0 += c * 5;
    a1 += a0 >> 26; a0 &= 0x3ffffff;
    p += 16;
  }
  h0 = a0; h1 = a1; h2 = a2; h3 = a3; h4 = a4;
}

/** Absorbs the first `len` bytes of INPUT; `len` must be a multiple of 16. */
export function update(len: i32): void {
  blocks(INPUT, len >> 4, 1 << 24);
}

/** Absorbs the last `len` (< 16 after whole blocks) bytes of INPUT and writes the tag (h + s) to TAG. */
export function finish(len: i32): void {
  finishAt(INPUT, len);
}

/**
 * The whole message at `p` (anywhere in memory, e.g. a pack read into the host's work area), with
 * nothing copied: whole blocks are read in place, the last partial one is padded in INPUT so the
 * bytes after the message (the stored MAC) are never touched. Then the tag as `finish` writes it.
 */
export function finishAt(p: usize, len: i32): void {
  const whole = len >> 4;
  if (whole > 0) blocks(p, whole, 1 << 24);
  const rest = len & 15;
  if (rest > 0) {
    memory.copy(INPUT, p + (<usize>whole << 4), rest);
    store<u8>(INPUT + rest, 1);
    for (let i = rest + 1; i < 16; i++) store<u8>(INPUT + i, 0);
    blocks(INPUT, 1, 0);
  }
  // Full carry, then h mod p: compute g = h + 5 - 2^130 and take it if it did not go negative.
  let c: u32;
  c = h1 >> 26; h1 &= 0x3ffffff; h2 += c;
  c = h2 >> 26; h2 &= 0x3ffffff; h3 += c;
  c = h3 >> 26; h3 &= 0x3ffffff; h4 += c;
  c = h4 >> 26; h4 &= 0x3ffffff; h0 += c * 5;
  c = h0 >> 26; h0 &= 0x3ffffff; h1 += c;
  let g0 = h0 + 5; c = g0 >> 26; g0 &= 0x3ffffff;
  let g1 = h1 + c; c = g1 >> 26; g1 &= 0x3ffffff;
  let g2 = h2 + c; c = g2 >> 26; g2 &= 0x3ffffff;
  let g3 = h3 + c; c = g3 >> 26; g3 &= 0x3ffffff;
  let g4 = h4 + c - (1 << 26);
  let useG = (g4 >> 31) - 1; // all ones when g4 >= 0
  const keepH = ~useG;
  h0 = (h0 & keepH) | (g0 & useG);
  h1 = (h1 & keepH) | (g1 & useG);
  h2 = (h2 & keepH) | (g2 & useG);
  h3 = (h3 & keepH) | (g3 & useG);
  h4 = (h4 & keepH) | (g4 & useG);
  // Repack into four 32-bit words and add s with carry.
  const w0 = h0 | (h1 << 26);
  const w1 = (h1 >> 6) | (h2 << 20);
  const w2 = (h2 >> 12) | (h3 << 14);
  const w3 = (h3 >> 18) | (h4 << 8);
  let f: u64 = <u64>w0 + <u64>load<u32>(KEY + 16);
  store<u32>(TAG + 0, <u32>f);
  f = <u64>w1 + <u64>load<u32>(KEY + 20) + (f >> 32);
  store<u32>(TAG + 4, <u32>f);
  f = <u64>w2 + <u64>load<u32>(KEY + 24) + (f >> 32);
  store<u32>(TAG + 8, <u32>f);
  f = <u64>w3 + <u64>load<u32>(KEY + 28) + (f >> 32);
  store<u32>(TAG + 12, <u32>f);
}

/** Where the host's work area may start: past the kernel's own data, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}

/**
 * AES-CTR counter blocks: `count` 16-byte blocks at `dst` for the blocks `first`, `first` + 1, ...
 * of a message whose IV is the 16 bytes at `iv`. Block n's counter is IV + n as a 128-bit
 * big-endian number (Go's cipher.NewCTR, and OpenSSL's aes-256-ctr, count this way).
 */
export function counters(dst: usize, iv: usize, first: u32, count: i32): void {
  let hi = bswap<u64>(load<u64>(iv));
  let lo = bswap<u64>(load<u64>(iv + 8));
  const start = lo + <u64>first;
  if (start < lo) hi += 1;
  lo = start;
  for (let i = 0; i < count; i++) {
    store<u64>(dst, bswap<u64>(hi));
    store<u64>(dst + 8, bswap<u64>(lo));
    lo += 1;
    if (lo == 0) hi += 1;
    dst += 16;
  }
}

/** dst[i] ^= src[i] for `len` bytes (any alignment). */
export function xorInto(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 16 <= len; i += 16) v128.store(dst + i, v128.xor(v128.load(dst + i), v128.load(src + i)));
  for (; i < len; i++) store<u8>(dst + i, load<u8>(dst + i) ^ load<u8>(src + i));
}
