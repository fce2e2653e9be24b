// Writing into a version 1 repository keeps it readable by restic 0.12, which like every release
// before 0.14 knows only format version 1 (issue 8). A manual check, not part of `npm test`: restic 0.12 is not
// packaged anywhere we can install from, so it is built from source first:
//
//   bash test/manual/build-restic-0.12.sh        # -> /opt/restic-0.12/restic
//   npm run build                                # the CLI runs from dist/
//   node_modules/.bin/node test/manual/restic012-v1.ts [--keep]
//
// (RESTIC012=/path/to/restic picks another binary.) Every command is printed with its exit code and
// the last lines it wrote; every check is counted, and the run ends with "N passed, N failed" and a
// non-zero exit if any failed. Also needs restic 0.14 (Debian's `restic`) for the v2 source repository.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compareTrees } from '../helpers/compare.ts';
import { makeOddTree } from '../helpers/odd-files.ts';
import { storedForm } from '../helpers/repo-format.ts';
import { CAIRN_BIN, ROOT, dataset, tmpDir } from '../helpers/tools.ts';
import { changeLines } from '../helpers/v1-fixture.ts';

const R012 = process.env.RESTIC012 ?? '/opt/restic-0.12/restic';
const PASSWORD = 'restic012-password';
const work = tmpDir('restic012');
const cache = path.join(work, 'cairn-cache');
let passed = 0;
let failed = 0;

if (!fs.existsSync(R012)) {
  console.error(`${R012} is missing: build it with \`bash test/manual/build-restic-0.12.sh\` (or set RESTIC012)`);
  process.exit(2);
}

interface Run { code: number; out: string; err: string }

/** Runs one program, prints the command line, its exit code and its last lines. Passwords go through the environment. */
function run(label: string, bin: string[], args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(bin[0], [...bin.slice(1), ...args], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, ...env } });
  const res = { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  const tail = (res.out + res.err).trim().split('\n').filter((l) => !/^\[\d+:\d+\]/.test(l)).slice(-3);
  console.log(`$ ${label} ${args.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')}   -> exit ${res.code}`);
  for (const l of tail) console.log(`    ${l}`);
  return res;
}
const r012 = (repo: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  run('restic-0.12', [R012, '-r', repo, '--no-cache'], args, { RESTIC_PASSWORD: PASSWORD, ...env });
const r014 = (repo: string, args: string[]) => run('restic-0.14', ['restic', '-r', repo, '--no-cache'], args, { RESTIC_PASSWORD: PASSWORD });
const cairn = (repo: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  run('cairn', [process.execPath, CAIRN_BIN, '-r', repo], args, { CAIRN_PASSWORD: PASSWORD, CAIRN_CACHE_DIR: cache, RESTIC_PASSWORD: '', ...env });

function check(what: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `: ${detail}` : ''}`);
}
const okRun = (what: string, r: Run) => check(what, r.code === 0, `exit ${r.code}: ${(r.err || r.out).trim().split('\n').slice(-3).join(' | ')}`);
const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').pop()!) as T;
const snapshotsOf = (r: Run) => JSON.parse(r.out) as { id: string; short_id: string; paths: string[]; tags?: string[] }[];

// --- the source: the shared dataset (64 MiB setting), the odd files, and names that are not UTF-8 ---

const rawName = (...bytes: number[]) => Buffer.from(bytes);
const under = (dir: string, name: Buffer) => Buffer.concat([Buffer.from(dir + '/'), name]);

function makeSource(dir: string): void {
  fs.cpSync(dataset(64), path.join(dir, 'dataset'), { recursive: true });
  fs.rmSync(path.join(dir, 'dataset', '.complete'));
  makeOddTree(path.join(dir, 'odd'), 12);
  const raw = path.join(dir, 'raw');
  fs.mkdirSync(raw);
  fs.writeFileSync(under(raw, rawName(0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74)), 'café in Latin-1\n');
  fs.writeFileSync(under(raw, rawName(0x74, 0xe2, 0x82)), 'truncated sequence\n');
  fs.writeFileSync(path.join(raw, 'café.txt'), 'café in UTF-8\n');
}

/** Every entry below root by its raw name bytes: type and content hash (compareTrees reads names as UTF-8). */
function rawListing(root: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(root, { encoding: 'buffer' })) {
    const p = under(root, name);
    out.push(`${name.toString('hex')} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
  }
  return out.sort();
}

function sameTree(what: string, expected: string, actual: string): void {
  const diffs = compareTrees(expected, actual, { skip: (rel) => rel === 'raw' });
  if (fs.existsSync(path.join(expected, 'raw'))) {
    const a = rawListing(path.join(expected, 'raw'));
    const b = fs.existsSync(path.join(actual, 'raw')) ? rawListing(path.join(actual, 'raw')) : [];
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`raw names differ: ${JSON.stringify(b)}`);
  }
  check(what, diffs.length === 0, diffs.slice(0, 5).join('; '));
}

function restoreAndCompare(by: 'restic-0.12' | 'cairn', repo: string, id: string, source: string): void {
  const target = fs.mkdtempSync(path.join(work, `restore-${id.slice(0, 8)}-`));
  const r = by === 'cairn' ? cairn(repo, ['restore', id, '--target', target]) : r012(repo, ['restore', id, '--target', target]);
  okRun(`${by} restores ${id.slice(0, 8)}`, r);
  sameTree(`${by}'s restore of ${id.slice(0, 8)} equals ${path.basename(source)} byte for byte`, source, path.join(target, source));
  fs.rmSync(target, { recursive: true, force: true });
}

async function stillV1(repo: string): Promise<void> {
  const form = await storedForm(repo, PASSWORD);
  check('the config still says version 1', form.version === 1);
  check('index and snapshot files are plain JSON', form.encodedUnpacked.length === 0, form.encodedUnpacked.join(' '));
  check('no blob is stored compressed', form.compressedBlobs.length === 0, `${form.compressedBlobs.length} compressed`);
}

const lockFiles = (repo: string) => fs.readdirSync(path.join(repo, 'locks')).filter((n) => /^[0-9a-f]{64}$/.test(n));

/** Starts a Cairn backup, kills it once its lock file exists: a stale lock from a process that is gone. */
async function killedCairnBackup(repo: string, dir: string): Promise<void> {
  const child = spawn(process.execPath, [CAIRN_BIN, '-r', repo, 'backup', dir], { env: { ...process.env, CAIRN_PASSWORD: PASSWORD, CAIRN_CACHE_DIR: cache }, stdio: 'ignore' });
  // Wait for the lock itself: a name of 64 hex digits (the backend first writes a temporary file, then renames it).
  for (let i = 0; i < 300 && lockFiles(repo).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}

// --- A: a repository restic 0.12 created; Cairn backs up, tags, copies, forgets, prunes, repairs ---

async function resticMadeRepository(): Promise<void> {
  console.log('\n== A: restic 0.12 creates a repository, Cairn writes into it ==');
  const repo = path.join(work, 'repo-a');
  const src = path.join(work, 'src');
  makeSource(src);
  okRun('restic-0.12 init', r012(repo, ['init']));
  check('restic 0.12 made a version 1 repository', JSON.parse(r012(repo, ['cat', 'config']).out).version === 1);
  const first = r012(repo, ['backup', src, '--tag', 'by-restic-0.12', '--json']);
  okRun('restic-0.12 backup', first);

  // A changed copy, backed up by Cairn with restic 0.12's snapshot of the original as the parent.
  const src2 = path.join(work, 'src2');
  fs.cpSync(src, src2, { recursive: true, verbatimSymlinks: true });
  const mutate = spawnSync(process.execPath, [path.resolve(ROOT, '../shared/bench/make-dataset.mjs'), path.join(src2, 'dataset'), '--mutate', '--percent', '10'], { encoding: 'utf8' });
  check('make-dataset --mutate changed the copy', mutate.status === 0, mutate.stderr);
  fs.appendFileSync(path.join(src2, 'odd', 'plain.txt'), 'changed by the second backup\n');
  fs.writeFileSync(path.join(src2, 'dataset', 'added-later.bin'), crypto.randomBytes(3 << 20));
  fs.rmSync(path.join(src2, 'odd', 'names', '.hidden'));
  const r012First = lastJson<{ snapshot_id: string }>(first.out).snapshot_id;
  const b2 = cairn(repo, ['--json', 'backup', src2, '--tag', 'by-cairn', '--parent', r012First]);
  okRun('cairn backup (parent: restic 0.12 snapshot)', b2);
  const cairnSnap = lastJson<{ snapshot_id: string }>(b2.out).snapshot_id;

  // Churn: a snapshot whose forgotten half leaves packs partly used, so prune has to repack.
  const churn = path.join(work, 'churn');
  fs.mkdirSync(churn);
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(churn, `f${i}`), crypto.randomBytes(200_000));
  const c1 = lastJson<{ snapshot_id: string }>(cairn(repo, ['--json', 'backup', churn, '--tag', 'churn']).out).snapshot_id;
  for (let i = 0; i < 20; i++) fs.rmSync(path.join(churn, `f${i}`));
  const c2 = lastJson<{ snapshot_id: string }>(cairn(repo, ['--json', 'backup', churn, '--tag', 'churn']).out).snapshot_id;

  okRun('cairn tag --add on restic 0.12 snapshot', cairn(repo, ['tag', '--add', 'tagged-by-cairn', r012First]));

  // Copy from a restic 0.14 version 2 repository: its blobs are compressed and must land uncompressed.
  const v2 = path.join(work, 'v2-source');
  const src3 = path.join(work, 'src3');
  fs.mkdirSync(src3);
  fs.cpSync(path.join(src, 'odd'), path.join(src3, 'odd'), { recursive: true, verbatimSymlinks: true });
  fs.cpSync(path.join(src, 'dataset', 'documents'), path.join(src3, 'documents'), { recursive: true });
  okRun('restic-0.14 init --repository-version 2 (copy source)', r014(v2, ['init', '--repository-version', '2']));
  okRun('restic-0.14 backup into the v2 source', r014(v2, ['backup', src3, '--tag', 'from-v2']));
  okRun('cairn copy from the v2 repository', cairn(repo, ['copy', '--from-repo', v2], { CAIRN_FROM_PASSWORD: PASSWORD }));

  okRun('cairn forget (first churn snapshot)', cairn(repo, ['forget', c1]));
  const prune = cairn(repo, ['prune', '--max-unused', '0']);
  okRun('cairn prune --max-unused 0', prune);
  check('prune repacked partly used packs', /wrote [1-9]\d* new/.test(prune.out), prune.out.split('\n').filter((l) => /freed/.test(l)).join(''));
  okRun('cairn repair index', cairn(repo, ['repair', 'index']));
  okRun('cairn repair index --read-all-packs', cairn(repo, ['repair', 'index', '--read-all-packs']));
  await stillV1(repo);

  // restic 0.12 reads all of it.
  const chk = r012(repo, ['check', '--read-data']);
  okRun('restic-0.12 check --read-data', chk);
  check('restic 0.12 finds no errors', /no errors were found/.test(chk.out));
  const ours = snapshotsOf(cairn(repo, ['--json', 'snapshots'])).map((s) => s.id).sort();
  const theirs = snapshotsOf(r012(repo, ['snapshots', '--json'])).map((s) => s.id).sort();
  check(`restic 0.12 lists the same ${ours.length} snapshots as Cairn`, JSON.stringify(ours) === JSON.stringify(theirs), `${theirs}`);
  const tagged = snapshotsOf(r012(repo, ['snapshots', '--json', '--tag', 'tagged-by-cairn']));
  check('restic 0.12 sees the tag Cairn added', tagged.length === 1 && tagged[0].tags!.includes('by-restic-0.12'));
  const copied = snapshotsOf(r012(repo, ['snapshots', '--json', '--tag', 'from-v2']));
  check('restic 0.12 sees the copied snapshot', copied.length === 1);
  restoreAndCompare('restic-0.12', repo, tagged[0].id, src);
  restoreAndCompare('restic-0.12', repo, cairnSnap, src2);
  restoreAndCompare('restic-0.12', repo, c2, churn);
  restoreAndCompare('restic-0.12', repo, copied[0].id, src3);

  // restic 0.12 keeps working on it: Cairn's trees as a parent, its pack headers, its indexes.
  const again = r012(repo, ['backup', src2, '--parent', cairnSnap, '--json']);
  okRun("restic-0.12 backup with Cairn's snapshot as parent", again);
  const sum = lastJson<{ files_new: number; files_changed: number; files_unmodified: number }>(again.out);
  check('restic 0.12 reuses every file of Cairn\'s snapshot', sum.files_new === 0 && sum.files_changed === 0, JSON.stringify(sum));
  okRun('restic-0.12 rebuild-index --read-all-packs', r012(repo, ['rebuild-index', '--read-all-packs']));
  okRun('restic-0.12 forget (Cairn snapshot)', r012(repo, ['forget', cairnSnap]));
  okRun('restic-0.12 prune --max-unused 0', r012(repo, ['prune', '--max-unused', '0']));
  check('restic-0.12 check --read-data after its own prune', /no errors were found/.test(r012(repo, ['check', '--read-data']).out));
  check('cairn check --read-data after restic 0.12 prune', /no errors were found/.test(cairn(repo, ['check', '--read-data']).out));

  // A lock Cairn left behind (killed mid-backup) is a lock restic 0.12 reads and removes.
  const big = path.join(work, 'big');
  fs.mkdirSync(big);
  fs.writeFileSync(path.join(big, 'blob'), crypto.randomBytes(200 << 20));
  await killedCairnBackup(repo, big);
  const locks = lockFiles(repo);
  check('the killed Cairn left one lock', locks.length === 1, locks.join(' '));
  if (locks.length === 1) {
    const lock = r012(repo, ['cat', 'lock', locks[0]]);
    check('restic 0.12 parses Cairn\'s lock', lock.code === 0 && JSON.parse(lock.out).hostname !== undefined, lock.err);
    okRun('restic-0.12 unlock', r012(repo, ['unlock']));
    check('restic 0.12 removed the stale lock (its process is gone)', lockFiles(repo).length === 0);
  }
  const leftovers = fs.readdirSync(path.join(repo, 'locks')).filter((n) => !/^[0-9a-f]{64}$/.test(n));
  if (leftovers.length) console.log(`  note: temporary files the killed process left in locks/ (restic ignores them): ${leftovers.join(' ')}`);
  check('restic 0.12 check after the interrupted Cairn backup', /no errors were found/.test(r012(repo, ['check']).out));
  fs.rmSync(big, { recursive: true, force: true });

  await migrated(repo);
}

// --- C: after `cairn migrate upgrade_repo_v2` restic 0.12 refuses the repository ---

async function migrated(repoA: string): Promise<void> {
  console.log('\n== C: after cairn migrate upgrade_repo_v2, restic 0.12 refuses the repository ==');
  const repo = path.join(work, 'repo-migrated');
  fs.cpSync(repoA, repo, { recursive: true });
  const listed = cairn(repo, ['migrate']);
  check('cairn migrate lists upgrade_repo_v2', /upgrade_repo_v2/.test(listed.out));
  okRun('cairn migrate upgrade_repo_v2', cairn(repo, ['migrate', 'upgrade_repo_v2']));
  for (const args of [['snapshots'], ['check'], ['backup', path.join(work, 'churn')]]) {
    const r = r012(repo, args);
    check(`restic 0.12 ${args[0]} refuses the v2 repository with a clear error`, r.code !== 0 && /unsupported repository version/.test(r.err), r.err.trim());
  }
  const r14 = r014(repo, ['check', '--read-data']);
  check('restic 0.14 checks the migrated repository clean', r14.code === 0 && /no errors were found/.test(r14.out));
}

// --- B: a repository Cairn created as version 1; restic 0.12 reads it and writes into it ---

async function cairnMadeRepository(): Promise<void> {
  console.log('\n== B: cairn init --repository-version 1, restic 0.12 reads and writes it ==');
  const repo = path.join(work, 'repo-b');
  const src = path.join(work, 'src');
  const src2 = path.join(work, 'src2');
  okRun('cairn init --repository-version 1', cairn(repo, ['init', '--repository-version', '1']));
  check('restic 0.12 reads the config: version 1', JSON.parse(r012(repo, ['cat', 'config']).out).version === 1);
  const ours = lastJson<{ snapshot_id: string }>(cairn(repo, ['--json', 'backup', src]).out).snapshot_id;
  await stillV1(repo);
  check('restic-0.12 check --read-data', /no errors were found/.test(r012(repo, ['check', '--read-data']).out));
  restoreAndCompare('restic-0.12', repo, ours, src);
  const theirs = lastJson<{ snapshot_id: string }>(r012(repo, ['backup', src2, '--json']).out).snapshot_id;
  restoreAndCompare('cairn', repo, theirs, src2);
  const cd = changeLines(cairn(repo, ['diff', ours, theirs]).out);
  const rd = changeLines(r012(repo, ['diff', ours, theirs]).out);
  check(`cairn diff and restic 0.12 diff list the same ${cd.length} changes`, cd.length > 0 && JSON.stringify(cd) === JSON.stringify(rd));

  const pw2 = path.join(work, 'second-password');
  fs.writeFileSync(pw2, 'a second password\n', { mode: 0o600 });
  okRun('cairn key add', cairn(repo, ['key', 'add', '--new-password-file', pw2]));
  check('restic 0.12 opens the repository with the key Cairn added', r012(repo, ['snapshots'], { RESTIC_PASSWORD: 'a second password' }).code === 0);

  okRun('restic-0.12 forget --prune (Cairn snapshot)', r012(repo, ['forget', '--prune', ours]));
  check('cairn check --read-data after restic 0.12 prune', /no errors were found/.test(cairn(repo, ['check', '--read-data']).out));
  restoreAndCompare('cairn', repo, theirs, src2);

  // v1 into v1 with another chunker polynomial: Cairn copies B's snapshots into A.
  const a = path.join(work, 'repo-b-copy-target');
  okRun('restic-0.12 init (copy target)', r012(a, ['init']));
  okRun('cairn copy from the Cairn-made v1 repository', cairn(a, ['copy', '--from-repo', repo], { CAIRN_FROM_PASSWORD: PASSWORD }));
  await stillV1(a);
  check('restic-0.12 check --read-data of the copy target', /no errors were found/.test(r012(a, ['check', '--read-data']).out));
  restoreAndCompare('restic-0.12', a, snapshotsOf(r012(a, ['snapshots', '--json']))[0].id, src2);
}

try {
  console.log(`restic 0.12: ${spawnSync(R012, ['version'], { encoding: 'utf8' }).stdout.trim()}; work folder ${work}`);
  await resticMadeRepository();
  await cairnMadeRepository();
} catch (e) {
  failed++;
  console.log(`FAIL (stopped): ${(e as Error).stack}`);
} finally {
  if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
}
console.log(`\nrestic012: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
