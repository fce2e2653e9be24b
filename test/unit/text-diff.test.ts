// The line diff behind "compare two versions of a file": its hunks rebuild the new text from the
// old one exactly (random edits, fixed seed), the script is minimal on known cases, context and
// hunk headers are as `diff -u` has them, and the limits hold (too different, too many lines).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineDiff, splitLines, type LineDiff } from '../../src-main/api/text-diff.ts';

/** The new text's lines, from the old ones and the hunks (a patch, applied). */
function apply(oldText: string, d: LineDiff): string[] {
  const a = splitLines(oldText);
  const out: string[] = [];
  let i = 0;
  for (const h of d.hunks) {
    while (i < h.fromStart - 1) out.push(a[i++]!);
    for (const l of h.lines) {
      if (l.op === ' ') { assert.equal(a[i], l.text, 'context matches the old text'); out.push(a[i++]!); }
      else if (l.op === '-') { assert.equal(a[i], l.text, 'a removed line is in the old text'); i++; }
      else out.push(l.text);
    }
  }
  while (i < a.length) out.push(a[i++]!);
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('the hunks turn the old text into the new one, for random edits (seed 7)', () => {
  const rand = rng(7);
  for (let round = 0; round < 300; round++) {
    const a = Array.from({ length: Math.floor(rand() * 60) }, () => `line ${Math.floor(rand() * 12)}`);
    const b = [...a];
    for (let e = Math.floor(rand() * 8); e > 0; e--) {
      const at = Math.floor(rand() * (b.length + 1));
      if (rand() < 0.5 && b.length > 0) b.splice(Math.min(at, b.length - 1), 1);
      else b.splice(at, 0, `new ${Math.floor(rand() * 5)}`);
    }
    const oldText = a.join('\n') + (a.length ? '\n' : ''), newText = b.join('\n') + (b.length ? '\n' : '');
    const d = lineDiff(oldText, newText, { context: Math.floor(rand() * 4) });
    assert.ok(d, `round ${round}`);
    assert.deepEqual(apply(oldText, d), b, `round ${round} (seed 7)`);
    assert.equal(d.hunks.length === 0, oldText === newText, `round ${round}: no hunk exactly when equal`);
  }
});

test('a changed line in a long file is one hunk with three lines of context, as diff -u shows it', () => {
  const a = Array.from({ length: 100 }, (_, i) => `row ${i + 1}`);
  const b = [...a];
  b[49] = 'row fifty, edited';
  const d = lineDiff(a.join('\n') + '\n', b.join('\n') + '\n');
  assert.ok(d);
  assert.equal(d.added, 1);
  assert.equal(d.removed, 1);
  assert.equal(d.hunks.length, 1);
  const h = d.hunks[0]!;
  assert.deepEqual([h.fromStart, h.fromLines, h.toStart, h.toLines], [47, 7, 47, 7]);
  assert.deepEqual(h.lines.map((l) => l.op + l.text), [' row 47', ' row 48', ' row 49', '-row 50', '+row fifty, edited', ' row 51', ' row 52', ' row 53']);
});

test('changes far apart are separate hunks; near ones share a hunk', () => {
  const a = Array.from({ length: 40 }, (_, i) => `${i}`);
  const far = [...a]; far[2] = 'x'; far[30] = 'y';
  assert.equal(lineDiff(a.join('\n'), far.join('\n'))!.hunks.length, 2);
  const near = [...a]; near[10] = 'x'; near[16] = 'y';
  assert.equal(lineDiff(a.join('\n'), near.join('\n'))!.hunks.length, 1);
});

test('the edit script is minimal: one insertion is one added line, nothing removed', () => {
  const d = lineDiff('a\nb\nc\nd\n', 'a\nb\nX\nc\nd\n');
  assert.ok(d);
  assert.deepEqual([d.added, d.removed], [1, 0]);
  const swap = lineDiff('a\nb\nc\n', 'c\nb\na\n');
  assert.deepEqual([swap!.added, swap!.removed], [2, 2]);
});

test('too different to show is null; more lines than allowed are cut and said so', () => {
  const a = Array.from({ length: 300 }, (_, i) => `old ${i}`).join('\n');
  const b = Array.from({ length: 300 }, (_, i) => `new ${i}`).join('\n');
  assert.equal(lineDiff(a, b, { maxEdits: 100 }), null);
  const d = lineDiff(a, b, { maxLines: 50 });
  assert.ok(d);
  assert.equal(d.truncated, true);
  assert.equal(d.hunks.reduce((n, h) => n + h.lines.length, 0), 50);
  assert.deepEqual([d.added, d.removed], [300, 300], 'the counts cover the whole file');
});

test('line ends: CRLF and a missing final newline do not count as changes', () => {
  assert.equal(lineDiff('a\r\nb\r\n', 'a\nb\n')!.hunks.length, 0);
  assert.equal(lineDiff('a\nb', 'a\nb\n')!.hunks.length, 0);
  assert.deepEqual(lineDiff('', 'one\n')!.hunks[0]!.lines, [{ op: '+', text: 'one' }]);
});
