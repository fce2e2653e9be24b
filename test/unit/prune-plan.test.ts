// Prune's listing of the index files (typed arrays, duplicates kept) and the plan made from it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import type { PackedBlob } from '../../src-worker/format/blob.ts';
import { PackListing } from '../../src-worker/repository/pack-listing.ts';
import { parsePruneLimits } from '../../src-worker/ops/prune/options.ts';
import { headerSize, planPrune } from '../../src-worker/ops/prune/plan.ts';

const rid = () => crypto.randomBytes(32).toString('hex');

/** Blobs laid out one after another from offset 0, and the pack file's size for them. */
function pack(blobs: { id: string; type?: 'data' | 'tree'; length: number; plain?: number }[]): { blobs: PackedBlob[]; size: number } {
  let offset = 0;
  const out: PackedBlob[] = [];
  for (const b of blobs) {
    out.push({ id: b.id, type: b.type ?? 'data', offset, length: b.length, uncompressedLength: b.plain ?? 0 });
    offset += b.length;
  }
  return { blobs: out, size: offset + headerSize(out.length, out.filter((b) => b.uncompressedLength > 0).length) };
}

test('the listing keeps every copy of a blob, finds its first by type, and keeps a pack\'s first listing', () => {
  const listing = new PackListing();
  const x = rid(), y = rid();
  const p1 = rid(), p2 = rid();
  assert.equal(listing.addPack(p1, pack([{ id: x, length: 100 }, { id: y, type: 'tree', length: 50, plain: 80 }]).blobs), true);
  assert.equal(listing.addPack(p2, pack([{ id: x, length: 120 }]).blobs), true);
  assert.equal(listing.addPack(p1, pack([{ id: rid(), length: 1 }]).blobs), false, 'a pack named by a second index file');
  assert.equal(listing.size, 3);
  assert.equal(listing.duplicates, 1);
  assert.equal(listing.find('data', x), 0);
  assert.equal(listing.find('tree', x), -1, 'type is part of the key');
  assert.equal(listing.find('tree', y), 1);
  assert.equal(listing.canonical(2), 0, 'the second copy points at the first');
  assert.deepEqual(listing.blob(2), { id: x, type: 'data', offset: 0, length: 120, uncompressedLength: 0 });
  assert.deepEqual([listing.first(1), listing.end(1)], [2, 3]);
  assert.equal(listing.packNumber(p2), 1);
  assert.deepEqual(listing.blobs(0).map((b) => b.id), [x, y]);
});

test('the listing finds all of 100,000 blobs across growth', () => {
  const listing = new PackListing();
  const ids: string[] = [];
  for (let p = 0; p < 100; p++) {
    const blobs = Array.from({ length: 1000 }, () => ({ id: rid(), length: 10 }));
    ids.push(...blobs.map((b) => b.id));
    listing.addPack(rid(), pack(blobs).blobs);
  }
  for (const [e, id] of ids.entries()) assert.equal(listing.find('data', id), e);
  assert.equal(listing.find('data', rid()), -1);
});

test('a plan keeps whole packs, removes unused ones, repacks partly used ones, and counts a duplicate once', () => {
  const used1 = rid(), used2 = rid(), unused = rid(), dup = rid(), gone = rid();
  const whole = pack([{ id: used1, length: 1000 }, { id: dup, length: 500 }]);
  const partly = pack([{ id: used2, length: 700 }, { id: unused, length: 3000 }]);
  const copies = pack([{ id: dup, length: 500 }, { id: gone, length: 800 }]);
  const [wholeId, partlyId, copiesId, strayId] = [rid(), rid(), rid(), rid()];
  const listing = new PackListing();
  listing.addPack(wholeId, whole.blobs);
  listing.addPack(partlyId, partly.blobs);
  listing.addPack(copiesId, copies.blobs);
  const used = new Uint8Array(listing.size);
  for (const id of [used1, used2, dup]) used[listing.find('data', id)] = 1;
  const packFiles = new Map([[wholeId, whole.size], [partlyId, partly.size], [copiesId, copies.size], [strayId, 4096]]);

  const plan = planPrune(listing, packFiles, used, { limits: parsePruneLimits({ maxUnused: '0' }), repoVersion: 2 });
  assert.deepEqual(plan.unreferencedPacks, [strayId]);
  assert.deepEqual(plan.removePacks, [copiesId], 'its copy of dup counts as unused: the kept pack holds the used one');
  assert.deepEqual(plan.repackPacks, [partlyId]);
  assert.equal(plan.stats.blobs.used, 3);
  assert.equal(plan.stats.blobs.duplicate, 1);
  assert.equal(plan.stats.size.duplicate, 500);
  assert.equal(plan.stats.blobs.unused, 2);
  assert.equal(plan.keepCount, 1);
  assert.equal(plan.keepBlobs[listing.find('data', used2)], 1, 'only the repacked pack\'s used blob is copied');
  assert.equal(plan.newPacks, 1);
  assert.equal(plan.bytesWritten, 700 + headerSize(1, 0));
  assert.equal(plan.bytesDeleted, 4096 + copies.size + partly.size);
  assert.equal(plan.exact, true);
});

test('with --max-unused unlimited nothing is repacked and nothing is copied', () => {
  const a = rid(), b = rid();
  const p = pack([{ id: a, length: 1_000_000 }, { id: b, length: 1_000_000 }]); // not a small pack
  const id = rid();
  const listing = new PackListing();
  listing.addPack(id, p.blobs);
  const used = new Uint8Array(listing.size);
  used[listing.find('data', a)] = 1;
  const plan = planPrune(listing, new Map([[id, p.size]]), used, { limits: parsePruneLimits({ maxUnused: 'unlimited' }), repoVersion: 2 });
  assert.deepEqual(plan.repackPacks, []);
  assert.equal(plan.keepCount, 0);
  assert.equal(plan.stats.packs.keep, 1);
});
