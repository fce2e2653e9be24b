// Bad input and damaged repositories: each gets one clear line that names the thing and what to do,
// a non-zero exit, and leaves the repository as it was.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeOddTree } from '../helpers/odd-files.ts';
import { CAIRN_BIN, cairn, cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;
let repo: string;

before(() => {
  work = tmpDir('faults');
  src = path.join(work, 'src');
  makeOddTree(src);
  fs.writeFileSync(path.join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  repo = path.join(work, 'repo');
  cairnOk(['-r', repo, 'init']);
  cairnOk(['-r', repo, 'backup', src]);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function oneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code 1 expected; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

/** Copies the repository so each damage test starts from a good one. */
function damagedCopy(name: string): string {
  const copy = path.join(work, name);
  fs.cpSync(repo, copy, { recursive: true });
  return copy;
}

function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('an empty password file is named as empty, not as a wrong password', () => {
  const empty = path.join(work, 'empty-password');
  fs.writeFileSync(empty, '\n');
  oneLineError(cairn(['-r', repo, 'snapshots', '--password-file', empty], { password: null }), /^Fatal: the password given is empty, and no repository has an empty password: check CAIRN_PASSWORD/);
});

test('a wrong password is named as such', () => {
  oneLineError(cairn(['-r', repo, 'snapshots'], { password: 'not-the-password' }), /wrong password or no key found/);
});

test('a folder that is not a repository says so and suggests init', () => {
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty);
  oneLineError(cairn(['-r', empty, 'snapshots']), new RegExp(`${empty}.*init`));
  oneLineError(cairn(['-r', path.join(work, 'missing'), 'snapshots']), /init/);
});

test('init refuses to overwrite an existing repository', () => {
  oneLineError(cairn(['-r', repo, 'init']), /already/);
});

test('no repository given, and no password given without a terminal, are clear errors', () => {
  oneLineError(cairn(['snapshots']), /repository/i);
  oneLineError(cairn(['-r', repo, 'snapshots'], { password: null }), /no password given .*first line is empty.*CAIRN_PASSWORD/i);
});

test('a password piped on stdin is read as restic reads it: the first line, for init and for opening', () => {
  const piped = path.join(path.dirname(repo), 'piped-repo');
  cairnOk(['-r', piped, 'init'], { password: null, input: 'piped secret\npiped secret\n' });
  assert.match(cairnOk(['-r', piped, 'snapshots'], { password: null, input: 'piped secret\n' }), /0 snapshots/);
  oneLineError(cairn(['-r', piped, 'snapshots'], { password: null, input: 'another\n' }), /wrong password/);
  // restic reads the same password from its stdin.
  const r = spawnSync('restic', ['-r', piped, '--no-cache', 'snapshots'], { input: 'piped secret\n', encoding: 'utf8', env: { ...process.env, RESTIC_PASSWORD: '' } });
  assert.equal(r.status, 0, r.stderr);
  // stdin that carries the list of files cannot carry the password too.
  oneLineError(cairn(['-r', piped, 'backup', '--files-from', '-'], { password: null, input: `${repo}\n` }), /stdin is read for the list of files/);
});

test('a password is never taken from the command line', () => {
  const r = cairn(['-r', repo, '--password', 'x', 'snapshots']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown option/);
});

test('an unsupported repository version is refused by name', async () => {
  const copy = damagedCopy('future');
  const { LocalBackend } = await import('../../src-worker/backend/local.ts');
  const { Repository } = await import('../../src-worker/repository/repository.ts');
  const { seal } = await import('../../src-worker/format/crypto.ts');
  const r = await Repository.open(new LocalBackend(copy), 'test-password');
  const config = { version: 3, id: r.config.id, chunker_polynomial: r.config.chunkerPolynomial.toString(16) };
  const file = path.join(copy, 'config');
  fs.chmodSync(file, 0o600);
  fs.writeFileSync(file, seal(r.key, Buffer.from(JSON.stringify(config))));
  oneLineError(cairn(['-r', copy, 'snapshots']), /version 3/);
});

test('a damaged data pack is named by check and by restore, and nothing else is touched', () => {
  const copy = damagedCopy('bad-pack');
  const packs = filesIn(path.join(copy, 'data')).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const victim = packs[0]!;
  fs.chmodSync(victim, 0o600);
  const fd = fs.openSync(victim, 'r+');
  fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 100);
  fs.closeSync(fd);
  const before = filesIn(copy).sort();
  const check = cairn(['-r', copy, 'check', '--read-data']);
  assert.equal(check.code, 1);
  assert.match(check.stdout + check.stderr, new RegExp(path.basename(victim).slice(0, 8)));
  const target = path.join(work, 'bad-pack-restore');
  const r = cairn(['-r', copy, 'restore', 'latest', '--target', target]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /damaged|corrupt|failed authentication/i);
  assert.match(r.stderr, /check/);
  assert.deepEqual(filesIn(copy).sort(), before, 'check and restore must not change the repository');
});

test('a truncated index file is named, with check suggested', () => {
  const copy = damagedCopy('bad-index');
  const index = filesIn(path.join(copy, 'index'))[0]!;
  fs.chmodSync(index, 0o600);
  fs.truncateSync(index, 40);
  const r = cairn(['-r', copy, '--no-cache', 'ls', 'latest']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`index ${path.basename(index).slice(0, 8)}`));
  assert.match(r.stderr, /check/);
});

test('a garbled snapshot file is named', () => {
  const copy = damagedCopy('bad-snapshot');
  const snap = filesIn(path.join(copy, 'snapshots'))[0]!;
  fs.chmodSync(snap, 0o600);
  fs.writeFileSync(snap, 'garbage');
  const r = cairn(['-r', copy, '--no-cache', 'restore', 'latest', '--target', path.join(work, 'x')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(path.basename(snap).slice(0, 8)));
});

test('a source path that does not exist is an error; a missing one among others is a warning (exit 3)', () => {
  oneLineError(cairn(['-r', repo, 'backup', path.join(work, 'no-such-folder')]), /no-such-folder.*not exist/);
  const r = cairn(['-r', repo, 'backup', src, path.join(work, 'also-missing')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /also-missing/);
});

test('a file that cannot be read is named as a warning, the snapshot is made, and the exit code is 3', () => {
  // Run as an unprivileged user so that permissions apply (the tests may run as root).
  const nobody = 65534;
  const area = path.join(work, 'as-nobody');
  fs.mkdirSync(path.join(area, 'src'), { recursive: true });
  fs.writeFileSync(path.join(area, 'src', 'readable.txt'), 'fine\n');
  fs.writeFileSync(path.join(area, 'src', 'secret.txt'), 'hidden\n');
  fs.chmodSync(path.join(area, 'src', 'secret.txt'), 0o000);
  fs.chownSync(area, nobody, nobody);
  fs.chownSync(path.join(area, 'src'), nobody, nobody);
  fs.chownSync(path.join(area, 'src', 'readable.txt'), nobody, nobody);
  fs.chmodSync(work, 0o755);
  const env = { ...process.env, CAIRN_PASSWORD: 'pw', HOME: area, XDG_CACHE_HOME: path.join(area, 'cache') };
  const run = (args: string[]) => spawnSync(process.execPath, [CAIRN_BIN, ...args], { encoding: 'utf8', env, uid: process.getuid?.() === 0 ? nobody : undefined, gid: process.getuid?.() === 0 ? nobody : undefined });
  const init = run(['-r', path.join(area, 'repo'), 'init']);
  assert.equal(init.status, 0, init.stderr);
  const r = run(['-r', path.join(area, 'repo'), 'backup', path.join(area, 'src')]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /secret\.txt/);
  const snaps = JSON.parse(run(['-r', path.join(area, 'repo'), 'snapshots', '--json']).stdout) as unknown[];
  assert.equal(snaps.length, 1);
  assert.match(resticOk(path.join(area, 'repo'), ['check'], { password: 'pw' }), /no errors were found/);
});

test('a backup into a repository it may not write to is one clear error naming the repository, and nothing is changed', () => {
  const nobody = 65534;
  const asRoot = process.getuid?.() === 0;
  const area = path.join(work, 'read-only');
  fs.mkdirSync(path.join(area, 'src'), { recursive: true });
  fs.writeFileSync(path.join(area, 'src', 'a.txt'), 'a\n');
  for (const p of [area, path.join(area, 'src'), path.join(area, 'src', 'a.txt')]) if (asRoot) fs.chownSync(p, nobody, nobody);
  fs.chmodSync(work, 0o755);
  const env = { ...process.env, CAIRN_PASSWORD: 'pw', HOME: area, XDG_CACHE_HOME: path.join(area, 'cache') };
  const run = (args: string[]) => spawnSync(process.execPath, [CAIRN_BIN, ...args], { encoding: 'utf8', env, uid: asRoot ? nobody : undefined, gid: asRoot ? nobody : undefined });
  const ro = path.join(area, 'repo');
  assert.equal(run(['-r', ro, 'init']).status, 0);
  const dirs = [ro, ...fs.readdirSync(ro, { recursive: true }).map((p) => path.join(ro, p as string)).filter((p) => fs.statSync(p).isDirectory())];
  for (const d of dirs) fs.chmodSync(d, 0o555);
  try {
    const r = run(['-r', ro, 'backup', path.join(area, 'src')]);
    oneLineError({ code: r.status ?? -1, stderr: r.stderr }, /permission denied for .*read-only\/repo: check its owner and permissions/);
    assert.doesNotMatch(r.stderr, /unexpected error/);
  } finally {
    for (const d of dirs) fs.chmodSync(d, 0o755);
  }
  assert.match(resticOk(ro, ['check'], { password: 'pw' }), /no errors were found/);
  assert.equal(fs.readdirSync(path.join(ro, 'snapshots')).length, 0);
});

test('a folder that cannot be listed is named as a warning and left out of the snapshot, as restic leaves it out (exit 3)', () => {
  const nobody = 65534;
  const asRoot = process.getuid?.() === 0;
  const area = path.join(work, 'closed-folder');
  fs.mkdirSync(path.join(area, 'src', 'closed'), { recursive: true });
  fs.writeFileSync(path.join(area, 'src', 'open.txt'), 'open\n');
  fs.writeFileSync(path.join(area, 'src', 'closed', 'inside.txt'), 'inside\n');
  for (const p of [area, path.join(area, 'src'), path.join(area, 'src', 'open.txt')]) if (asRoot) fs.chownSync(p, nobody, nobody);
  fs.chmodSync(path.join(area, 'src', 'closed'), 0o000); // owned by root (or by us: mode 000 still refuses a listing)
  fs.chmodSync(work, 0o755);
  const env = { ...process.env, CAIRN_PASSWORD: 'pw', RESTIC_PASSWORD: 'pw', HOME: area, XDG_CACHE_HOME: path.join(area, 'cache') };
  const as = { encoding: 'utf8' as const, env, uid: asRoot ? nobody : undefined, gid: asRoot ? nobody : undefined };
  const repoDir = path.join(area, 'repo');
  try {
    assert.equal(spawnSync(process.execPath, [CAIRN_BIN, '-r', repoDir, 'init'], as).status, 0);
    const r = spawnSync(process.execPath, [CAIRN_BIN, '-r', repoDir, 'backup', path.join(area, 'src')], as);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /src\/closed/);
    const rr = spawnSync('restic', ['-r', repoDir, '--no-cache', 'backup', path.join(area, 'src')], as);
    assert.equal(rr.status, 3, rr.stderr);
    const listing = (out: string) => out.split('\n').slice(1).filter(Boolean).sort().join('\n');
    const snaps = JSON.parse(spawnSync(process.execPath, [CAIRN_BIN, '-r', repoDir, 'snapshots', '--json'], as).stdout) as { id: string }[];
    const cairnList = spawnSync(process.execPath, [CAIRN_BIN, '-r', repoDir, 'ls', snaps[0]!.id], as).stdout;
    const resticList = spawnSync('restic', ['-r', repoDir, '--no-cache', 'ls', snaps[1]!.id], as).stdout;
    assert.doesNotMatch(cairnList, /\/src\/closed$/m);
    assert.equal(listing(cairnList), listing(resticList));
  } finally {
    fs.chmodSync(path.join(area, 'src', 'closed'), 0o755);
  }
});

test('--no-lock, as restic\'s, lets restore, check, ls, find, stats, diff and cat read a read-only repository; a backup still locks', () => {
  const nobody = 65534;
  const asRoot = process.getuid?.() === 0;
  const area = path.join(work, 'no-lock');
  fs.mkdirSync(path.join(area, 'src', 'docs'), { recursive: true });
  fs.writeFileSync(path.join(area, 'src', 'docs', 'a.txt'), 'a\n');
  fs.chmodSync(work, 0o755);
  const ro = path.join(area, 'repo');
  const env = { ...process.env, CAIRN_PASSWORD: 'pw', HOME: area, XDG_CACHE_HOME: path.join(area, 'cache') };
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CAIRN_BIN, ...args], { encoding: 'utf8', env, uid: asRoot ? nobody : undefined, gid: asRoot ? nobody : undefined });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  for (const p of [area, path.join(area, 'src'), path.join(area, 'src', 'docs'), path.join(area, 'src', 'docs', 'a.txt')]) if (asRoot) fs.chownSync(p, nobody, nobody);
  assert.equal(run(['-r', ro, 'init']).code, 0);
  assert.equal(run(['-r', ro, 'backup', path.join(area, 'src')]).code, 0);
  const dirs = [ro, ...fs.readdirSync(ro, { recursive: true }).map((p) => path.join(ro, p as string)).filter((p) => fs.statSync(p).isDirectory())];
  for (const d of dirs) fs.chmodSync(d, 0o555);
  try {
    oneLineError(run(['-r', ro, 'restore', 'latest', '--target', path.join(area, 'out-locked')]), /permission denied for locks\//);
    const restored = run(['-r', ro, '--no-lock', 'restore', 'latest', '--target', path.join(area, 'out')]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(fs.readFileSync(path.join(area, 'out', area, 'src', 'docs', 'a.txt'), 'utf8'), 'a\n');
    for (const args of [['check', '--read-data'], ['ls', 'latest'], ['find', 'a.txt'], ['stats'], ['diff', 'latest', 'latest'], ['cat', 'config']]) {
      const r = run(['-r', ro, '--no-lock', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    oneLineError(run(['-r', ro, '--no-lock', 'backup', path.join(area, 'src')]), /permission denied for /);
  } finally {
    for (const d of dirs) fs.chmodSync(d, 0o755);
  }
});
