// Names that are not valid UTF-8: kept as bytes through the string form Cairn uses, quoted as Go
// quotes them, sorted by their bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goQuoteInner, goUnquoteInner } from '../../src-worker/format/goquote.ts';
import { decodeName, encodeName, fsPath, hasRawBytes } from '../../src-worker/format/raw-names.ts';
import { compareNames } from '../../src-worker/format/tree.ts';
import { mulberry32 } from '../helpers/random.ts';

/** Random names biased towards bytes >= 0x80, so that both valid and broken UTF-8 come up. */
function randomNames(seed: number, count: number): Buffer[] {
  const r = mulberry32(seed);
  const pieces = [[0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xed, 0xb2, 0x80], [0xc0, 0xaf], [0xef, 0xbf, 0xbd], [0xf4, 0x90, 0x80, 0x80]];
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bytes: number[] = [];
    const len = 1 + Math.floor(r() * 8);
    for (let k = 0; k < len; k++) {
      const pick = r();
      if (pick < 0.3) bytes.push(0x61 + Math.floor(r() * 26));
      else if (pick < 0.6) bytes.push(0x80 + Math.floor(r() * 128));
      else bytes.push(...pieces[Math.floor(r() * pieces.length)]!);
    }
    out.push(Buffer.from(bytes));
  }
  return out;
}

test('any byte string survives decodeName and encodeName, and valid UTF-8 stays an ordinary string (seed 11)', () => {
  for (const bytes of randomNames(11, 3000)) {
    const name = decodeName(bytes);
    assert.deepEqual(encodeName(name), bytes, bytes.toString('hex'));
    const valid = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
    assert.equal(hasRawBytes(name), !valid, bytes.toString('hex'));
    if (valid) assert.equal(name, bytes.toString('utf8'));
  }
  // A real surrogate pair whose low half lies in the escape range is not mistaken for a raw byte.
  const pair = String.fromCodePoint(0x10080);
  assert.equal(hasRawBytes(pair), false);
  assert.deepEqual(encodeName(pair), Buffer.from(pair, 'utf8'));
  assert.equal(fsPath('/plain/name'), '/plain/name');
  assert.deepEqual(fsPath('/d/' + decodeName(Buffer.of(0x63, 0xe9))), Buffer.from([...Buffer.from('/d/'), 0x63, 0xe9]));
});

test('raw bytes are quoted as \\xNN, as restic (strconv.Quote) writes them, and read back', () => {
  const latin1 = decodeName(Buffer.from('caf\xe9.txt', 'latin1'));
  assert.equal(goQuoteInner(latin1), 'caf\\xe9.txt');
  assert.equal(goUnquoteInner('caf\\xe9.txt'), latin1);
  assert.equal(goUnquoteInner('d\\xff'), decodeName(Buffer.of(0x64, 0xff)));
  // \x escapes that spell valid UTF-8 give the character itself.
  assert.equal(goUnquoteInner('caf\\xc3\\xa9'), 'café');
  for (const bytes of randomNames(12, 2000)) {
    const name = decodeName(bytes);
    assert.equal(goUnquoteInner(goQuoteInner(name)), name, bytes.toString('hex'));
  }
});

test('names sort by their bytes, raw or not, as Go sorts strings (seed 13)', () => {
  const names = randomNames(13, 400).map(decodeName);
  names.push('B', 'a', '\uFF21', '😀', 'ä', 'a\u{10080}');
  const byBytes = [...names].sort((x, y) => Buffer.compare(encodeName(x), encodeName(y)));
  assert.deepEqual([...names].sort(compareNames), byBytes);
});
