import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { MasterIndex } from '../../src-worker/repository/master-index.ts';
import type { PackedBlob } from '../../src-worker/format/blob.ts';

const rid = () => crypto.randomBytes(32).toString('hex');

test('the index finds every blob it was given, by type, across growth', () => {
  const idx = new MasterIndex();
  const all: { pack: string; blob: PackedBlob }[] = [];
  for (let p = 0; p < 200; p++) {
    const pack = rid();
    const blobs: PackedBlob[] = [];
    for (let i = 0; i < 250; i++) blobs.push({ id: rid(), type: i % 7 === 0 ? 'tree' : 'data', offset: i * 100, length: 100, uncompressedLength: i % 2 ? 0 : 300 });
    idx.addPack(pack, blobs);
    for (const blob of blobs) all.push({ pack, blob });
  }
  assert.equal(idx.size, 50_000);
  for (const { pack, blob } of all) {
    const loc = idx.lookup(blob.type, blob.id);
    assert.ok(loc, `missing ${blob.id}`);
    assert.equal(loc.packId, pack);
    assert.equal(loc.offset, blob.offset);
    assert.equal(loc.uncompressedLength, blob.uncompressedLength);
    assert.equal(idx.has(blob.type === 'tree' ? 'data' : 'tree', blob.id), false, 'type is part of the key');
  }
  assert.equal(idx.has('data', rid()), false);
});

test('a blob stored twice is counted as a duplicate and keeps its first location', () => {
  const idx = new MasterIndex();
  const id = rid();
  const p1 = rid(), p2 = rid();
  idx.addPack(p1, [{ id, type: 'data', offset: 0, length: 50, uncompressedLength: 0 }]);
  idx.addPack(p2, [{ id, type: 'data', offset: 10, length: 50, uncompressedLength: 0 }]);
  assert.equal(idx.size, 1);
  assert.equal(idx.duplicates, 1);
  assert.equal(idx.lookup('data', id)?.packId, p1);
});

test('memory stays well under 100 bytes per blob', () => {
  const idx = new MasterIndex();
  const blobs: PackedBlob[] = [];
  for (let i = 0; i < 200_000; i++) blobs.push({ id: rid(), type: 'data', offset: i, length: 1, uncompressedLength: 0 });
  idx.addPack(rid(), blobs);
  const perBlob = idx.byteSize / idx.size;
  assert.ok(perBlob < 100, `${perBlob.toFixed(1)} bytes per blob`);
});
