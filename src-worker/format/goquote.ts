// restic stores each tree node's name as Go's strconv.Quote(name) without the outer quotes (and
// then JSON-encodes that), so names with control characters, quotes or backslashes carry an
// extra layer of escaping. These are the two directions of that layer.

import { decodeName } from './raw-names.ts';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** strconv.Quote(s) without the surrounding double quotes. */
export function goQuoteInner(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\x' + hex(cp - 0xdc00, 2); // a raw byte (raw-names.ts), as Go quotes invalid UTF-8
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out;
}

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/** strconv.Unquote('"' + s + '"'); null where Go reports "invalid syntax". */
export function goUnquoteInner(s: string): string | null {
  if (!s.includes('\\')) return s.includes('"') || s.includes('\n') ? null : s;
  const bytes: number[] = [];
  const pushText = (t: string) => { for (const b of Buffer.from(t, 'utf8')) bytes.push(b); };
  for (let i = 0; i < s.length;) {
    const c = s[i]!;
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      const cp = s.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      pushText(s.slice(i, i + len));
      i += len;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) return null;
    if (e in SIMPLE) { bytes.push(SIMPLE[e]!); i += 2; continue; }
    const digits = (n: number, radix: number) => {
      const t = s.slice(i + 2, i + 2 + n);
      const re = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
      return t.length === n && re.test(t) ? parseInt(t, radix) : -1;
    };
    if (e === 'x') {
      const v = digits(2, 16);
      if (v < 0) return null;
      bytes.push(v);
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const v = digits(n, 16);
      if (v < 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
      pushText(String.fromCodePoint(v));
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const t = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(t) || parseInt(t, 8) > 255) return null;
      bytes.push(parseInt(t, 8));
      i += 4;
    } else {
      return null;
    }
  }
  // \xNN may spell bytes that are not valid UTF-8 (restic's quoting of such names): keep them.
  return decodeName(Buffer.from(bytes));
}
