// Repository.saveBlob called concurrently (a backup saves trees of sibling directories at once,
// copy and repack save from several readers): every blob it accepted must reach a pack and the
// index, however the calls interleave.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LocalBackend, Repository } from '../../src-worker/index.ts';
import { tmpDir } from '../helpers/tools.ts';

test('blobs saved by concurrent saveBlob calls are all in the index after flush', async () => {
  const dir = tmpDir('save-blob');
  try {
    const repo = await Repository.init(new LocalBackend(path.join(dir, 'repo')), 'pw', { kdf: { N: 1024, r: 8, p: 1 } });
    const blobs = Array.from({ length: 20 }, (_, i) => Buffer.from(`{"nodes":[],"n":${i}}`));
    const saved = await Promise.all(blobs.map((b, i) => repo.saveBlob(i % 3 === 0 ? 'data' : 'tree', b)));
    await repo.flush();
    const reopened = await Repository.open(new LocalBackend(path.join(dir, 'repo')), 'pw');
    await reopened.loadIndex();
    saved.forEach(({ id }, i) => {
      assert.equal(id, crypto.createHash('sha256').update(blobs[i]!).digest('hex'));
      assert.ok(reopened.index.has(i % 3 === 0 ? 'data' : 'tree', id), `blob ${i} is indexed`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
