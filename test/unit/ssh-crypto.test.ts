// The SSH library's ciphers and MACs get their keys as KeyObjects (ssh-crypto.ts): same bytes out,
// one key object per key buffer, and node:crypto as it was for everything loaded afterwards.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { importWithKeyObjects, keyObjectFor, pooledRandomFill } from '../../src-worker/backend/ssh-crypto.ts';

test('a key buffer gets one key object, and a new one when its bytes change', () => {
  const key = crypto.randomBytes(32);
  const first = keyObjectFor(key) as crypto.KeyObject;
  assert.equal(first.type, 'secret');
  assert.equal(keyObjectFor(key), first);
  key[0] ^= 1;
  const second = keyObjectFor(key) as crypto.KeyObject;
  assert.notEqual(second, first);
  assert.deepEqual(second.export(), key);
  const asIs = crypto.createSecretKey(crypto.randomBytes(16));
  assert.equal(keyObjectFor(asIs), asIs, 'a key object is passed through');
});

test('padding bytes from the pool fill exactly the range asked for, and never repeat', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) { // several refills of the pool
    const b = Buffer.alloc(64);
    assert.equal(pooledRandomFill(b, 8, 16), b);
    assert.ok(b.subarray(0, 8).every((x) => x === 0) && b.subarray(24).every((x) => x === 0), 'nothing outside the range');
    const hex = b.subarray(8, 24).toString('hex');
    assert.ok(!seen.has(hex), 'the same bytes twice');
    seen.add(hex);
  }
  const large = Buffer.alloc(4096);
  pooledRandomFill(large);
  assert.ok(large.some((x) => x !== 0));
  assert.throws(() => pooledRandomFill(Buffer.alloc(4), 2, 8), RangeError);
});

test('what is loaded meanwhile keeps the wrappers, which seal and authenticate as the originals; node:crypto is restored', async () => {
  const originals = [crypto.createCipheriv, crypto.createDecipheriv, crypto.createHmac, crypto.randomFillSync];
  const captured = await importWithKeyObjects(async () => {
    const { createCipheriv, createDecipheriv, createHmac } = crypto; // as ssh2 takes them
    return { createCipheriv, createDecipheriv, createHmac };
  });
  assert.deepEqual([crypto.createCipheriv, crypto.createDecipheriv, crypto.createHmac, crypto.randomFillSync], originals);
  assert.notEqual(captured.createCipheriv, crypto.createCipheriv);

  const key = crypto.randomBytes(16), iv = crypto.randomBytes(12), data = crypto.randomBytes(1000), aad = Buffer.from([0, 0, 3, 232]);
  const seal = (make: typeof crypto.createCipheriv) => {
    const c = make('aes-128-gcm', key, iv) as crypto.CipherGCM;
    c.setAAD(aad);
    return { body: Buffer.concat([c.update(data), c.final()]), tag: c.getAuthTag() };
  };
  const mine = seal(captured.createCipheriv), theirs = seal(crypto.createCipheriv);
  assert.deepEqual(mine, theirs);
  const d = captured.createDecipheriv('aes-128-gcm', key, iv) as crypto.DecipherGCM;
  d.setAAD(aad);
  d.setAuthTag(mine.tag);
  assert.deepEqual(Buffer.concat([d.update(mine.body), d.final()]), data);
  const macKey = crypto.randomBytes(32);
  assert.deepEqual(captured.createHmac('sha256', macKey).update(data).digest(), crypto.createHmac('sha256', macKey).update(data).digest());
});
