// File system edge cases that need real mounts (tmpfs, so root): a repository disk that fills up,
// and --one-file-system at a mount point. Skipped, with the reason, when not run as root; CI is.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairn, cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
let work: string;

function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
}

before(() => { work = tmpDir('fs'); });
after(() => {
  for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('a full repository disk is one clear error, and the repository stays valid', { skip: !isRoot && 'mounting a small tmpfs needs root' }, () => {
  const disk = path.join(work, 'small-disk');
  mountTmpfs(disk, '24m');
  const repo = path.join(disk, 'repo');
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  cairnOk(['-r', repo, 'init']);
  fs.writeFileSync(path.join(src, 'small.txt'), 'fits\n');
  cairnOk(['-r', repo, 'backup', src]);
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(src, `big-${i}.bin`), crypto.randomBytes(8 << 20));
  const r = cairn(['-r', repo, 'backup', src]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no space left on the device holding/);
  assert.match(resticOk(repo, ['check']), /no errors were found/);
  assert.equal(fs.readdirSync(path.join(repo, 'locks')).length, 0, 'the failed backup removed its lock');
  assert.equal((JSON.parse(cairnOk(['-r', repo, 'snapshots', '--json'])) as unknown[]).length, 1, 'the earlier snapshot is intact');
});

test('--one-file-system keeps a mount point as an empty directory, as restic does', { skip: !isRoot && 'mounting a tmpfs needs root' }, () => {
  const src = path.join(work, 'tree');
  fs.mkdirSync(path.join(src, 'dir'), { recursive: true });
  fs.writeFileSync(path.join(src, 'dir', 'here.txt'), 'same file system\n');
  mountTmpfs(path.join(src, 'mnt'), '4m');
  fs.writeFileSync(path.join(src, 'mnt', 'elsewhere.txt'), 'other file system\n');
  const ours = path.join(work, 'x-cairn'), theirs = path.join(work, 'x-restic');
  cairnOk(['-r', ours, 'init']);
  resticOk(theirs, ['init']);
  cairnOk(['-r', ours, 'backup', '-x', src]);
  resticOk(theirs, ['backup', '-x', src]);
  const listing = (out: string) => out.trim().split('\n').slice(1).join('\n');
  const mine = listing(cairnOk(['-r', ours, 'ls', 'latest']));
  assert.equal(mine, listing(resticOk(theirs, ['ls', 'latest'])));
  assert.match(mine, /\/mnt$/m);
  assert.doesNotMatch(mine, /elsewhere/);
});
