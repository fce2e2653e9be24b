// `cairn copy` and `cairn init --copy-chunker-params` against restic 0.14: what Cairn copies passes
// `restic check --read-data` and restores byte for byte; `original` is set as restic sets it, so
// each tool recognises the other's copies and skips them; a destination sharing the source's
// chunker parameters gains no data blobs it already had; copying to S3 works; and a wrong source
// password writes nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { S3RVER_ENV, startS3rver, type S3rver } from '../helpers/s3rver.ts';
import { cairn, cairnOk, resticOk, tmpDir, type RunResult } from '../helpers/tools.ts';

const SRC_PASS = 'source-password';
const DST_PASS = 'destination-password';

let work: string;
let data: string;
let srcRepo: string;
/** Source snapshots, oldest first: [0] before a change, [1] after it (with a tag and a parent). */
let srcSnaps: { id: string; tree: string; parent?: string }[];

interface ResticSnapshot { id: string; short_id?: string; tree: string; original?: string; parent?: string; tags?: string[]; time: string }

const snapshotsOf = (repo: string, password = DST_PASS) =>
  (JSON.parse(resticOk(repo, ['snapshots', '--json'], { password })) as ResticSnapshot[]);

/** Files of the repository, recursively, with sizes: to show that nothing was written. */
function listing(repo: string): string[] {
  return fs.readdirSync(repo, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${path.relative(repo, path.join(e.parentPath, e.name))} ${fs.statSync(path.join(e.parentPath, e.name)).size}`)
    .sort();
}

function dataBlobs(repo: string, password = DST_PASS): number {
  return resticOk(repo, ['list', 'blobs'], { password }).split('\n').filter((l) => l.startsWith('data ')).length;
}

/** cairn -r DST copy --from-repo SRC, both passwords from the environment. */
function cairnCopy(dst: string, src: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): RunResult {
  return cairn(['-r', dst, 'copy', '--from-repo', src, ...args], { password: DST_PASS, env: { CAIRN_FROM_PASSWORD: SRC_PASS, ...env } });
}

function cairnCopyOk(dst: string, src: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const r = cairnCopy(dst, src, args, env);
  if (r.code !== 0) throw new Error(`cairn copy failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/**
 * A few MB on purpose (the machine is shared): a 3 MiB file that the chunker cuts in several blobs
 * (so chunker parameters matter), small files in nested folders (trees saved side by side), an
 * empty file, a symlink, a hard link and an unusual mode.
 */
function makeSource(root: string): void {
  const bytes = (n: number, label: string) => crypto.createCipheriv('aes-128-ctr', crypto.createHash('md5').update(label).digest(), Buffer.alloc(16)).update(Buffer.alloc(n));
  const w = (rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };
  w('big.bin', bytes(3 << 20, 'big'));
  w('plain.txt', 'hello copy\n');
  w('empty', '');
  for (let i = 0; i < 6; i++) w(`dir${i}/sub/file${i}.txt`, `file ${i}\n`.repeat(100 + i));
  w('dir0/medium.bin', bytes(300_000, 'medium'));
  fs.symlinkSync('plain.txt', path.join(root, 'link'));
  fs.linkSync(path.join(root, 'dir1/sub/file1.txt'), path.join(root, 'dir1/hardlink'));
  fs.chmodSync(path.join(root, 'dir2/sub/file2.txt'), 0o600);
}

before(() => {
  work = tmpDir('copy');
  data = path.join(work, 'data');
  makeSource(data);
  srcRepo = path.join(work, 'src-repo');
  cairnOk(['-r', srcRepo, 'init'], { password: SRC_PASS });
  cairnOk(['-r', srcRepo, 'backup', data, '-q'], { password: SRC_PASS });
  fs.writeFileSync(path.join(data, 'plain.txt'), 'changed between the two backups\n');
  cairnOk(['-r', srcRepo, 'backup', data, '-q', '--tag', 'second'], { password: SRC_PASS });
  srcSnaps = snapshotsOf(srcRepo, SRC_PASS);
  assert.equal(srcSnaps.length, 2);
  assert.ok(srcSnaps[1]!.parent, 'the second source snapshot has a parent');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('copy local to local: restic check --read-data passes, restores byte for byte, original set, a second copy skips', () => {
  const dst = path.join(work, 'dst-a');
  cairnOk(['-r', dst, 'init'], { password: DST_PASS });
  const out = cairnCopyOk(dst, srcRepo);
  for (const s of srcSnaps) assert.match(out, new RegExp(`^snapshot ${s.id.slice(0, 8)} of \\[${data}\\] at .*\\)$`, 'm'));
  assert.equal(out.match(/^ {2}copy started, this may take a while\.\.\.$/gm)?.length, 2);
  assert.equal(out.match(/^snapshot [0-9a-f]{8} saved$/gm)?.length, 2);

  assert.match(resticOk(dst, ['check', '--read-data'], { password: DST_PASS }), /no errors were found/);
  const copied = snapshotsOf(dst);
  assert.equal(copied.length, 2);
  for (const s of srcSnaps) {
    const c = copied.find((x) => x.original === s.id);
    assert.ok(c, `a copy of ${s.id.slice(0, 8)} with original set`);
    assert.equal(c.tree, s.tree);
    assert.equal(c.parent, undefined, 'the source parent is not carried over');
  }
  const target = path.join(work, 'restored-a');
  resticOk(dst, ['restore', copied.find((x) => x.original === srcSnaps[1]!.id)!.id, '--target', target], { password: DST_PASS });
  assert.deepEqual(compareTrees(data, path.join(target, data)), []);

  const before = listing(dst).filter((f) => !f.startsWith('locks'));
  const again = cairnCopyOk(dst, srcRepo);
  for (const s of srcSnaps) {
    const c = copied.find((x) => x.original === s.id)!;
    assert.match(again, new RegExp(`^skipping source snapshot ${s.id.slice(0, 8)}, was already copied to snapshot ${c.id.slice(0, 8)}$`, 'm'));
  }
  assert.doesNotMatch(again, /copy started/);
  assert.deepEqual(listing(dst).filter((f) => !f.startsWith('locks')), before, 'a second copy writes nothing');

  // A copy of the copy still names the first snapshot as its original (restic's persistent id),
  // and --json reports what happened.
  const dst2 = path.join(work, 'dst-a2');
  cairnOk(['-r', dst2, 'init'], { password: DST_PASS });
  const summary = JSON.parse(cairn(['-r', dst2, '--json', 'copy', '--from-repo', dst, 'latest'], { password: DST_PASS, env: { CAIRN_FROM_PASSWORD: DST_PASS } }).stdout.trim()) as Record<string, unknown>;
  assert.equal(summary.message_type, 'summary');
  assert.equal(summary.snapshots_copied, 1);
  assert.ok((summary.data_blobs as number) > 0 && (summary.tree_blobs as number) > 0);
  assert.deepEqual(snapshotsOf(dst2).map((s) => s.original), [srcSnaps[1]!.id]);
});

test('restic recognises copies Cairn made, and Cairn recognises copies restic made', () => {
  // restic copy first, then cairn copy: Cairn skips everything.
  const byRestic = path.join(work, 'dst-restic');
  resticOk(byRestic, ['init'], { password: DST_PASS });
  resticOk(byRestic, ['copy', '--from-repo', srcRepo], { password: DST_PASS, env: { RESTIC_FROM_PASSWORD: SRC_PASS } });
  const fromRestic = snapshotsOf(byRestic);
  assert.equal(fromRestic.length, 2);
  const cairnAfter = cairnCopyOk(byRestic, srcRepo);
  assert.equal(cairnAfter.match(/^skipping source snapshot/gm)?.length, 2, cairnAfter);
  assert.doesNotMatch(cairnAfter, /copy started/);
  assert.equal(snapshotsOf(byRestic).length, 2);

  // cairn copy first, then restic copy: restic skips everything.
  const byCairn = path.join(work, 'dst-cairn');
  resticOk(byCairn, ['init'], { password: DST_PASS });
  cairnCopyOk(byCairn, srcRepo);
  const resticAfter = resticOk(byCairn, ['copy', '--from-repo', srcRepo], { password: DST_PASS, env: { RESTIC_FROM_PASSWORD: SRC_PASS } });
  assert.equal(resticAfter.match(/skipping source snapshot/g)?.length, 2, resticAfter);
  assert.doesNotMatch(resticAfter, /copy started/);
  assert.equal(snapshotsOf(byCairn).length, 2);
  // Both tools wrote the same snapshot content apart from the file's own id.
  const strip = (s: ResticSnapshot[]) => s.map(({ id: _id, short_id: _short, ...rest }) => rest).sort((a, b) => a.time.localeCompare(b.time));
  assert.deepEqual(strip(snapshotsOf(byCairn)), strip(fromRestic));
});

test('init --copy-chunker-params: a copy into a repository that backed up the same files adds no data blobs', () => {
  const shared = path.join(work, 'dst-shared-params');
  cairnOk(['-r', shared, 'init', '--copy-chunker-params', '--from-repo', srcRepo], { password: DST_PASS, env: { CAIRN_FROM_PASSWORD: SRC_PASS } });
  const pol = (repo: string, password: string) => (JSON.parse(resticOk(repo, ['cat', 'config'], { password })) as { chunker_polynomial: string }).chunker_polynomial;
  assert.equal(pol(shared, DST_PASS), pol(srcRepo, SRC_PASS));
  // Own parameters (the control): the same steps must add data blobs, or this test proves nothing.
  const own = path.join(work, 'dst-own-params');
  cairnOk(['-r', own, 'init'], { password: DST_PASS });

  const added: Record<string, number> = {};
  for (const [name, repo] of [['shared', shared], ['own', own]] as const) {
    resticOk(repo, ['backup', data], { password: DST_PASS });
    const before = dataBlobs(repo);
    // The latest source snapshot holds the files as they are now.
    const out = cairnCopyOk(repo, srcRepo, ['latest']);
    assert.match(out, /snapshot [0-9a-f]{8} saved/);
    added[name] = dataBlobs(repo) - before;
  }
  assert.equal(added.shared, 0, 'no new data blobs with the source chunker parameters');
  assert.ok(added.own! > 0, `the control adds data blobs (${added.own})`);
});

test('copy local to S3 (s3rver) and back: restores byte for byte, restic checks both', async () => {
  let s3: S3rver | undefined;
  try {
    s3 = await startS3rver(path.join(work, 's3rver'));
    const env = S3RVER_ENV;
    const bucket = `s3:${s3.endpoint}/copy-bucket/repo`;
    cairnOk(['-r', bucket, 'init'], { password: DST_PASS, env });
    const out = cairnCopyOk(bucket, srcRepo, [], env);
    assert.equal(out.match(/^snapshot [0-9a-f]{8} saved$/gm)?.length, 2);
    const target = path.join(work, 'restored-s3');
    cairnOk(['-r', bucket, 'restore', 'latest', '--target', target], { password: DST_PASS, env });
    assert.deepEqual(compareTrees(data, path.join(target, data)), []);
    // What landed in the bucket, read as a local repository, is sound for restic.
    const layout = s3.localLayout('copy-bucket', 'repo', path.join(work, 's3-layout'));
    assert.match(resticOk(layout, ['check', '--read-data'], { password: DST_PASS }), /no errors were found/);
    // And S3 as the source: back into a local repository.
    const back = path.join(work, 'dst-from-s3');
    cairnOk(['-r', back, 'init'], { password: DST_PASS });
    cairnOk(['-r', back, 'copy', '--from-repo', bucket, 'latest'], { password: DST_PASS, env: { ...env, CAIRN_FROM_PASSWORD: DST_PASS } });
    const backSnaps = snapshotsOf(back);
    assert.deepEqual(backSnaps.map((s) => s.original), [srcSnaps[1]!.id]);
    assert.match(resticOk(back, ['check'], { password: DST_PASS }), /no errors were found/);
  } finally {
    s3?.stop();
  }
});

test('a wrong source password is a one-line error naming the source, exit 1, nothing written', () => {
  const dst = path.join(work, 'dst-e');
  cairnOk(['-r', dst, 'init'], { password: DST_PASS });
  const before = listing(dst);
  const wrongFile = path.join(work, 'wrong-password');
  fs.writeFileSync(wrongFile, 'not-the-source-password\n');
  // From the file flag (which wins over the variable), and from the variable.
  for (const r of [
    cairnCopy(dst, srcRepo, ['--from-password-file', wrongFile]),
    cairnCopy(dst, srcRepo, [], { CAIRN_FROM_PASSWORD: 'not-the-source-password' }),
  ]) {
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^Fatal: wrong password or no key found for the source repository at ${srcRepo}`));
    assert.doesNotMatch(r.stderr, /not-the-source-password/);
    assert.deepEqual(listing(dst), before, 'the destination is untouched');
  }
  // The source password never comes from the destination's variables.
  const noSource = cairn(['-r', dst, 'copy', '--from-repo', srcRepo], { password: SRC_PASS });
  assert.equal(noSource.code, 1);
  assert.match(noSource.stderr, /no password given for the source repository/);
  assert.deepEqual(listing(dst), before);
});
