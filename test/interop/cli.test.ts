// The CLI as a restic user meets it: keys, quiet output, pipes, dry runs, relative targets, bad
// flags. Each case here was once wrong; the expected behaviour is restic 0.14's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CAIRN_BIN, cairn, cairnOk, restic, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let repo: string;
let src: string;

before(() => {
  work = tmpDir('cli');
  repo = path.join(work, 'repo');
  src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'docs'), { recursive: true });
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(src, 'docs', `note-${i}.txt`), `note ${i}\n`);
  fs.writeFileSync(path.join(src, 'random.bin'), crypto.randomBytes(5 * 1024 * 1024));
  cairnOk(['-r', repo, 'init']);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | string | null>;

test('the summary reports what was stored, matching the repository growth', () => {
  const du = () => fs.readdirSync(path.join(repo, 'data'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  const before = du();
  const s = lastJson(cairnOk(['-r', repo, 'backup', src, '--json']));
  const grown = du() - before;
  assert.ok(Number(s.data_added_packed) > 5 * 1024 * 1024, `data_added_packed ${s.data_added_packed}`);
  assert.ok(Number(s.data_added_packed) <= grown && grown - Number(s.data_added_packed) < 64 * 1024, `packed ${s.data_added_packed} vs grown ${grown}`);
});

test('--dry-run reads and counts new data but writes nothing', () => {
  fs.writeFileSync(path.join(src, 'docs', 'new.txt'), 'brand new\n');
  const files = () => fs.readdirSync(repo, { recursive: true }).length;
  const n = files();
  const s = lastJson(cairnOk(['-r', repo, 'backup', src, '--dry-run', '--json']));
  assert.equal(s.data_blobs, 1);
  assert.ok(Number(s.data_added) >= 10);
  assert.equal(s.files_new, 1);
  assert.equal(files(), n, 'the repository is unchanged');
});

test('--dry-run estimates what the backup then stores, under --compression max too', () => {
  // Trees are what a dry run seals itself (data is sealed as a backup seals it): many folders.
  const more = path.join(work, 'folders');
  const own = path.join(work, 'estimate-repo');
  cairnOk(['-r', own, 'init']);
  for (let d = 0; d < 30; d++) {
    fs.mkdirSync(path.join(more, `folder-${d}`), { recursive: true });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(more, `folder-${d}`, `entry-${i}.txt`), `entry ${d}/${i}\n`.repeat(20));
  }
  // Given relative, the snapshot holds no folders above it: the temporary folder's own times
  // change between the two runs as tests beside this one write there.
  const estimate = lastJson(cairnOk(['-r', own, 'backup', 'folders', '--compression', 'max', '--dry-run', '--json'], { cwd: work }));
  const stored = lastJson(cairnOk(['-r', own, 'backup', 'folders', '--compression', 'max', '--json'], { cwd: work }));
  assert.ok(Number(stored.data_added_packed) > 0);
  assert.equal(estimate.data_added_packed, stored.data_added_packed);
  assert.equal(estimate.data_added, stored.data_added);
});

test('--quiet keeps results (tables) and drops chatter', () => {
  const out = cairnOk(['-r', repo, '-q', 'snapshots']);
  assert.match(out, /1 snapshots/);
  assert.match(cairnOk(['-r', repo, '-q', 'key', 'list']), /\*[0-9a-f]{8}/);
});

test('a closed pipe ends a listing quietly', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CAIRN_BIN}" -r "${repo}" ls latest | head -2`], { encoding: 'utf8', env: { ...process.env, CAIRN_PASSWORD: 'test-password' } });
  assert.equal(r.stdout.trim().split('\n').length, 2);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
});

test('key add and key passwd take the new password from a file or stdin, never the current one', () => {
  const pwFile = path.join(work, 'new-pw');
  fs.writeFileSync(pwFile, 'second password\n');
  cairnOk(['-r', repo, 'key', 'add', '--new-password-file', pwFile]);
  assert.match(resticOk(repo, ['snapshots'], { password: 'second password' }), /1 snapshots/);
  // key passwd for the second key, new password on stdin.
  const r = spawnSync(process.execPath, [CAIRN_BIN, '-r', repo, 'key', 'passwd'], { encoding: 'utf8', input: 'third password\n', env: { ...process.env, CAIRN_PASSWORD: 'second password' } });
  assert.equal(r.status, 0, r.stderr);
  assert.notEqual(restic(repo, ['snapshots'], { password: 'second password' }).code, 0, 'the old password no longer opens the repository');
  assert.match(resticOk(repo, ['snapshots'], { password: 'third password' }), /1 snapshots/);
  assert.match(resticOk(repo, ['snapshots']), /1 snapshots/, 'the first key is untouched');
  const empty = spawnSync(process.execPath, [CAIRN_BIN, '-r', repo, 'key', 'add'], { encoding: 'utf8', input: '', env: { ...process.env, CAIRN_PASSWORD: 'test-password' } });
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /no new password given/);
});

test('relative targets are placed in the tree as restic places them', () => {
  const r2 = path.join(work, 'rel-repo-restic'), r1 = path.join(work, 'rel-repo-cairn');
  cairnOk(['-r', r1, 'init']);
  resticOk(r2, ['init']);
  cairnOk(['-r', r1, 'backup', 'docs', '../src/random.bin'], { cwd: src });
  const rr = spawnSync('restic', ['-r', r2, 'backup', 'docs', '../src/random.bin'], { cwd: src, encoding: 'utf8', env: { ...process.env, RESTIC_PASSWORD: 'test-password' } });
  assert.equal(rr.status, 0, rr.stderr);
  const listing = (out: string) => out.split('\n').slice(1).filter(Boolean).join('\n');
  assert.equal(listing(cairnOk(['-r', r1, 'ls', 'latest'])), listing(resticOk(r2, ['ls', 'latest'])));
  const paths = (out: string) => (JSON.parse(out) as { paths: string[] }[])[0]!.paths;
  assert.deepEqual(paths(cairnOk(['-r', r1, 'snapshots', '--json'])), paths(resticOk(r2, ['snapshots', '--json'])));
});

test('"latest" that no snapshot matches says so, apart from a repository with no snapshot at all', () => {
  const empty = path.join(work, 'no-snapshots');
  cairnOk(['-r', empty, 'init']);
  const none = cairn(['-r', empty, 'ls', 'latest']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^Fatal: there is no snapshot yet: run "cairn backup" first\n$/);
  cairnOk(['-r', empty, 'backup', path.join(src, 'docs')]);
  const filtered = cairn(['-r', empty, 'ls', 'latest', '--host', 'no-such-host']);
  assert.equal(filtered.code, 1);
  assert.match(filtered.stderr, /^Fatal: the one snapshot does not match the --host, --tag and --path given: "cairn snapshots" lists them\n$/);
});

test('exclude options apply to the paths given too, as restic applies them; excluding them all is an error', () => {
  const dir = path.join(work, 'given');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'keep\n');
  fs.writeFileSync(path.join(dir, 'b.tmp'), 'junk\n');
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(2_000_000));
  const r1 = path.join(work, 'given-cairn'), r2 = path.join(work, 'given-restic');
  cairnOk(['-r', r1, 'init']);
  resticOk(r2, ['init']);
  const args = ['backup', 'given/a.txt', 'given/b.tmp', 'given/big.bin', '--exclude', '*.tmp', '--exclude-larger-than', '1M'];
  cairnOk(['-r', r1, ...args], { cwd: work });
  const rr = spawnSync('restic', ['-r', r2, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, RESTIC_PASSWORD: 'test-password' } });
  assert.equal(rr.status, 0, rr.stderr);
  const listing = (out: string) => out.split('\n').slice(1).filter(Boolean).join('\n');
  assert.equal(listing(cairnOk(['-r', r1, 'ls', 'latest'])), '/given\n/given/a.txt');
  assert.equal(listing(cairnOk(['-r', r1, 'ls', 'latest'])), listing(resticOk(r2, ['ls', 'latest'])));
  const paths = (out: string) => (JSON.parse(out) as { paths: string[] }[])[0]!.paths;
  assert.deepEqual(paths(cairnOk(['-r', r1, 'snapshots', '--json', 'latest'])), paths(resticOk(r2, ['snapshots', '--json', 'latest'])));
  const all = cairn(['-r', r1, 'backup', dir, '--exclude', 'given']);
  assert.equal(all.code, 1);
  assert.match(all.stderr, /^Fatal: nothing to back up: the exclude options exclude every path given \(.*given\)\n$/);
});

test('restore --include makes only the folders on the way to what matched, as restic does', () => {
  const dir = path.join(work, 'inc');
  for (const d of ['docs', 'empty', 'deep/x/y']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'docs/a.txt'), 'a\n');
  fs.writeFileSync(path.join(dir, 'deep/x/y/b.dat'), 'b\n');
  const r = path.join(work, 'inc-repo');
  cairnOk(['-r', r, 'init']);
  cairnOk(['-r', r, 'backup', dir]);
  const tree = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).sort();
  for (const pattern of ['*.txt', 'a.txt', path.join(dir, 'docs')]) {
    const mine = path.join(work, `inc-cairn-${tree(work).length}`), theirs = `${mine}-restic`;
    cairnOk(['-r', r, 'restore', 'latest', '--target', mine, '--include', pattern]);
    resticOk(r, ['restore', 'latest', '--target', theirs, '--include', pattern]);
    assert.deepEqual(tree(mine), tree(theirs), `--include ${pattern}`);
    assert.equal(fs.statSync(mine).mode & 0o777, fs.statSync(theirs).mode & 0o777, 'a new target gets the mode restic gives it');
    assert.ok(!fs.existsSync(path.join(mine, dir, 'empty')) && !fs.existsSync(path.join(mine, dir, 'deep')), `--include ${pattern}: no empty skeleton`);
  }
});

test('--exclude-if-present with a header: a tag file whose header differs is said, as restic says it, and nothing is excluded', () => {
  const dir = path.join(work, 'tagged');
  fs.mkdirSync(path.join(dir, 'cache'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cache', 'TAG'), 'Not the signature that the rule asks for, and longer than it.\n');
  fs.writeFileSync(path.join(dir, 'cache', 'data.bin'), 'data\n');
  const r = cairn(['-r', repo, 'backup', dir, '--exclude-if-present', 'TAG:Signature: 8a477f597d28d172789f06886806bc55']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^invalid signature in exclusion tagfile .*cache\/TAG$/m);
  assert.match(cairnOk(['-r', repo, 'ls', 'latest']), /cache\/data\.bin/);
});

test('a missing source is a warning and is left out of the snapshot paths', () => {
  const r = cairn(['-r', repo, 'backup', src, path.join(work, 'nope'), '--json']);
  assert.equal(r.code, 3);
  const snaps = JSON.parse(cairnOk(['-r', repo, 'snapshots', '--json', 'latest'])) as { paths: string[] }[];
  assert.deepEqual(snaps[0]!.paths, [src]);
});

test('bad flag values are refused before anything is touched', () => {
  assert.match(cairn(['-r', repo, 'backup', src, '--time', '2024-13-45 03:04:05']).stderr, /not a valid date/);
  assert.match(cairn(['-r', repo, 'backup', '--files-from', path.join(work, 'no-list')]).stderr, /no-list.*does not exist/);
  assert.match(cairn(['-r', repo, 'check', '--read-data-subset', '4/3'], { password: 'wrong' }).stderr, /read-data-subset/);
  assert.match(cairn(['-r', repo, '-p', '/dev/null', '--password-command', 'echo x', 'snapshots']).stderr, /cannot be used together/);
  const unknown = cairn(['-r', repo, 'snapshots', 'deadbeef']);
  assert.equal(unknown.code, 0);
  assert.match(unknown.stderr, /Ignoring "deadbeef"/);
});

test('a mistyped command or option is a short error with a suggestion, not the whole help', () => {
  const typo = cairn(['snapshot']);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /unknown command 'snapshot'[\s\S]*Did you mean snapshots\?/);
  assert.ok(typo.stderr.trim().split('\n').length <= 3, typo.stderr);
  const option = cairn(['backup', '--nope']);
  assert.equal(option.code, 1);
  assert.match(option.stderr, /unknown option '--nope'/);
  assert.ok(option.stderr.trim().split('\n').length <= 2, option.stderr);
});
