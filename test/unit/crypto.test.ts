// Known-answer tests for the crypto pipeline: Bernstein's Poly1305-AES vectors (the ones restic's
// own tests use), RFC 8439's Poly1305 vector, restic's seal/open vector, and a cross-check of the
// WebAssembly Poly1305 against @noble/ciphers on random messages of every length around the
// kernel's internal window and block boundaries.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { deriveKey, generateMasterKey, masterKeyFromJSON, masterKeyToJSON, open, openInPlace, poly1305, poly1305Aes, seal, sealInWorkArea, workArea } from '../../src-worker/format/crypto.ts';
import { isCairnError } from '../../src-worker/errors.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('Poly1305-AES matches the vectors from Bernstein\'s paper', () => {
  const vectors = [
    { m: 'f3f6', r: '851fc40c3467ac0be05cc20404f3f700', k: 'ec074c835580741701425b623235add6', n: 'fb447350c4e868c52ac3275cf9d4327e', mac: 'f4c633c3044fc145f84f335cb81953de' },
    { m: '', r: 'a0f3080000f46400d0c7e9076c834403', k: '75deaa25c09f208e1dc4ce6b5cad3fbf', n: '61ee09218d29b0aaed7e154a2c5509cc', mac: 'dd3fab2251f11ac759f0887129cc2ee7' },
    { m: '663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136', r: '48443d0bb0d21109c89a100b5ce2c208', k: '6acb5f61a7176dd320c5c1eb2edcdc74', n: 'ae212a55399729595dea458bc621ff0e', mac: '0ee1c16bb73f0f4fd19881753c01cdbe' },
    { m: 'ab0812724a7f1e342742cbed374d94d136c6b8795d45b3819830f2c04491faf0990c62e48b8018b2c3e4a0fa3134cb67fa83e158c994d961c4cb21095c1bf9', r: '12976a08c4426d0ce8a82407c4f48207', k: 'e1a5668a4d5b66a5f68cc5424ed5982d', n: '9ae831e743978d3a23527c7128149e3a', mac: '5154ad0d2cb26e01274fc51148491f1b' },
  ];
  for (const v of vectors) {
    assert.equal(poly1305Aes(hex(v.k), hex(v.r), hex(v.n), hex(v.m)).toString('hex'), v.mac);
  }
});

test('Poly1305 matches RFC 8439 section 2.5.2', () => {
  const key = hex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
  const tag = poly1305(key, Buffer.from('Cryptographic Forum Research Group'));
  assert.equal(tag.toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('the WebAssembly Poly1305 agrees with @noble/ciphers on random inputs', () => {
  const lengths = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 65535, 65536, 65537, 65536 + 15, 65536 * 3 + 7, 1 << 20];
  for (const len of lengths) {
    const key = crypto.randomBytes(32);
    const msg = crypto.randomBytes(len);
    assert.equal(poly1305(key, msg).toString('hex'), Buffer.from(noblePoly1305(msg, key)).toString('hex'), `length ${len}`);
  }
  // Extreme limb values: all-ones key and message exercise the final carry and the mod-p step.
  const ones = Buffer.alloc(32, 0xff);
  const msg = Buffer.alloc(64, 0xff);
  assert.equal(poly1305(ones, msg).toString('hex'), Buffer.from(noblePoly1305(msg, ones)).toString('hex'));
});

test('openInPlace opens what open opens, in place, and leaves forged spans untouched', () => {
  const key = generateMasterKey();
  // Lengths around blocks, the 1 MiB keystream slice (a body cut across slices continues its
  // counter), and one body several slices long; random gaps between the spans, as in a pack range.
  const lengths = [0, 1, 15, 16, 17, 1000, 65536 + 3, (1 << 20) - 40, (1 << 20) + 5, 0, 3 * (1 << 20) + 7, 31];
  const plains = lengths.map((n) => crypto.randomBytes(n));
  const sealed = plains.map((p) => seal(key, p));
  const spans: { at: number; length: number }[] = [];
  let at = 5;
  for (const s of sealed) {
    spans.push({ at, length: s.length });
    at += s.length + (s.length % 7);
  }
  const forged = new Set([2, 7]);
  const area = workArea(at);
  area.fill(0xaa);
  sealed.forEach((s, i) => {
    area.set(s, spans[i]!.at);
    if (forged.has(i)) area[spans[i]!.at + s.length - 1]! ^= 1; // last MAC byte
  });
  const ok = openInPlace(key, area, spans);
  sealed.forEach((s, i) => {
    const { at: a, length } = spans[i]!;
    if (forged.has(i)) {
      assert.equal(ok[i], false, `span ${i} is forged`);
      const expect = Buffer.from(s);
      expect[length - 1]! ^= 1;
      assert.deepEqual(area.subarray(a, a + length), expect, `forged span ${i} is left as it was`);
      return;
    }
    assert.equal(ok[i], true, `span ${i}`);
    assert.deepEqual(area.subarray(a + 16, a + length - 16), plains[i], `plaintext of span ${i} (${lengths[i]} bytes)`);
    assert.deepEqual(area.subarray(a, a + 16), s.subarray(0, 16), `IV of span ${i} stays`);
  });
  assert.equal(area[0], 0xaa, 'bytes between spans stay');
  const tooShort = workArea(40);
  assert.deepEqual(openInPlace(key, tooShort, [{ at: 0, length: 31 }, { at: 30, length: 32 }]), [false, false]);
});

test('openInPlace: a span a damaged index lists twice is decrypted once, and both copies read as authentic', () => {
  const key = generateMasterKey();
  const a = crypto.randomBytes(5000), b = crypto.randomBytes(300);
  const sa = seal(key, a), sb = seal(key, b);
  const area = workArea(sa.length + sb.length);
  area.set(sa, 0);
  area.set(sb, sa.length);
  const spans = [{ at: 0, length: sa.length }, { at: sa.length, length: sb.length }, { at: 0, length: sa.length }];
  assert.deepEqual(openInPlace(key, area, spans), [true, true, true]);
  assert.deepEqual(area.subarray(16, 16 + a.length), a);
  assert.deepEqual(area.subarray(sa.length + 16, sa.length + 16 + b.length), b);
});

test('openInPlace carries the counter across 64-bit words as restic does', () => {
  const key = { encrypt: crypto.randomBytes(32), macK: crypto.randomBytes(16), macR: crypto.randomBytes(16) };
  const plain = crypto.randomBytes(100);
  // An IV whose low 64 bits are all ones: the second block's counter carries into the high word.
  const iv = Buffer.from('0123456789abcdefffffffffffffffff', 'hex');
  const body = crypto.createCipheriv('aes-256-ctr', key.encrypt, iv).update(plain);
  const mac = poly1305Aes(key.macK, key.macR, iv, body);
  const area = workArea(132);
  area.set(Buffer.concat([iv, body, mac]));
  assert.deepEqual(openInPlace(key, area, [{ at: 0, length: 132 }]), [true]);
  assert.deepEqual(area.subarray(16, 116), plain);
});

test('open decrypts restic\'s seal test vector', () => {
  const key = { encrypt: hex('303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef'), macK: hex('ef4d8824cb80b2bcc5fbff8a9b12a42c'), macR: hex('cc8d4b948ee0ebfe1d415de921d10353') };
  const sealed = hex('69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750');
  assert.equal(open(key, sealed).toString('utf8'), 'Dies ist ein Test!');
});

test('seal then open round-trips, and any flipped bit is rejected before decryption', () => {
  const key = generateMasterKey();
  for (const len of [0, 1, 100, 70000]) {
    const plain = crypto.randomBytes(len);
    const sealed = seal(key, plain);
    assert.equal(sealed.length, len + 32);
    assert.deepEqual(open(key, sealed), plain);
    for (const at of [0, 16, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 1;
      assert.throws(() => open(key, bad), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
    }
  }
  assert.throws(() => open(key, Buffer.alloc(10)), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
  const other = generateMasterKey();
  assert.throws(() => open(other, seal(key, Buffer.from('x'))), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});

test('sealInWorkArea seals what open opens, at every size around the keystream slices, with a new IV each time', () => {
  const key = generateMasterKey();
  const ivs = new Set<string>();
  for (const n of [0, 1, 15, 16, 17, 4095, (1 << 20) - 1, 1 << 20, (1 << 20) + 17, 3 * (1 << 20) + 5]) {
    const plain = crypto.randomBytes(n);
    const sealed = Buffer.from(sealInWorkArea(key, plain)); // a copy: the view is reused by the next call
    assert.equal(sealed.length, n + 32);
    assert.deepEqual(open(key, sealed), plain, `${n} bytes`);
    ivs.add(sealed.subarray(0, 16).toString('hex'));
    sealed[16 + (n >> 1)] ^= n > 0 ? 1 : 0;
    if (n > 0) assert.throws(() => open(key, sealed), /failed authentication/, `${n} bytes, one bit flipped`);
  }
  assert.equal(ivs.size, 10);
});

test('the master key survives its JSON form, and bad JSON is refused', () => {
  const key = generateMasterKey();
  const back = masterKeyFromJSON(JSON.parse(JSON.stringify(masterKeyToJSON(key))));
  assert.deepEqual(Buffer.from(back.encrypt), Buffer.from(key.encrypt));
  assert.deepEqual(Buffer.from(back.macK), Buffer.from(key.macK));
  assert.deepEqual(Buffer.from(back.macR), Buffer.from(key.macR));
  assert.throws(() => masterKeyFromJSON({ mac: { k: 'AA==', r: '' }, encrypt: '' }), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});

test('deriveKey matches scrypt\'s RFC 7914 vector and splits 32/16/16', async () => {
  const k = await deriveKey('password', Buffer.from('NaCl'), { N: 1024, r: 8, p: 16 });
  const all = Buffer.concat([k.encrypt, k.macK, k.macR]).toString('hex');
  assert.equal(all, 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640');
  await assert.rejects(deriveKey('x', Buffer.alloc(8), { N: 1000, r: 8, p: 1 }), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});
