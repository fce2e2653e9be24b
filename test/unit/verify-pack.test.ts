// check --read-data reads a local pack in the restore worker a window at a time (blobs larger than
// a window included), while a remote pack arrives whole. Both must give the same answers: the
// pack's hash, its header, and exactly the damaged or missing blobs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sealBlob } from '../../src-worker/format/blob-codec.ts';
import { generateMasterKey } from '../../src-worker/format/crypto.ts';
import { RestorePool, ownedArrayBuffer } from '../../src-worker/pool/restore-pool.ts';
import type { RestoreItem, RestoreTaskResult } from '../../src-worker/pool/restore-protocol.ts';
import { PackWriter, type FinishedPack } from '../../src-worker/repository/pack-writer.ts';

const key = generateMasterKey();
let dir: string;
let pool: RestorePool;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-verify-pack-'));
  pool = new RestorePool(key, 1);
});
after(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Small blobs, some compressible, and two larger than the worker's 2 MiB window, in one pack. */
function makePack(): FinishedPack {
  const writer = new PackWriter(key, dir, false);
  const plains: Buffer[] = [];
  for (let i = 0; i < 40; i++) plains.push(i % 3 === 0 ? Buffer.from(`text ${i} `.repeat(3000)) : crypto.randomBytes(20_000 + i * 997));
  plains.splice(10, 0, crypto.randomBytes(3 << 20));
  plains.splice(30, 0, crypto.randomBytes(5 << 20));
  for (const plain of plains) {
    const { sealed, uncompressedLength } = sealBlob(key, plain, 'auto');
    writer.add(crypto.hash('sha256', plain, 'hex'), 'data', sealed, uncompressedLength);
  }
  return writer.finish();
}

function itemsOf(pack: FinishedPack): RestoreItem[] {
  return pack.blobs.map((b) => ({ id: b.id, type: b.type, at: b.offset, length: b.length, uncompressedLength: b.uncompressedLength, writes: [] }));
}

/** The pack checked as a local file (read in windows) and as a downloaded buffer (whole). */
async function bothWays(file: string, items: RestoreItem[], length = fs.statSync(file).size): Promise<[RestoreTaskResult, RestoreTaskResult]> {
  const local = await pool.run({ packId: 'p'.repeat(64), file: { path: file, offset: 0, length }, items, sparse: false, verifyPack: true });
  const whole = await pool.run({ packId: 'p'.repeat(64), buffer: ownedArrayBuffer(fs.readFileSync(file)), items, sparse: false, verifyPack: true });
  return [local, whole];
}

const failedBlobs = (r: RestoreTaskResult) => r.failures.map((f) => f.blob).sort();
const headerOf = (bytes: Buffer) => bytes.subarray(bytes.length - 4 - bytes.readUInt32LE(bytes.length - 4));

test('an intact pack: its hash and header, no failures, read in windows as read whole', async () => {
  const pack = makePack();
  const [local, whole] = await bothWays(pack.path, itemsOf(pack));
  assert.deepEqual(local.failures, []);
  assert.equal(local.sha256, pack.packId);
  assert.deepEqual(Buffer.from(local.tail!), headerOf(fs.readFileSync(pack.path)));
  assert.equal(whole.sha256, local.sha256);
  assert.deepEqual(Buffer.from(whole.tail!), Buffer.from(local.tail!));
});

test('damaged blobs past the first window are each named, and only they', async () => {
  const pack = makePack();
  const bytes = fs.readFileSync(pack.path);
  const large = pack.blobs.find((b) => b.length > 4 << 20)!;
  const lastSmall = pack.blobs.at(-1)!;
  for (const b of [large, lastSmall]) bytes[b.offset + Math.floor(b.length / 2)]! ^= 0x40;
  fs.writeFileSync(pack.path, bytes);
  const [local, whole] = await bothWays(pack.path, itemsOf(pack));
  assert.deepEqual(failedBlobs(local), [large.id, lastSmall.id].sort());
  assert.deepEqual(failedBlobs(whole), failedBlobs(local));
  assert.equal(local.sha256, crypto.hash('sha256', bytes, 'hex'));
  assert.notEqual(local.sha256, pack.packId);
});

test('blobs the index leaves out are still hashed with the pack, the others opened', async () => {
  const pack = makePack();
  const items = itemsOf(pack).filter((_, i) => i % 7 !== 3 && i !== 10);
  const [local] = await bothWays(pack.path, items);
  assert.deepEqual(local.failures, []);
  assert.equal(local.sha256, pack.packId);
});

test('a truncated pack: the blobs before the cut are read, the ones past it named', async () => {
  const pack = makePack();
  const size = fs.statSync(pack.path).size;
  const cutAt = pack.blobs[35]!.offset + Math.floor(pack.blobs[35]!.length / 2);
  fs.truncateSync(pack.path, cutAt);
  const [local, whole] = await bothWays(pack.path, itemsOf(pack), size);
  const past = pack.blobs.slice(35).map((b) => b.id).sort();
  assert.deepEqual(failedBlobs(local), past);
  assert.deepEqual(failedBlobs(whole), past);
  assert.ok(local.failures.every((f) => /shorter than the index says/.test(f.message)), JSON.stringify(local.failures[0]));
  assert.equal(local.sha256, whole.sha256);
  assert.deepEqual(Buffer.from(local.tail!), Buffer.from(whole.tail!));
});
