// "Unpacked" files (config, index, snapshot, lock): the plaintext inside the seal. In repository
// version 1 it is JSON; version 2 prefixes a version byte 2 and zstd-compresses the JSON, while a
// plaintext starting with '{' or '[' is still read as raw JSON.
import zlib from 'node:zlib';
import { CairnError } from '../errors.ts';

const ZSTD_LEVEL = 3;

/** The plaintext of an unpacked file; `zstd` overrides the default compression settings (version 2). */
export function encodeUnpacked(json: string | Buffer, repoVersion: number, zstd?: zlib.ZstdOptions): Buffer {
  const raw = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  if (repoVersion < 2) return raw;
  const compressed = zlib.zstdCompressSync(raw, zstd ?? { params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
  const out = Buffer.allocUnsafe(compressed.length + 1);
  out[0] = 2;
  compressed.copy(out, 1);
  return out;
}

/**
 * Returns the JSON text of an unpacked plaintext; `what` names the object in errors. In a version 1
 * repository (`repoVersion` 1) only raw JSON is valid, as for restic: restic before 0.14 cannot
 * read anything else, and restic 0.14 rejects it too. Without a version both forms are read.
 */
export function decodeUnpacked(plain: Uint8Array, what: string, repoVersion?: number): string {
  if (plain.length === 0) throw new CairnError('CORRUPT_OBJECT', `${what} is empty`);
  const first = plain[0];
  const buf = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) return buf.toString('utf8');
  if (repoVersion !== undefined && repoVersion < 2) {
    throw new CairnError('CORRUPT_OBJECT', `${what} is not plain JSON (${first === 2 ? 'it is compressed' : `it starts with byte ${first}`}), which a version 1 repository does not allow`);
  }
  if (first === 2) {
    try {
      return zlib.zstdDecompressSync(buf.subarray(1)).toString('utf8');
    } catch (err) {
      throw new CairnError('CORRUPT_OBJECT', `${what} cannot be decompressed (${(err as Error).message})`, { cause: err });
    }
  }
  throw new CairnError('CORRUPT_OBJECT', `${what} has unknown encoding version ${first}`);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CairnError('CORRUPT_OBJECT', `${what} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}
