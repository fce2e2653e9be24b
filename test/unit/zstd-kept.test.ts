// The kept zstd streams: the decoder must give exactly what zlib.zstdDecompressSync gives, refuse
// a frame that holds more or less than the size it is told, and recover from damaged or cut-off
// frames, since one decoder serves every blob a thread opens; the compressor must write the very
// frames zlib.zstdCompressSync writes, and say when a frame would not be smaller.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { compressBound, compressInto, decompressExactInto, KEPT_LEVEL, keptZstdAvailable } from '../../src-worker/format/zstd-kept.ts';

/** Deterministic, compressible bytes: words from a seeded stream. */
function sample(seed: number, n: number): Buffer {
  const words = ['tree', 'node', 'mtime', '"content":', 'file-', '0123456789abcdef'];
  const out = Buffer.alloc(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n;) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = words[x % words.length]! + String.fromCharCode(97 + (x >>> 8) % 26);
    i += out.write(w, i);
  }
  return out;
}

function decode(frame: Uint8Array, size: number): Buffer | null {
  const out = Buffer.alloc(size + 1);
  return decompressExactInto(frame, size, out) ? out.subarray(0, size) : null;
}

test('the Node that Cairn ships with lets both streams be kept (else every blob pays for new ones)', () => {
  assert.equal(keptZstdAvailable(), true);
});

test('frames of many sizes decode to what zstdDecompressSync gives, also from a view into a larger buffer', () => {
  for (const [i, n] of [1, 63, 64, 400, 1300, 4096, 70_000, (1 << 20) + 3].entries()) {
    const plain = sample(i + 1, n);
    const frame = zlib.zstdCompressSync(plain);
    assert.deepEqual(decode(frame, n), zlib.zstdDecompressSync(frame), `${n} bytes`);
    const host = Buffer.concat([Buffer.alloc(17, 0xee), frame, Buffer.alloc(9, 0xdd)]);
    assert.deepEqual(decode(host.subarray(17, 17 + frame.length), n), plain, `${n} bytes from a view`);
  }
});

test('a frame that holds more or fewer bytes than the size given is refused', () => {
  const plain = sample(7, 5000);
  const frame = zlib.zstdCompressSync(plain);
  assert.equal(decode(frame, 4999), null);
  assert.equal(decode(frame, 5001), null);
  assert.deepEqual(decode(frame, 5000), plain);
});

test('after a cut-off frame, trailing bytes, or garbage, the next frame still decodes right', () => {
  const a = sample(11, 3000), b = sample(12, 2000);
  const fa = zlib.zstdCompressSync(a), fb = zlib.zstdCompressSync(b);
  assert.equal(decode(fa.subarray(0, fa.length - 6), 3000), null, 'cut off');
  assert.deepEqual(decode(fb, 2000), b, 'after a cut-off frame');
  assert.equal(decode(Buffer.concat([fb, fa]), 2000), null, 'a second frame after the first');
  assert.deepEqual(decode(fa, 3000), a, 'after trailing bytes');
  assert.equal(decode(crypto.randomBytes(300), 300), null, 'garbage');
  assert.deepEqual(decode(fb, 2000), b, 'after garbage (a new decoder)');
  const flipped = Buffer.from(fa);
  flipped[5] = flipped[5]! ^ 0xff;
  decode(flipped, 3000); // damaged header: refused or not, it must not spoil the next one
  assert.deepEqual(decode(fa, 3000), a, 'after a damaged header');
});

test('the output buffer must have room past the size', () => {
  assert.throws(() => decompressExactInto(zlib.zstdCompressSync(Buffer.from('abc')), 3, Buffer.alloc(3)), RangeError);
});

const LEVEL = { params: { [zlib.constants.ZSTD_c_compressionLevel]: KEPT_LEVEL } };

test('the kept compressor writes the frames zstdCompressSync writes, one after another', () => {
  // Up to a data blob's largest size (8 MiB), compressible and not, where the buffered path's
  // frames would differ from zlib's.
  const inputs = [1, 40, 400, 1300, 70_000, (1 << 20) + 3, 3 * (1 << 20)].map((n, i) => sample(100 + i, n));
  inputs.push(crypto.randomBytes(200_000), Buffer.concat([sample(9, 3 << 20), crypto.randomBytes(2 << 20), Buffer.alloc(3 << 20)]));
  for (const plain of inputs) {
    const out = Buffer.alloc(compressBound(plain.length));
    const n = compressInto(plain, out);
    // zlib with one output chunk big enough, as the backup workers called it.
    const ref = zlib.zstdCompressSync(plain, { ...LEVEL, chunkSize: Math.max(64, compressBound(plain.length)) });
    assert.ok(out.subarray(0, n).equals(ref), `${plain.length} bytes: ${n} vs ${ref.length}`);
  }
});

test('the compressor needs room for the largest frame', () => {
  assert.throws(() => compressInto(Buffer.alloc(1000), Buffer.alloc(1000)), RangeError);
});
