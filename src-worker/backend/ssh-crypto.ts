// Loads the SSH library so that its per-packet ciphers and MACs take their keys as KeyObjects.
//
// Without its optional native addon (which needs an install script, so it is not built here), ssh2
// creates a new cipher for every AES-GCM packet it seals or opens, and a new HMAC for every packet
// of the other modes, each time from the session key as a Buffer. Node turns a Buffer key into a
// key object on every call: ~15 us for createCipheriv against ~4.5 us with a KeyObject, ~13 us
// against ~2.5 us for createHmac (Node 24, 50,000 calls each). Over SFTP that was ~1 s of the main
// thread's CPU per GiB restored.
//
// It also fills each packet's padding (4-255 bytes) with its own randomFillSync call, ~9 us each:
// those are served from a pool of random bytes refilled 16 KiB at a time (the same CSPRNG output,
// each byte used once), as format/crypto.ts does for IVs.
//
// ssh2 takes these functions from node:crypto once, when its modules load. So the loader puts
// wrappers in their place for that moment only and then puts the originals back: ssh2 keeps the
// wrappers, nothing else in the process sees them.
import crypto from 'node:crypto';

type Key = crypto.CipherKey | crypto.BinaryLike | crypto.KeyObject;

/**
 * A KeyObject for a Buffer key, made once per key buffer. The bytes are compared on every use, so
 * a buffer changed in place (ssh2 does not, but nothing here relies on it) gets a new key object.
 */
const keyObjects = new WeakMap<Buffer, { bytes: Buffer; key: crypto.KeyObject }>();

export function keyObjectFor(key: Key): Key {
  if (!Buffer.isBuffer(key) || key.length === 0) return key;
  const known = keyObjects.get(key);
  if (known && known.bytes.equals(key)) return known.key;
  const made = { bytes: Buffer.from(key), key: crypto.createSecretKey(key) };
  keyObjects.set(key, made);
  return made.key;
}

/** Taken now: while ssh2 loads, node:crypto's own property is the wrapper below. */
const randomFillSync = crypto.randomFillSync;
const POOL = 16 * 1024;
/** Requests up to this size come from the pool; larger ones go to the CSPRNG directly. */
const POOLED_MAX = 256;
const pool = Buffer.alloc(POOL);
let poolAt = POOL;

/** crypto.randomFillSync, small requests served from the pool. */
export function pooledRandomFill<T extends NodeJS.ArrayBufferView>(buffer: T, offset = 0, size?: number): T {
  const length = size ?? buffer.byteLength - offset;
  if (length > POOLED_MAX || offset < 0 || length < 0 || offset + length > buffer.byteLength) return randomFillSync(buffer, offset, size);
  if (poolAt + length > POOL) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const into = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);
  into.set(pool.subarray(poolAt, poolAt + length));
  pool.fill(0, poolAt, poolAt + length); // never hand out the same bytes twice, nor keep them
  poolAt += length;
  return buffer;
}

type Mutable = { createCipheriv: unknown; createDecipheriv: unknown; createHmac: unknown; randomFillSync: unknown };

/** Runs `load` (which imports a module that loads ssh2) while node:crypto hands out the wrappers. */
export async function importWithKeyObjects<T>(load: () => Promise<T>): Promise<T> {
  const target = crypto as unknown as Mutable;
  const { createCipheriv, createDecipheriv, createHmac } = crypto;
  target.createCipheriv = (algorithm: string, key: Key, iv: crypto.BinaryLike | null, options?: object) =>
    createCipheriv(algorithm, keyObjectFor(key) as crypto.CipherKey, iv, options as crypto.CipherGCMOptions);
  target.createDecipheriv = (algorithm: string, key: Key, iv: crypto.BinaryLike | null, options?: object) =>
    createDecipheriv(algorithm, keyObjectFor(key) as crypto.CipherKey, iv, options as crypto.CipherGCMOptions);
  target.createHmac = (algorithm: string, key: Key, options?: object) =>
    createHmac(algorithm, keyObjectFor(key) as crypto.KeyObject, options as Parameters<typeof createHmac>[2]);
  target.randomFillSync = pooledRandomFill;
  try {
    return await load();
  } finally {
    target.createCipheriv = createCipheriv;
    target.createDecipheriv = createDecipheriv;
    target.createHmac = createHmac;
    target.randomFillSync = randomFillSync;
  }
}
