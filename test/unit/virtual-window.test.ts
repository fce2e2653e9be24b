// The tree browser's windowing: only the rows on screen (and a few either side) are in the DOM,
// whatever the folder's size, and keyboard moves scroll just enough to show the focused row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagesToFetch, pageRows, rowWindow, scrollToRow } from '../../src-renderer/lib/browse/virtual-window.ts';

test('a 100k-row list puts only a screenful plus the overscan in the DOM', () => {
  const w = rowWindow(0, 400, 32, 100_000, 8);
  assert.deepEqual(w, { start: 0, end: 22, offset: 0, height: 3_200_000 });
});

test('in the middle of the list the window starts overscan rows above the first visible row', () => {
  const w = rowWindow(50_000 * 32 + 10, 400, 32, 100_000, 8);
  assert.equal(w.start, 50_000 - 8);
  assert.equal(w.end, 50_000 + 14 + 8);
  assert.equal(w.offset, (50_000 - 8) * 32);
});

test('scrolled past the end (the list got shorter), the window shows the last screen', () => {
  const w = rowWindow(1_000_000, 320, 32, 20, 2);
  assert.equal(w.end, 20);
  assert.equal(w.start, 10 - 2);
});

test('an empty list or a list shorter than the viewport', () => {
  assert.deepEqual(rowWindow(0, 400, 32, 0), { start: 0, end: 0, offset: 0, height: 0 });
  assert.deepEqual(rowWindow(0, 400, 32, 3), { start: 0, end: 3, offset: 0, height: 96 });
});

test('moving focus scrolls only when the row is out of view, by the least amount', () => {
  assert.equal(scrollToRow(5, 0, 320, 32), 0);
  assert.equal(scrollToRow(10, 0, 320, 32), 11 * 32 - 320);
  assert.equal(scrollToRow(3, 200, 320, 32), 96);
});

test('Page Down moves a screenful less one row, and at least one', () => {
  assert.equal(pageRows(320, 32), 9);
  assert.equal(pageRows(10, 32), 1);
});

test('a jump to the end of a 100k-row folder asks for the last page only, not those before', () => {
  const w = rowWindow(100_000 * 32, 400, 32, 100_000, 8);
  assert.deepEqual(pagesToFetch(w.start, w.end, 500, (p) => p === 0), [199]);
});

test('a window across a page boundary asks for both pages, skipping those loaded or on their way', () => {
  assert.deepEqual(pagesToFetch(495, 520, 500, () => false), [0, 1]);
  assert.deepEqual(pagesToFetch(495, 520, 500, (p) => p === 0), [1]);
  assert.deepEqual(pagesToFetch(10, 10, 500, () => false), []);
});
