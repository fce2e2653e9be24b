// Encoders and decoders of restic's objects, against bytes restic itself wrote and round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goJson, goString } from '../../src-worker/format/gojson.ts';
import { decodeIndexFile, encodeIndexFile } from '../../src-worker/format/index-file.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src-worker/format/snapshot.ts';
import { formatTime, parseTime, utcZone } from '../../src-worker/format/time.ts';
import { decodeTree, encodeTree, compareNames, sameNode } from '../../src-worker/format/tree.ts';
import { goModeFromPosix, goModeString, posixPermFromGoMode } from '../../src-worker/format/filemode.ts';
import { decodeConfig, encodeConfig } from '../../src-worker/format/config.ts';
import { isCairnError } from '../../src-worker/errors.ts';
import { decodeUnpacked, encodeUnpacked } from '../../src-worker/format/unpacked.ts';
import { mulberry32 } from '../helpers/random.ts';

// A tree blob exactly as restic 0.14 wrote it (from `restic cat blob` on a test repository).
const RESTIC_TREE = '{"nodes":[{"name":"empty","type":"file","mode":420,"mtime":"2026-11-25T00:02:18.846179095Z","atime":"2026-11-25T00:02:18.846179095Z","ctime":"2026-11-25T00:02:18.846179095Z","uid":0,"gid":0,"user":"root","group":"root","inode":2220120,"device_id":65024,"links":1,"content":[]},{"name":"fifo","type":"fifo","mode":33554852,"mtime":"2026-11-25T00:02:18.854179094Z","atime":"2026-11-25T00:02:18.854179094Z","ctime":"2026-11-25T00:02:18.854179094Z","uid":0,"gid":0,"user":"root","group":"root","inode":2220123,"device_id":65024,"content":null},{"name":"link","type":"symlink","mode":134218239,"mtime":"2026-11-25T00:02:18.850179094Z","atime":"2026-11-25T00:02:18.850179094Z","ctime":"2026-11-25T00:02:18.850179094Z","uid":0,"gid":0,"user":"root","group":"root","inode":2220122,"device_id":65024,"links":1,"linktarget":"sub/f","content":null},{"name":"sub","type":"dir","mode":2147484141,"mtime":"2026-11-25T00:02:18.846179095Z","atime":"2026-11-25T00:02:18.846179095Z","ctime":"2026-11-25T00:02:18.846179095Z","uid":0,"gid":0,"user":"root","group":"root","inode":2220119,"device_id":65024,"content":null,"subtree":"54e1b1ba0f446cef84796ee71ca8aa2351ae52ba920a4793769b843b12b2091c"}]}\n';

test('a tree restic wrote decodes and re-encodes to the identical bytes', () => {
  const tree = decodeTree(JSON.parse(RESTIC_TREE), 'x'.repeat(64));
  assert.equal(tree.nodes.length, 4);
  assert.equal(encodeTree(tree.nodes).toString('utf8'), RESTIC_TREE);
});

test('Go string escaping: HTML characters, U+2028/9, \\b and \\f, lone surrogates', () => {
  assert.equal(goString('a<b>&c'), '"a\\u003cb\\u003e\\u0026c"');
  assert.equal(goString('x\u2028y\u2029'), '"x\\u2028y\\u2029"');
  assert.equal(goString('\b\f\n\t\r"\\'), '"\\u0008\\u000c\\n\\t\\r\\"\\\\"');
  assert.equal(goString('bad\ud800x'), '"bad\ufffdx"');
  assert.equal(goString('ok 😀'), '"ok 😀"');
  assert.equal(goString('\\b literal'), '"\\\\b literal"');
  assert.equal(goJson({ a: 1, b: undefined, c: [true, null], d: 'x' }), '{"a":1,"c":[true,null],"d":"x"}');
});

test('time round trip keeps nanoseconds and formats like Go', () => {
  const cases = ['2014-12-06T17:50:23.34513538+01:00', '0001-01-01T00:00:00Z', '2024-02-29T23:59:59.000000001-05:30', '1969-12-31T23:59:59.5Z'];
  const utc = ['2014-12-06T16:50:23.34513538Z', '0001-01-01T00:00:00Z', '2024-03-01T05:29:59.000000001Z', '1969-12-31T23:59:59.5Z'];
  cases.forEach((c, i) => assert.equal(formatTime(parseTime(c), utcZone), utc[i]));
  assert.equal(formatTime(parseTime(cases[0]), () => 60), cases[0]);
  assert.throws(() => parseTime('yesterday'), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});

test('time round trip over random instants (seed 7)', () => {
  const r = mulberry32(7);
  for (let i = 0; i < 2000; i++) {
    const ns = BigInt(Math.floor((r() - 0.3) * 4e9)) * 1_000_000_000n + BigInt(Math.floor(r() * 1e9));
    const offset = Math.floor((r() - 0.5) * 28) * 30;
    const text = formatTime(ns, () => offset);
    assert.equal(parseTime(text), ns, `seed 7, case ${i}: ${text}`);
  }
});

test('time layouts other than the one restic writes still parse, and broken ones are refused', () => {
  // Lower-case separators, a space instead of T and a five-digit year take the slow path.
  assert.equal(parseTime('2014-12-06t16:50:23.5z'), parseTime('2014-12-06T16:50:23.5Z'));
  assert.equal(parseTime('2014-12-06 17:50:23+01:00'), parseTime('2014-12-06T16:50:23Z'));
  assert.equal(parseTime('10000-01-01T00:00:00Z') > parseTime('9999-12-31T23:59:59.999999999Z'), true);
  for (const bad of ['2014-12-06T17:50:23', '2014-12-06T17:50:23.Z', '2014-12-06T17:50:23.1234567890Z', '2014-12-06T17:5x:23Z',
    '2014-12-06T17:50:23+0100', '2014-12-06T17:50:23Z ', '2014-1a-06T17:50:23Z']) {
    assert.throws(() => parseTime(bad), (e) => isCairnError(e, 'CORRUPT_OBJECT'), bad);
  }
});

test('names sort by UTF-8 bytes like Go, not UTF-16 units', () => {
  const names = ['b', 'a', '\uFF21', '😀', 'B', 'ä'];
  names.sort(compareNames);
  assert.deepEqual(names, ['B', 'a', 'b', 'ä', '\uFF21', '😀']);
});

test('snapshot encoding uses restic field order and omits empty fields', () => {
  const sn = { time: '2026-01-01T00:00:00Z', tree: 'a'.repeat(64), paths: ['/x'], hostname: 'h', username: 'u', uid: 0, gid: 5, tags: [], program_version: 'cairn 0.1.0' };
  const text = encodeSnapshot(sn);
  assert.equal(text, `{"time":"2026-01-01T00:00:00Z","tree":"${'a'.repeat(64)}","paths":["/x"],"hostname":"h","username":"u","gid":5,"program_version":"cairn 0.1.0"}`);
  const back = decodeSnapshot(JSON.parse(text), 'f'.repeat(64));
  assert.equal(back.tree, sn.tree);
  assert.deepEqual(back.paths, ['/x']);
  assert.throws(() => decodeSnapshot({ time: 'x', tree: 'nothex' }, 'f'.repeat(64)), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});

test('index files round trip and reject what restic would reject', () => {
  const idx = {
    supersedes: ['1'.repeat(64)],
    packs: [{ id: '2'.repeat(64), blobs: [
      { id: '3'.repeat(64), type: 'data' as const, offset: 0, length: 38, uncompressedLength: 0 },
      { id: '4'.repeat(64), type: 'tree' as const, offset: 38, length: 112, uncompressedLength: 511 },
    ] }],
  };
  const text = encodeIndexFile(idx).toString('utf8');
  assert.equal(text, `{"supersedes":["${'1'.repeat(64)}"],"packs":[{"id":"${'2'.repeat(64)}","blobs":[{"id":"${'3'.repeat(64)}","type":"data","offset":0,"length":38},{"id":"${'4'.repeat(64)}","type":"tree","offset":38,"length":112,"uncompressed_length":511}]}]}`);
  assert.deepEqual(decodeIndexFile(JSON.parse(text), 'n', true), { ...idx, oldFormat: false });
  assert.throws(() => decodeIndexFile(JSON.parse(text), 'n', false), (e) => isCairnError(e, 'CORRUPT_OBJECT'), 'compressed blobs are invalid in version 1');
  assert.throws(() => decodeIndexFile({ packs: [{ id: 'zz', blobs: [] }] }, 'n', true), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
  assert.throws(() => decodeIndexFile({ packs: [{ id: '2'.repeat(64), blobs: [{ id: '3'.repeat(64), type: 'data', offset: -1, length: 1 }] }] }, 'n', true));
});

test('unpacked files: version 2 reads raw and compressed JSON, version 1 only raw JSON (as restic 0.14 does)', () => {
  const json = '{"packs":[]}';
  for (const v of [1, 2]) assert.equal(decodeUnpacked(encodeUnpacked(json, 1), 'index x', v), json);
  const compressed = encodeUnpacked(json, 2);
  assert.equal(compressed[0], 2);
  assert.equal(decodeUnpacked(compressed, 'index x', 2), json);
  assert.throws(() => decodeUnpacked(compressed, 'index x', 1), (e) => isCairnError(e, 'CORRUPT_OBJECT') && /index x is not plain JSON \(it is compressed\).*version 1/.test(e.message));
});

test('an index in the old format (a bare list of packs, as the first restic versions wrote) is read and marked as such', () => {
  const packs = [{ id: '2'.repeat(64), blobs: [{ id: '3'.repeat(64), type: 'data', offset: 0, length: 38 }, { id: '4'.repeat(64), type: 'tree', offset: 38, length: 112 }] }];
  const doc = decodeIndexFile(JSON.parse(JSON.stringify(packs)), 'n', false);
  assert.equal(doc.oldFormat, true);
  assert.deepEqual(doc.supersedes, []);
  assert.deepEqual(doc.packs, [{ id: '2'.repeat(64), blobs: packs[0].blobs.map((b) => ({ ...b, uncompressedLength: 0 })) }]);
  assert.throws(() => decodeIndexFile([{ id: 'zz', blobs: [] }], 'n', true), (e) => isCairnError(e, 'CORRUPT_OBJECT'), 'its entries are checked as strictly');
  assert.throws(() => decodeIndexFile('packs', 'n', true), (e) => isCairnError(e, 'CORRUPT_OBJECT'));
});

test('nodes are equal as restic\'s Node.Equals decides: every field, times as instants, missing fields as zero values', () => {
  const [node] = decodeTree(JSON.parse(RESTIC_TREE), 'f'.repeat(64)).nodes;
  const copy = () => structuredClone(node!);
  assert.equal(sameNode(node!, copy()), true);
  assert.equal(sameNode(node!, { ...copy(), mtime: '2026-11-25T01:02:18.846179095+01:00' }), true, 'the same instant in another zone');
  assert.equal(sameNode(node!, { ...copy(), atime: '2026-11-25T00:02:19.846179095Z' }), false, 'atime counts, as in restic');
  assert.equal(sameNode(node!, { ...copy(), mode: 0o600 }), false);
  assert.equal(sameNode(node!, { ...copy(), content: null }), true, 'an empty list equals none, as Go compares lengths');
  assert.equal(sameNode(node!, { ...copy(), device_id: undefined }), false, 'a field an old version did not write differs from a set one');
  assert.equal(sameNode(node!, { ...copy(), extended_attributes: [{ name: 'user.a', value: '' }] }), false);
  assert.equal(sameNode(node!, { ...copy(), subtree: 'a'.repeat(64) }), false);
});

test('file modes map between POSIX and Go as restic stores them', () => {
  assert.equal(goModeFromPosix(0o040755), 2147484141);
  assert.equal(goModeFromPosix(0o041777), 2148532735);
  assert.equal(goModeFromPosix(0o120777), 134218239);
  assert.equal(goModeFromPosix(0o010644), 33554852);
  assert.equal(goModeFromPosix(0o104755), (1 << 23) + 0o755);
  assert.equal(posixPermFromGoMode(goModeFromPosix(0o106751)), 0o6751);
  assert.equal(goModeString(2147484141), 'drwxr-xr-x');
  assert.equal(goModeString(134218239), 'Lrwxrwxrwx');
  assert.equal(goModeString(420), '-rw-r--r--');
});

test('config round trip; unknown versions are refused with a clear error', () => {
  const cfg = { version: 2, id: 'ab'.repeat(32), chunkerPolynomial: 0x3da3358b4dc173n };
  assert.deepEqual(decodeConfig(JSON.parse(encodeConfig(cfg))), cfg);
  assert.equal(encodeConfig(cfg), `{"version":2,"id":"${'ab'.repeat(32)}","chunker_polynomial":"3da3358b4dc173"}`);
  assert.throws(() => decodeConfig({ version: 3, id: 'x', chunker_polynomial: '1' }), (e) => isCairnError(e, 'UNSUPPORTED_VERSION'));
});

test('node names carry Go strconv.Quote escaping, as restic writes them', async () => {
  const { goQuoteInner, goUnquoteInner } = await import('../../src-worker/format/goquote.ts');
  const cases: [string, string][] = [
    ['plain.txt', 'plain.txt'],
    ['quote"and\\backslash', 'quote\\"and\\\\backslash'],
    ['tab\tnewline\n', 'tab\\tnewline\\n'],
    ['Grüße – 日本語 ✓', 'Grüße – 日本語 ✓'],
    ['emoji 🎉', 'emoji 🎉'],
    ['bell\x07nul\x00del\x7f', 'bell\\anul\\x00del\\x7f'],
    ['nbsp\u00a0zwsp\u200b', 'nbsp\\u00a0zwsp\\u200b'],
  ];
  for (const [name, quoted] of cases) {
    assert.equal(goQuoteInner(name), quoted);
    assert.equal(goUnquoteInner(quoted), name);
  }
  assert.equal(goUnquoteInner('\\101\\x42\\u0043'), 'ABC');
  for (const bad of ['a"b', 'a\\', 'a\\q', 'a\\x4', "a\\'b", 'a\nb']) assert.equal(goUnquoteInner(bad), null, bad);
});

test('malformed trees are refused with the field named', async () => {
  const { decodeTree } = await import('../../src-worker/format/tree.ts');
  const { isCairnError } = await import('../../src-worker/errors.ts');
  const id = 'ab'.repeat(32);
  const good = { name: 'a', type: 'file', mtime: '2020-01-01T00:00:00Z', atime: '2020-01-01T00:00:00Z', ctime: '2020-01-01T00:00:00Z', uid: 0, gid: 0, content: [id] };
  assert.equal(decodeTree({ nodes: [good] }, id).nodes[0]!.name, 'a');
  assert.deepEqual(decodeTree({ nodes: null }, id).nodes, []);
  const bad: [unknown, RegExp][] = [
    [[], /top level/],
    [{ nodes: {} }, /nodes/],
    [{ nodes: [{ ...good, type: 'weird' }] }, /nodes\.0\.type/],
    [{ nodes: [{ ...good, size: -1 }] }, /nodes\.0\.size/],
    [{ nodes: [{ ...good, content: ['xyz'] }] }, /nodes\.0\.content\.0/],
    [{ nodes: [{ ...good, subtree: 5 }] }, /nodes\.0\.subtree/],
    [{ nodes: [{ ...good, name: 7 }] }, /nodes\.0\.name/],
  ];
  for (const [value, where] of bad) {
    assert.throws(() => decodeTree(value, id), (e) => isCairnError(e, 'CORRUPT_OBJECT') && where.test((e as Error).message) && /cairn check/.test((e as Error).message));
  }
});
