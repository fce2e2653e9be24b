// A source tree with the awkward cases backup and restore must get right: unicode and odd names,
// empty files and directories, relative and absolute symlinks, hard links, a sparse file, a file
// over 8 MiB, a file of exactly 512 KiB, a FIFO, unusual modes and old timestamps.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function makeOddTree(root: string, seed = 1): void {
  const rnd = (n: number, label: string) => {
    const key = crypto.createHash('sha256').update(`${seed}:${label}`).digest().subarray(0, 16);
    return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
  };
  const w = (rel: string, data: string | Buffer) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    return p;
  };
  fs.mkdirSync(root, { recursive: true });
  w('plain.txt', 'hello cairn\n');
  w('unicode/Grüße – 日本語 ✓.txt', 'unicode name\n');
  w('unicode/emoji 🎉 file', 'party\n');
  w('names/with spaces and  double', 'spaces\n');
  w('names/quote"and\\backslash', 'quote\n');
  w('names/<angle>&amp', 'html-ish\n');
  w('names/tab\tnewline', 'tab\n');
  w('names/-leading-dash', 'dash\n');
  w('names/.hidden', 'hidden\n');
  w('empty-file', '');
  fs.mkdirSync(path.join(root, 'empty-dir'), { recursive: true });
  fs.mkdirSync(path.join(root, 'deep/a/b/c/d/e/f'), { recursive: true });
  w('deep/a/b/c/d/e/f/leaf', 'deep\n');
  w('sizes/exactly-512KiB', rnd(512 * 1024, '512k'));
  w('sizes/one-byte-over-512KiB', rnd(512 * 1024 + 1, '512k+1'));
  w('sizes/over-8MiB', rnd(9 * 1024 * 1024 + 123, '9m'));
  w('sizes/zeros-3MiB', Buffer.alloc(3 * 1024 * 1024));
  // Sparse: a hole in the middle.
  const sparse = path.join(root, 'sizes/sparse');
  const fd = fs.openSync(sparse, 'w');
  fs.writeSync(fd, rnd(4096, 'sparse-head'), 0, 4096, 0);
  fs.writeSync(fd, rnd(4096, 'sparse-tail'), 0, 4096, 6 * 1024 * 1024);
  fs.closeSync(fd);
  fs.symlinkSync('plain.txt', path.join(root, 'link-relative'));
  fs.symlinkSync('/etc/hostname', path.join(root, 'link-absolute'));
  fs.symlinkSync('does-not-exist', path.join(root, 'link-dangling'));
  fs.linkSync(path.join(root, 'plain.txt'), path.join(root, 'hardlink-to-plain'));
  w('modes/executable', '#!/bin/sh\necho hi\n');
  fs.chmodSync(path.join(root, 'modes/executable'), 0o755);
  w('modes/private', 'secret\n');
  fs.chmodSync(path.join(root, 'modes/private'), 0o600);
  fs.mkdirSync(path.join(root, 'modes/sticky-dir'));
  fs.chmodSync(path.join(root, 'modes/sticky-dir'), 0o1777);
  w('times/old', 'from 1999\n');
  fs.utimesSync(path.join(root, 'times/old'), 946684799.5, 915148800.123456);
  try {
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
  } catch { /* no mkfifo on this system */ }
}
