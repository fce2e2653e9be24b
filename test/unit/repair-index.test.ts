// How repair index groups packs into index files: never more than 50k blobs in one file (restic's
// limit), except a single pack that alone is bigger, which gets a file of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexPack } from '../../src-worker/format/index-file.ts';
import { INDEX_FILE_MAX_BLOBS, splitIntoFiles } from '../../src-worker/ops/repair-index.ts';

function pack(n: number, blobs: number): IndexPack {
  const id = n.toString(16).padStart(64, '0');
  return { id, blobs: Array.from({ length: blobs }, (_, i) => ({ id: i.toString(16).padStart(64, '0'), type: 'data' as const, offset: i * 40, length: 40, uncompressedLength: 0 })) };
}

test('index files hold at most 50k blobs and every pack exactly once', () => {
  const packs = Array.from({ length: 130 }, (_, i) => pack(i, 1000));
  const files = splitIntoFiles(packs);
  assert.deepEqual(files.map((f) => f.reduce((s, p) => s + p.blobs.length, 0)), [50_000, 50_000, 30_000]);
  assert.deepEqual(files.flat().map((p) => p.id), packs.map((p) => p.id));
  assert.equal(INDEX_FILE_MAX_BLOBS, 50_000);
});

test('a pack bigger than the limit gets a file of its own; no packs, no files', () => {
  const files = splitIntoFiles([pack(1, 10), pack(2, 60_000), pack(3, 10)]);
  assert.deepEqual(files.map((f) => f.map((p) => p.blobs.length)), [[10], [60_000], [10]]);
  assert.deepEqual(splitIntoFiles([]), []);
});
