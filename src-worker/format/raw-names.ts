// File names that are not valid UTF-8 (Latin-1 names from old systems, say) are legal on Linux and
// macOS file systems, and restic keeps their bytes (strconv.Quote writes them as \xNN). Node turns
// such bytes into U+FFFD when it reads a name as a string, so the file could then be neither
// opened nor restored. Cairn keeps a name as a string in which every byte that is not part of
// valid UTF-8 stands as the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape", PEP 383):
// valid UTF-8 never decodes to a lone surrogate, so the mapping is lossless both ways, and names
// that are valid UTF-8 (nearly all) stay ordinary strings. Paths are turned back into bytes only
// at the file system calls (`fsPath`).
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;
/** A low surrogate standing for a raw byte 0x80..0xFF, not preceded by a high surrogate. */
const RAW_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** Length of the valid UTF-8 sequence at `i`, or 0 if the byte there does not start one. */
function validSequenceAt(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const second = b[i + 1]!;
    if (lead === 0xe0 && second < 0xa0) return 0; // overlong
    if (lead === 0xed && second >= 0xa0) return 0; // a UTF-16 surrogate, not allowed in UTF-8
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const second = b[i + 1]!;
    if (lead === 0xf0 && second < 0x90) return 0; // overlong
    if (lead === 0xf4 && second >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

/** A name's bytes as a string; bytes that are not valid UTF-8 become U+DC80..U+DCFF. */
export function decodeName(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let runStart = 0;
  for (let i = 0; i < buf.length;) {
    const n = validSequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', runStart, i) + String.fromCharCode(ESCAPE_BASE + buf[i]!);
    i++;
    runStart = i;
  }
  return out + buf.toString('utf8', runStart);
}

/** True when `s` holds a raw byte that decodeName escaped. */
export function hasRawBytes(s: string): boolean {
  return RAW_BYTE.test(s);
}

/** The bytes decodeName read `s` from. */
export function encodeName(s: string): Buffer {
  if (!hasRawBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue; // the second half of a real surrogate pair
    parts.push(Buffer.from(s.slice(runStart, i), 'utf8'), Buffer.of(c - ESCAPE_BASE));
    runStart = i + 1;
  }
  parts.push(Buffer.from(s.slice(runStart), 'utf8'));
  return Buffer.concat(parts);
}

/** What to hand to node:fs for a path that may hold escaped raw bytes. */
export function fsPath(p: string): string | Buffer {
  return hasRawBytes(p) ? encodeName(p) : p;
}
