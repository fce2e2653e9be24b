// Sealing and opening blobs as packs store them: every size class of output buffer that
// decompression uses (below node:zlib's 64-byte minimum chunk, around the 1 MiB steps the
// workers use), and the checks after decryption.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { finishBlob, openBlob, sealBlob } from '../../src-worker/format/blob-codec.ts';
import { generateMasterKey, open } from '../../src-worker/format/crypto.ts';
import { isCairnError } from '../../src-worker/errors.ts';

const key = generateMasterKey();
const PACK = 'ab'.repeat(32);
const sizes = [0, 1, 40, 62, 63, 64, 65, 1000, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 5];

test('compressed and stored blobs of every size open to their bytes, in both output modes', () => {
  for (const n of sizes) {
    // Compressible, so version 2 stores it compressed (except where the frame would be larger).
    const plain = Buffer.alloc(n, 'tree ');
    const id = crypto.hash('sha256', plain, 'hex');
    const { sealed, uncompressedLength } = sealBlob(key, plain, 'auto');
    if (n >= 40) assert.equal(uncompressedLength, n, `${n} bytes are stored compressed`);
    assert.deepEqual(openBlob(key, sealed, id, 'tree', uncompressedLength, PACK), plain, `openBlob, ${n} bytes`);
    const worker = finishBlob(open(key, sealed), id, 'tree', uncompressedLength, PACK, { ownsInput: true, releasedAfterUse: true });
    assert.deepEqual(worker, plain, `finishBlob for a worker, ${n} bytes`);
  }
});

test('a blob whose index entry lies about its size or id is refused, naming blob and pack', () => {
  const plain = Buffer.alloc(5000, 'x');
  const id = crypto.hash('sha256', plain, 'hex');
  const { sealed, uncompressedLength } = sealBlob(key, plain, 'auto');
  const fails = (uLen: number, blobId: string, pattern: RegExp) => assert.throws(() => openBlob(key, sealed, blobId, 'data', uLen, PACK), (err: unknown) => {
    assert.ok(isCairnError(err, 'CORRUPT_PACK'));
    assert.match(err.message, pattern);
    assert.match(err.message, /in pack abababab/);
    return true;
  });
  fails(uncompressedLength - 1, id, /cannot be decompressed/); // more output than promised
  fails(uncompressedLength + 1, id, /decompressed to 5000 bytes, expected 5001/);
  fails(uncompressedLength, 'cd'.repeat(32), /data blob cdcdcdcd .* has wrong content/);
});
