// Object and blob ids: the SHA-256 of bytes, written as 64 lower-case hex digits.
import crypto from 'node:crypto';
import { CairnError } from '../errors.ts';

export type Id = string;
export const ID_SIZE = 32;

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256(data: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

export function hashId(data: Uint8Array): Id {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function isId(value: unknown): value is Id {
  return typeof value === 'string' && HEX64.test(value);
}

export function parseId(value: string, what = 'id'): Id {
  if (!isId(value)) throw new CairnError('INVALID_ARGUMENT', `${what} "${value}" is not a 64-digit hex id`);
  return value;
}

export function idToBytes(id: Id): Buffer {
  return Buffer.from(id, 'hex');
}

export function bytesToId(bytes: Uint8Array): Id {
  return Buffer.from(bytes.buffer, bytes.byteOffset, ID_SIZE).toString('hex');
}

export function shortId(id: Id): string {
  return id.slice(0, 8);
}

export function randomId(): Id {
  return crypto.randomBytes(ID_SIZE).toString('hex');
}
