// check and repair index against restic 0.14: they agree on a clean repository; damage (a missing
// pack, a damaged index file, no index at all, a flipped byte in a pack) is named with the snapshots
// it affects; repair index rebuilds an index that restic accepts, and loses nothing that still exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../../src-worker/backend/local.ts';
import { Repository } from '../../src-worker/repository/repository.ts';
import { compareTrees } from '../helpers/compare.ts';
import { mulberry32, randomBytes } from '../helpers/random.ts';
import { flipByte } from '../helpers/repo-format.ts';
import { cairn, cairnOk, restic, resticOk, tmpDir, type RunResult } from '../helpers/tools.ts';

let work: string;
let base: string;
/** Source folder and snapshot id of each backup: a and b by Cairn, c by restic. */
const sources: Record<string, string> = {};
const snaps: Record<string, string> = {};

function write(file: string, data: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

before(async () => {
  work = tmpDir('check-repair');
  const rand = mulberry32(20240611);
  for (const name of ['a', 'b', 'c']) {
    const dir = path.join(work, 'src', name);
    sources[name] = dir;
    // Fresh random data per snapshot, so each snapshot's file data sits in packs of its own.
    write(path.join(dir, 'big.bin'), randomBytes(rand, name === 'a' ? 1_500_000 : 900_000));
    write(path.join(dir, 'sub', 'note.txt'), `snapshot ${name}\n`.repeat(50));
    write(path.join(dir, 'sub', 'deeper', 'small.bin'), randomBytes(rand, 20_000));
  }
  base = path.join(work, 'base');
  // A cheap key derivation: every command of every test opens this repository (or a copy) anew.
  // A fixed chunker polynomial (restic's test polynomial), so the files are cut the same way every run.
  await Repository.init(new LocalBackend(base), 'test-password', { kdf: { N: 1024, r: 8, p: 1 }, chunkerPolynomial: 0x3da3358b4dc173n });
  cairnOk(['-r', base, 'backup', sources.a!]);
  cairnOk(['-r', base, 'backup', sources.b!]);
  resticOk(base, ['backup', sources.c!]);
  const listed = JSON.parse(resticOk(base, ['snapshots', '--json'])) as { id: string; paths: string[] }[];
  for (const name of ['a', 'b', 'c']) snaps[name] = listed.find((s) => s.paths[0] === sources[name])!.id;
  assert.equal(new Set(Object.values(snaps)).size, 3);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

let copies = 0;
function copyOfBase(): string {
  const copy = path.join(work, `repo-${++copies}`);
  fs.cpSync(base, copy, { recursive: true });
  return copy;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The pack that holds the first data blob of `file` in snapshot `sn`, found through the engine. */
/** Where each data blob of `file` in snapshot `sn` is, in file order. */
async function blobsOf(repoDir: string, sn: string, file: string): Promise<{ pack: string; blob: string; offset: number }[]> {
  const repo = await Repository.open(new LocalBackend(repoDir), 'test-password');
  await repo.loadIndex();
  let tree = (await repo.loadSnapshot(sn)).tree;
  for (const part of file.split('/').filter(Boolean)) {
    const node = (await repo.loadTree(tree)).nodes.find((n) => n.name === part)!;
    if (node.type === 'dir') tree = node.subtree!;
    else {
      return node.content!.map((blob) => {
        const loc = repo.index.lookup('data', blob)!;
        return { pack: loc.packId, blob, offset: loc.offset };
      });
    }
  }
  throw new Error(`${file} not found`);
}

/** The pack, id and offset of the first data blob of `file`. */
async function packOf(repoDir: string, sn: string, file: string): Promise<{ pack: string; blob: string; offset: number }> {
  return (await blobsOf(repoDir, sn, file))[0]!;
}

function packPath(repoDir: string, pack: string): string {
  return path.join(repoDir, 'data', pack.slice(0, 2), pack);
}

/** Restores a snapshot with Cairn and compares it with its source folder. */
function assertRestores(repoDir: string, name: string): void {
  const target = path.join(work, `restore-${++copies}`);
  cairnOk(['-r', repoDir, 'restore', snaps[name]!, '--target', target]);
  assert.deepEqual(compareTrees(sources[name]!, path.join(target, sources[name]!)), [], `snapshot ${name} restores byte-identical`);
}

function errorsOf(r: RunResult): string {
  return r.stdout + r.stderr;
}

/** The lines naming affected snapshots, from a human-readable check run. */
function affectedLines(r: RunResult): string {
  return r.stderr.split('\n').filter((l) => l.includes('affects snapshot')).join('\n');
}

test('(a) on a clean repository cairn check and restic check agree, with read-data, and JSON shows progress of each phase', () => {
  const r = cairn(['-r', base, 'check', '--read-data']);
  assert.equal(r.code, 0, errorsOf(r));
  assert.match(r.stdout, /no errors were found/);
  assert.equal(restic(base, ['check', '--read-data']).code, 0);
  const lines = cairnOk(['-r', base, '--json', 'check', '--read-data']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.pop()!;
  assert.equal(summary.message_type, 'summary');
  assert.equal(summary.num_errors, 0);
  assert.equal(summary.snapshots, 3);
  assert.equal(summary.duplicate_blobs, 0);
  const phases = new Set(lines.filter((l) => l.message_type === 'status').map((l) => l.phase));
  assert.deepEqual([...phases].sort(), ['index', 'packs', 'read-data', 'snapshots']);
  const last = lines.filter((l) => l.phase === 'read-data').pop()!;
  assert.equal(last.done, last.total);
  assert.equal(last.bytes_done, last.bytes_total);
});

test('(b) a deleted pack is named with the snapshot it affects; after repair index the blobs stay missing for it alone', async () => {
  const repo = copyOfBase();
  // Every pack holding a blob of big.bin: two workers may have sealed its blobs into two packs.
  const blobs = await blobsOf(repo, snaps.a!, `${sources.a}/big.bin`);
  assert.ok(blobs.length >= 2, 'big.bin is cut into several blobs');
  const packs = [...new Set(blobs.map((b) => b.pack))].sort();
  for (const pack of packs) fs.rmSync(packPath(repo, pack));
  const r = cairn(['-r', repo, 'check']);
  assert.equal(r.code, 1);
  for (const pack of packs) assert.match(r.stderr, new RegExp(`pack ${pack}: does not exist\\n  affects snapshot ${snaps.a!.slice(0, 8)}\\n`));
  assert.doesNotMatch(affectedLines(r), new RegExp(`${snaps.b!.slice(0, 8)}|${snaps.c!.slice(0, 8)}`));
  assert.notEqual(restic(repo, ['check']).code, 0, 'restic agrees that this is an error');

  const repaired = JSON.parse(cairnOk(['-r', repo, '--json', 'repair', 'index']).trim().split('\n').pop()!) as { packs_not_found: string[]; packs_read: number };
  assert.deepEqual(repaired.packs_not_found.sort(), packs);
  assert.equal(repaired.packs_read, 0, 'every other pack keeps its index entries without being read');
  const after = cairn(['-r', repo, '--json', 'check']);
  assert.equal(after.code, 1);
  const problems = (JSON.parse(after.stdout.trim().split('\n').pop()!) as { problems: { kind: string; message: string; snapshots: string[]; files?: string[] }[] }).problems;
  const ofBigFile = problems.filter((p) => p.message.startsWith('file "big.bin"'));
  assert.ok(ofBigFile.length >= 2, 'big.bin lost several blobs, each a problem of its own');
  for (const p of problems) {
    assert.equal(p.kind, 'missing-blob');
    assert.deepEqual(p.snapshots, [snaps.a]);
    // Each problem names the file whose blob it is, also when that file lost several blobs.
    const name = /^file "([^"]+)"/.exec(p.message)![1]!;
    assert.equal(p.files?.length, 1, JSON.stringify(p));
    assert.ok(p.files![0]!.startsWith(`${snaps.a!.slice(0, 8)}:${sources.a}/`) && p.files![0]!.endsWith(`/${name}`), JSON.stringify(p));
  }
  assert.match(restic(repo, ['check']).stderr, /not found in index/, 'restic reports the same blobs missing');
  assertRestores(repo, 'b');
  assertRestores(repo, 'c');
});

test('(c) a damaged index file is named; repair index rebuilds it; restic check --read-data passes and all snapshots restore', () => {
  const repo = copyOfBase();
  const indexes = files(path.join(repo, 'index')).sort();
  const victim = indexes[0]!;
  flipByte(victim, 40);
  flipByte(victim, 41);
  const r = cairn(['-r', repo, 'check']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`error loading index ${path.basename(victim)}`));
  assert.match(r.stderr, /cairn repair index/);

  const out = JSON.parse(cairnOk(['-r', repo, '--json', 'rebuild-index']).trim().split('\n').pop()!) as { invalid_indexes: string[]; removed_indexes: string[]; packs_read: number };
  assert.deepEqual(out.invalid_indexes, [path.basename(victim)]);
  assert.deepEqual(out.removed_indexes.sort(), indexes.map((f) => path.basename(f)));
  assert.ok(out.packs_read > 0, 'the packs only the damaged index listed are read from their headers');
  assert.equal(fs.existsSync(victim), false);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  for (const name of ['a', 'b', 'c']) assertRestores(repo, name);
});

test('(d, g) with every index file deleted, repair index --read-all-packs recovers everything, and restic accepts its index', () => {
  const repo = copyOfBase();
  const packCount = files(path.join(repo, 'data')).length;
  for (const f of files(path.join(repo, 'index'))) fs.rmSync(f);
  assert.equal(cairn(['-r', repo, 'check']).code, 1, 'without an index every snapshot misses its blobs');
  const out = JSON.parse(cairnOk(['-r', repo, '--json', 'repair', 'index', '--read-all-packs']).trim().split('\n').pop()!) as { packs_read: number; packs: number; new_indexes: string[] };
  assert.equal(out.packs_read, packCount);
  assert.equal(out.packs, packCount);
  assert.equal(files(path.join(repo, 'index')).length, out.new_indexes.length);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  assertRestores(repo, 'a');
  assertRestores(repo, 'c');
});

test('(g) the index restic rebuild-index writes is accepted by Cairn', () => {
  const repo = copyOfBase();
  for (const f of files(path.join(repo, 'index'))) fs.rmSync(f);
  resticOk(repo, ['rebuild-index']);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  assertRestores(repo, 'b');
});

test('(e) a flipped byte in a pack: check --read-data names the pack, the blob and the snapshot; check without it does not read data', async () => {
  const repo = copyOfBase();
  const { pack, blob, offset } = await packOf(repo, snaps.b!, `${sources.b}/big.bin`);
  flipByte(packPath(repo, pack), offset + 100);
  assert.equal(cairn(['-r', repo, 'check']).code, 0, 'as restic, the structure check reads no data');
  const r = cairn(['-r', repo, 'check', '--read-data']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`pack ${pack}: data blob ${blob}: .*\\n  affects snapshot ${snaps.b!.slice(0, 8)}\\n`));
  assert.doesNotMatch(affectedLines(r), new RegExp(`${snaps.a!.slice(0, 8)}|${snaps.c!.slice(0, 8)}`));
  const json = JSON.parse(cairn(['-r', repo, '--json', 'check', '--read-data']).stdout.trim().split('\n').pop()!) as { problems: { kind: string; pack: string; blob: { id: string }; snapshots: string[] }[] };
  assert.deepEqual(json.problems.map((p) => [p.kind, p.pack, p.blob?.id, p.snapshots]), [['corrupt-blob', pack, blob, [snaps.b]]]);
  assert.notEqual(restic(repo, ['check', '--read-data']).code, 0, 'restic agrees that this is an error');
});

test('(f) the same blobs in two packs (restic backup --force over a lost index, then repair index) are not an error', () => {
  const repo = copyOfBase();
  for (const f of files(path.join(repo, 'index'))) fs.rmSync(f);
  // With no index, restic stores snapshot c's data again, in new packs, beside the old ones.
  resticOk(repo, ['backup', '--force', sources.c!]);
  cairnOk(['-r', repo, 'repair', 'index']);
  const r = cairn(['-r', repo, '--json', 'check', '--read-data']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { duplicate_blobs: number; num_errors: number };
  assert.ok(summary.duplicate_blobs >= 3, `duplicates reported: ${summary.duplicate_blobs}`);
  assert.match(cairnOk(['-r', repo, 'check']), /blobs are stored in more than one pack[\s\S]*no errors were found/);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assertRestores(repo, 'c');
});

test('--check-unused reports blobs no snapshot uses, as errors', () => {
  const repo = copyOfBase();
  assert.equal(cairn(['-r', repo, 'check', '--check-unused']).code, 0);
  // Forgetting a snapshot without pruning leaves its blobs unused.
  resticOk(repo, ['forget', snaps.a!]);
  assert.equal(cairn(['-r', repo, 'check']).code, 0);
  const r = cairn(['-r', repo, 'check', '--check-unused']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unused blob data\/[0-9a-f]{64}/);
});
