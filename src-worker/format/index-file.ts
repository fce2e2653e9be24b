// Index files: which blobs each pack holds, and where. Many index files together describe the
// repository; `supersedes` names index files that this one replaces. The first restic versions
// wrote the bare list of packs without the wrapping object ("old format"); restic 0.14 still reads
// it, check hints at it, and a rewrite of the index (prune, repair index) replaces it.
import { CairnError } from '../errors.ts';
import type { BlobType, PackedBlob } from './blob.ts';
import { goString } from './gojson.ts';
import { isId, type Id } from './id.ts';

export interface IndexPack {
  id: Id;
  blobs: PackedBlob[];
}

export interface IndexFile {
  supersedes: Id[];
  packs: IndexPack[];
}

export interface DecodedIndexFile extends IndexFile {
  /** The file is a bare list of packs, as the first restic versions wrote. */
  oldFormat: boolean;
}

/**
 * The index file's JSON, as UTF-8 bytes, written straight into a buffer: an index file lists tens
 * of thousands of blobs, and building it as strings first took ~25 MiB for a 5 MB file (prune's
 * highest point); this takes the file's size and a little more.
 */
export function encodeIndexFile(index: IndexFile): Buffer {
  const out = new JsonBytes(index.packs.reduce((n, p) => n + 64 + p.blobs.length * 150, 64 + index.supersedes.length * 70));
  out.ascii('{');
  if (index.supersedes.length) out.ascii('"supersedes":[' + index.supersedes.map(goString).join(',') + '],');
  out.ascii('"packs":[');
  index.packs.forEach((pack, pi) => {
    out.ascii(pi ? ',{"id":"' : '{"id":"');
    out.ascii(pack.id);
    out.ascii('","blobs":[');
    pack.blobs.forEach((b, bi) => {
      out.ascii(bi ? ',{"id":"' : '{"id":"');
      out.ascii(b.id);
      out.ascii(b.type === 'tree' ? '","type":"tree","offset":' : '","type":"data","offset":');
      out.ascii(String(b.offset));
      out.ascii(',"length":');
      out.ascii(String(b.length));
      if (b.uncompressedLength) {
        out.ascii(',"uncompressed_length":');
        out.ascii(String(b.uncompressedLength));
      }
      out.ascii('}');
    });
    out.ascii(']}');
  });
  out.ascii(']}');
  return out.done();
}

/** A growable buffer of ASCII text (ids, digits and the format's own keys are all ASCII). */
class JsonBytes {
  private buf: Buffer;
  private at = 0;

  constructor(estimate: number) {
    this.buf = Buffer.allocUnsafe(estimate);
  }

  ascii(s: string): void {
    if (this.at + s.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + s.length));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

function fail(name: string, detail: string): never {
  throw new CairnError('CORRUPT_OBJECT', `index ${name.slice(0, 8)} is malformed: ${detail}; run "cairn repair index"`);
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/**
 * Validates and converts a parsed index document. Hand-written rather than a zod schema because
 * index files are large (tens of thousands of blobs each) and read on every start.
 */
export function decodeIndexFile(value: unknown, name: string, allowCompressed: boolean): DecodedIndexFile {
  const oldFormat = Array.isArray(value);
  if (typeof value !== 'object' || value === null) fail(name, 'not an object');
  const doc = (oldFormat ? { packs: value } : value) as { supersedes?: unknown; packs?: unknown };
  const supersedes: Id[] = [];
  if (doc.supersedes != null) {
    if (!Array.isArray(doc.supersedes)) fail(name, 'supersedes is not a list');
    for (const s of doc.supersedes) {
      if (!isId(s)) fail(name, 'supersedes holds an invalid id');
      supersedes.push(s);
    }
  }
  if (doc.packs != null && !Array.isArray(doc.packs)) fail(name, 'packs is not a list');
  const packs: IndexPack[] = [];
  for (const p of (doc.packs as unknown[] | undefined) ?? []) {
    const pack = p as { id?: unknown; blobs?: unknown };
    if (typeof pack !== 'object' || pack === null || !isId(pack.id)) fail(name, 'a pack has no valid id');
    if (pack.blobs != null && !Array.isArray(pack.blobs)) fail(name, `pack ${String(pack.id).slice(0, 8)} has no blob list`);
    const blobs: PackedBlob[] = [];
    for (const b of (pack.blobs as unknown[] | undefined) ?? []) {
      const blob = b as { id?: unknown; type?: unknown; offset?: unknown; length?: unknown; uncompressed_length?: unknown };
      if (typeof blob !== 'object' || blob === null || !isId(blob.id)) fail(name, 'a blob has no valid id');
      if (blob.type !== 'data' && blob.type !== 'tree') fail(name, `blob ${blob.id.slice(0, 8)} has type ${String(blob.type)}`);
      if (!isUint(blob.offset) || !isUint(blob.length)) fail(name, `blob ${blob.id.slice(0, 8)} has an invalid offset or length`);
      let uncompressedLength = 0;
      if (blob.uncompressed_length != null && blob.uncompressed_length !== 0) {
        if (!allowCompressed) fail(name, `blob ${blob.id.slice(0, 8)} is compressed in a version 1 repository`);
        if (!isUint(blob.uncompressed_length)) fail(name, `blob ${blob.id.slice(0, 8)} has an invalid uncompressed_length`);
        uncompressedLength = blob.uncompressed_length;
      }
      blobs.push({ id: blob.id, type: blob.type as BlobType, offset: blob.offset, length: blob.length, uncompressedLength });
    }
    packs.push({ id: pack.id, blobs });
  }
  return { supersedes, packs, oldFormat };
}
