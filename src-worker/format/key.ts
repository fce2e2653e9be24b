// Key files: one per password. The master key (JSON) is sealed with a key derived from the password
// by scrypt; the file itself is plain JSON and its id is the SHA-256 of its bytes.
import crypto from 'node:crypto';
import { CairnError, isCairnError } from '../errors.ts';
import { deriveKey, masterKeyFromJSON, masterKeyToJSON, open, seal, type MasterKey } from './crypto.ts';
import { goJson } from './gojson.ts';
import { validate, z } from './schema.ts';
import { formatTime } from './time.ts';

export interface KdfParams { N: number; r: number; p: number }

export interface KeyFile {
  created: string;
  username: string;
  hostname: string;
  kdf: string;
  N: number;
  r: number;
  p: number;
  salt: string; // base64
  data: string; // base64
}

const SALT_LENGTH = 64;

const keyFileSchema = z.object({
  created: z.string(),
  username: z.string().optional().default(''),
  hostname: z.string().optional().default(''),
  kdf: z.string(),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
  salt: z.string(),
  data: z.string(),
});

export function decodeKeyFile(value: unknown, name: string): KeyFile {
  const key = validate(keyFileSchema, value, `key file ${name}`);
  if (key.kdf !== 'scrypt') throw new CairnError('UNSUPPORTED_VERSION', `key file ${name} uses KDF "${key.kdf}"; only scrypt is supported`);
  return key;
}

export function encodeKeyFile(k: KeyFile): string {
  return goJson({
    created: k.created, username: k.username, hostname: k.hostname, kdf: k.kdf,
    N: k.N, r: k.r, p: k.p, salt: k.salt, data: k.data,
  });
}

/**
 * Opens a key file with a password. Returns null when the password does not fit this key (a MAC
 * mismatch); throws for a key file that is malformed in other ways.
 */
export async function unlockKeyFile(k: KeyFile, password: string, name: string): Promise<MasterKey | null> {
  const salt = Buffer.from(k.salt, 'base64');
  const userKey = await deriveKey(password, salt, { N: k.N, r: k.r, p: k.p });
  let plain: Buffer;
  try {
    plain = open(userKey, Buffer.from(k.data, 'base64'));
  } catch (err) {
    if (isCairnError(err, 'CORRUPT_OBJECT')) return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(plain.toString('utf8'));
  } catch (err) {
    throw new CairnError('CORRUPT_OBJECT', `key file ${name} holds an unreadable master key`, { cause: err });
  }
  return masterKeyFromJSON(json);
}

export async function createKeyFile(
  master: MasterKey,
  password: string,
  params: KdfParams,
  who: { username: string; hostname: string },
  createdNs: bigint,
): Promise<KeyFile> {
  const salt = crypto.randomBytes(SALT_LENGTH);
  const userKey = await deriveKey(password, salt, params);
  const sealed = seal(userKey, Buffer.from(goJson(masterKeyToJSON(master)), 'utf8'));
  return {
    created: formatTime(createdNs),
    username: who.username,
    hostname: who.hostname,
    kdf: 'scrypt',
    N: params.N, r: params.r, p: params.p,
    salt: salt.toString('base64'),
    data: sealed.toString('base64'),
  };
}

/**
 * scrypt parameters for new keys, chosen like restic's calibration: about half a second on this
 * machine within 64 MiB of memory, never below scrypt's customary minimum N = 2^15, r = 8.
 */
export async function calibrateKdf(targetMs = 500): Promise<KdfParams> {
  const N = 1 << 15, r = 8;
  const started = performance.now();
  await new Promise<void>((resolve, reject) =>
    crypto.scrypt('calibrate', 'calibrate-salt', 64, { N, r, p: 1, maxmem: 256 * N * r }, (err) => (err ? reject(err) : resolve())));
  const oneMs = Math.max(1, performance.now() - started);
  const p = Math.max(1, Math.min(16, Math.round(targetMs / oneMs)));
  return { N, r, p };
}
