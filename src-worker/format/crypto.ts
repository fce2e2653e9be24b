// restic's authenticated encryption: AES-256-CTR with a random 16-byte IV, then Poly1305-AES over
// the ciphertext. Sealed form: IV || ciphertext || MAC (16 bytes). AES and SHA-256 come from
// node:crypto (native); Poly1305 runs in a WebAssembly kernel because it is on every byte read or
// written and a JavaScript implementation is several times slower than AES here.
import crypto from 'node:crypto';
import { CairnError } from '../errors.ts';
import { loadKernel } from '../wasm/load.ts';
import { release } from './release.ts';

export interface MasterKey {
  /** AES-256 key for the data. */
  encrypt: Uint8Array;
  /** AES-128 key that turns each IV into Poly1305's `s`. */
  macK: Uint8Array;
  /** Poly1305's `r` (clamped when used). */
  macR: Uint8Array;
}

export const IV_SIZE = 16;
export const MAC_SIZE = 16;
/** Bytes a sealed message has beyond its plaintext. */
export const SEAL_OVERHEAD = IV_SIZE + MAC_SIZE;

interface Poly1305Kernel {
  keyPtr(): number;
  tagPtr(): number;
  inputPtr(): number;
  windowSize(): number;
  heapBase(): number;
  init(): void;
  update(len: number): void;
  finish(len: number): void;
  finishAt(ptr: number, len: number): void;
  counters(dst: number, iv: number, first: number, count: number): void;
  xorInto(dst: number, src: number, len: number): void;
}

const kernel = loadKernel<Poly1305Kernel>('poly1305');
const WINDOW = kernel.windowSize();
const heap = () => new Uint8Array(kernel.memory.buffer);
const KEY = kernel.keyPtr();
const TAG = kernel.tagPtr();
const INPUT = kernel.inputPtr();

/** Poly1305 with a one-time key (r || s), as in RFC 8439. */
export function poly1305(oneTimeKey: Uint8Array, message: Uint8Array): Buffer {
  const mem = heap();
  mem.set(oneTimeKey.subarray(0, 32), KEY);
  kernel.init();
  let off = 0;
  while (message.length - off > WINDOW) {
    mem.set(message.subarray(off, off + WINDOW), INPUT);
    kernel.update(WINDOW);
    off += WINDOW;
  }
  mem.set(message.subarray(off), INPUT);
  kernel.finish(message.length - off);
  return Buffer.from(mem.subarray(TAG, TAG + 16));
}

// Importing raw key bytes into OpenSSL costs more than encrypting a small blob, so each key is
// imported once (keys are long-lived: one master key per repository).
const keyObjects = new WeakMap<Uint8Array, crypto.KeyObject>();
function keyObject(raw: Uint8Array): crypto.KeyObject {
  let k = keyObjects.get(raw);
  if (!k) keyObjects.set(raw, (k = crypto.createSecretKey(raw)));
  return k;
}

// IVs come from a pool refilled 4 KiB at a time: one CSPRNG call per 256 blobs instead of one each.
const ivPool = Buffer.alloc(4096);
let ivPoolAt = ivPool.length;
function nextIv(into: Uint8Array): void {
  if (ivPoolAt === ivPool.length) {
    crypto.randomFillSync(ivPool);
    ivPoolAt = 0;
  }
  into.set(ivPool.subarray(ivPoolAt, ivPoolAt + IV_SIZE));
  ivPool.fill(0, ivPoolAt, ivPoolAt + IV_SIZE); // never keep a used IV around
  ivPoolAt += IV_SIZE;
}

// One ECB cipher per key, reused: ECB without padding keeps no state between whole blocks, and
// setting up a cipher costs more than encrypting a small blob's worth of blocks.
const ecbCiphers = new WeakMap<Uint8Array, crypto.Cipheriv>();
function ecbCipher(raw: Uint8Array): crypto.Cipheriv {
  let c = ecbCiphers.get(raw);
  if (!c) {
    c = crypto.createCipheriv(raw.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', keyObject(raw), null);
    c.setAutoPadding(false);
    ecbCiphers.set(raw, c);
  }
  return c;
}

/** Poly1305-AES (Bernstein): s = AES-128_k(nonce). */
export function poly1305Aes(macK: Uint8Array, macR: Uint8Array, nonce: Uint8Array, message: Uint8Array): Buffer {
  const s = ecbCipher(macK).update(nonce);
  const oneTime = Buffer.allocUnsafe(32);
  oneTime.set(macR, 0);
  oneTime.set(s, 16);
  return poly1305(oneTime, message);
}

function ctr(key: MasterKey, iv: Uint8Array, input: Uint8Array): Buffer {
  const out = crypto.createCipheriv('aes-256-ctr', keyObject(key.encrypt), iv).update(input);
  if (out.length !== input.length) throw new Error('AES-CTR produced a short output');
  return out;
}

/** Encrypts and authenticates `plain`. */
export function seal(key: MasterKey, plain: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plain.length + SEAL_OVERHEAD);
  const iv = out.subarray(0, IV_SIZE);
  nextIv(iv);
  const ct = ctr(key, iv, plain);
  ct.copy(out, IV_SIZE);
  release(ct);
  const mac = poly1305Aes(key.macK, key.macR, iv, out.subarray(IV_SIZE, IV_SIZE + plain.length));
  mac.copy(out, IV_SIZE + plain.length);
  return out;
}

/** Checks the MAC, then decrypts. Throws CORRUPT_OBJECT (never returns unauthenticated data). */
export function open(key: MasterKey, sealed: Uint8Array, what = 'encrypted data'): Buffer {
  if (sealed.length < SEAL_OVERHEAD) {
    throw new CairnError('CORRUPT_OBJECT', `${what} is too short to be valid (${sealed.length} bytes): run "cairn check"`);
  }
  const iv = sealed.subarray(0, IV_SIZE);
  const body = sealed.subarray(IV_SIZE, sealed.length - MAC_SIZE);
  const expected = poly1305Aes(key.macK, key.macR, iv, body);
  const given = sealed.subarray(sealed.length - MAC_SIZE);
  if (!crypto.timingSafeEqual(expected, given)) {
    throw new CairnError('CORRUPT_OBJECT', `${what} failed authentication (ciphertext verification failed): it is damaged or was written with another key; run "cairn check"`);
  }
  return ctr(key, iv, body);
}

// ---- opening many sealed blobs where they lie ---------------------------------------------------
// Reading a pack range (restore, check --read-data) opens hundreds of blobs in a row. node:crypto
// gives every AES-CTR call a fresh output buffer and copies it once more, and on this kind of
// machine fresh pages cost more than the AES itself. So the range is read into memory of the
// kernel (the work area), Poly1305 runs over it in place, and decryption XORs each body in place
// with a keystream made by AES-ECB over counter blocks, a slice of KEYSTREAM bytes at a time, so
// node:crypto's only allocation is one of the same size per slice, which the allocator reuses.

const KEYSTREAM = 1 << 20;
const KEYSTREAM_AT = kernel.heapBase();
const AREA_AT = KEYSTREAM_AT + KEYSTREAM;

/**
 * `length` bytes of the kernel's memory for a caller to fill (a pack range) and pass to
 * openInPlace. Valid until the next call: growing the memory detaches every earlier view.
 */
export function workArea(length: number): Buffer {
  const need = AREA_AT + length;
  const have = kernel.memory.buffer.byteLength;
  if (need > have) kernel.memory.grow(Math.ceil((need - have) / 65536));
  return Buffer.from(kernel.memory.buffer, AREA_AT, length);
}

/** A sealed message (IV || ciphertext || MAC) at `at` in the work area. */
export interface SealedSpan { at: number; length: number }

/**
 * Verifies each span's MAC and decrypts its ciphertext in place (the IV and MAC bytes stay).
 * Returns, per span, whether it was authentic; a span that was not is left as it was, so no
 * unauthenticated plaintext is ever made. `area` must be the view workArea returned.
 */
export function openInPlace(key: MasterKey, area: Buffer, spans: readonly SealedSpan[]): boolean[] {
  if (area.buffer !== kernel.memory.buffer || area.byteOffset !== AREA_AT) throw new Error('openInPlace needs the current work area');
  const mem = heap();
  const macEcb = ecbCipher(key.macK);
  const ok = spans.map((span) => {
    if (span.at < 0 || span.length < SEAL_OVERHEAD || span.at + span.length > area.length) return false;
    const iv = AREA_AT + span.at;
    mem.set(key.macR.subarray(0, 16), KEY);
    mem.set(macEcb.update(mem.subarray(iv, iv + IV_SIZE)), KEY + 16);
    kernel.init();
    kernel.finishAt(iv + IV_SIZE, span.length - SEAL_OVERHEAD);
    const mac = iv + span.length - MAC_SIZE;
    return crypto.timingSafeEqual(mem.subarray(TAG, TAG + MAC_SIZE), mem.subarray(mac, mac + MAC_SIZE));
  });

  // Decrypting in place must touch each byte once. Blobs never overlap in a valid pack; where a
  // damaged index says otherwise, a span listed again at the same place shares the first one's
  // plaintext, and one that overlaps another only in part (two authentic MACs make that all but
  // impossible) is reported as not authentic rather than decrypted twice.
  const order = spans.map((_, i) => i).filter((i) => ok[i]).sort((a, b) => spans[a]!.at - spans[b]!.at);
  const decrypt = new Set<number>();
  let end = 0, last = -1;
  for (const i of order) {
    const span = spans[i]!;
    if (last >= 0 && span.at === spans[last]!.at && span.length === spans[last]!.length) continue;
    if (span.at < end) { ok[i] = false; continue; }
    decrypt.add(i);
    end = span.at + span.length;
    last = i;
  }

  xorKeystream(key, [...decrypt].map((i) => spans[i]!));
  return ok;
}

/**
 * XORs each span's body (between its IV and MAC) in the work area with its AES-CTR keystream,
 * which both encrypts and decrypts. The keystream is AES-ECB over counter blocks, made a slice of
 * KEYSTREAM bytes at a time. Spans must not overlap.
 */
function xorKeystream(key: MasterKey, spans: Iterable<SealedSpan>): void {
  const mem = heap();
  const aes = ecbCipher(key.encrypt);
  let filled = 0;
  const pending: { dst: number; at: number; len: number }[] = [];
  const flush = () => {
    const stream = aes.update(mem.subarray(KEYSTREAM_AT, KEYSTREAM_AT + filled));
    mem.set(stream, KEYSTREAM_AT);
    release(stream);
    for (const p of pending) kernel.xorInto(p.dst, KEYSTREAM_AT + p.at, p.len);
    pending.length = 0;
    filled = 0;
  };
  for (const span of spans) {
    const iv = AREA_AT + span.at;
    const bodyLength = span.length - SEAL_OVERHEAD;
    // A body longer than the slice's room is cut at whole blocks; its counters go on from there.
    for (let done = 0; done < bodyLength;) {
      if (filled === KEYSTREAM) flush();
      const n = Math.min(bodyLength - done, KEYSTREAM - filled);
      const blocks = Math.ceil(n / 16);
      kernel.counters(KEYSTREAM_AT + filled, iv, done / 16, blocks);
      pending.push({ dst: iv + IV_SIZE + done, at: filled, len: n });
      filled += blocks * 16;
      done += n;
    }
  }
  if (filled > 0) flush();
}

/**
 * seal(), done in the work area: `plain` is copied in once, encrypted and authenticated in place.
 * For the backup workers, which seal blob after blob: node:crypto's CTR would hand out an output
 * buffer of each blob's size, and freeing such buffers of ever-different sizes left each worker's
 * allocator holding tens of MiB. Returns IV || ciphertext || MAC as a view of the work area,
 * valid until the next work-area call; `plain` must not be a view of the work area itself.
 */
export function sealInWorkArea(key: MasterKey, plain: Uint8Array): Buffer {
  const area = workArea(plain.length + SEAL_OVERHEAD);
  nextIv(area.subarray(0, IV_SIZE));
  area.set(plain, IV_SIZE);
  xorKeystream(key, [{ at: 0, length: area.length }]);
  const mem = heap();
  mem.set(key.macR.subarray(0, 16), KEY);
  mem.set(ecbCipher(key.macK).update(area.subarray(0, IV_SIZE)), KEY + 16);
  kernel.init();
  kernel.finishAt(AREA_AT + IV_SIZE, plain.length);
  area.set(mem.subarray(TAG, TAG + MAC_SIZE), IV_SIZE + plain.length);
  return area;
}

export function generateMasterKey(): MasterKey {
  const raw = crypto.randomBytes(64);
  const macR = Buffer.from(raw.subarray(48, 64));
  clampR(macR);
  return { encrypt: Buffer.from(raw.subarray(0, 32)), macK: Buffer.from(raw.subarray(32, 48)), macR };
}

// restic stores r already clamped (Poly1305 clamps anyway; this keeps key files alike).
function clampR(r: Uint8Array): void {
  r[3]! &= 15; r[7]! &= 15; r[11]! &= 15; r[15]! &= 15;
  r[4]! &= 252; r[8]! &= 252; r[12]! &= 252;
}

export interface MasterKeyJSON {
  mac: { k: string; r: string };
  encrypt: string;
}

export function masterKeyToJSON(key: MasterKey): MasterKeyJSON {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return { mac: { k: b64(key.macK), r: b64(key.macR) }, encrypt: b64(key.encrypt) };
}

export function masterKeyFromJSON(json: unknown): MasterKey {
  const j = json as Partial<MasterKeyJSON> | null;
  const dec = (s: unknown, len: number, name: string): Buffer => {
    const b = typeof s === 'string' ? Buffer.from(s, 'base64') : Buffer.alloc(0);
    if (b.length !== len) throw new CairnError('CORRUPT_OBJECT', `the master key's ${name} is not ${len} bytes: the key file is damaged`);
    return b;
  };
  return { encrypt: dec(j?.encrypt, 32, 'encryption key'), macK: dec(j?.mac?.k, 16, 'MAC key k'), macR: dec(j?.mac?.r, 16, 'MAC key r') };
}

export interface KdfParams { N: number; r: number; p: number }

/** scrypt(password, salt) → 64 bytes: 32 for AES, 16 for k, 16 for r (restic's split). */
export async function deriveKey(password: string, salt: Uint8Array, params: KdfParams): Promise<MasterKey> {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || N * r > 2 ** 30) {
    throw new CairnError('CORRUPT_OBJECT', `the key file has invalid scrypt parameters (N=${N}, r=${r}, p=${p})`);
  }
  const out = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(password, salt, 64, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
  return { encrypt: out.subarray(0, 32), macK: out.subarray(32, 48), macR: out.subarray(48, 64) };
}
