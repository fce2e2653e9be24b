// File names that are not valid UTF-8 (legal on Linux file systems; common on disks that old
// Latin-1 systems wrote): backed up with their bytes, restored with their bytes, by Cairn and by
// restic in either direction. Node would otherwise read such names as U+FFFD and lose the files.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

const onLinux = process.platform === 'linux';
let work: string;
let src: string;

/** dir + '/' + raw name bytes, as a Buffer path node:fs accepts. */
const under = (dir: Buffer | string, name: Buffer | string) => Buffer.concat([Buffer.from(dir), Buffer.from('/'), Buffer.from(name)]);

/** Every entry below `root` by its raw relative path: type, and for files the SHA-256 of the content. */
function listBytes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: Buffer, rel: string) => {
    for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
      const p = under(dir, name);
      const r = rel + '/' + name.toString('hex');
      const st = fs.lstatSync(p);
      if (st.isDirectory()) {
        out.set(r, 'dir');
        walk(p, r);
      } else if (st.isSymbolicLink()) {
        out.set(r, 'link ' + fs.readlinkSync(p, { encoding: 'buffer' }).toString('hex'));
      } else {
        out.set(r, 'file ' + crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
      }
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

before(() => {
  work = tmpDir('raw-names');
  src = path.join(work, 'src');
  fs.mkdirSync(src);
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  fs.writeFileSync(under(src, latin1('caf\xe9.txt')), 'café in Latin-1\n');
  fs.writeFileSync(under(src, 'café.txt'), 'café in UTF-8, a different file\n');
  const dir = under(src, latin1('D\xfcsseldorf'));
  fs.mkdirSync(dir);
  fs.writeFileSync(under(dir, latin1('\xc4rger \xff.bin')), crypto.randomBytes(70_000));
  fs.writeFileSync(under(dir, 'plain.txt'), 'plain\n');
  // Bytes that spell a UTF-16 surrogate in UTF-8 form, a truncated sequence and an overlong slash.
  fs.writeFileSync(under(src, Buffer.of(0x73, 0xed, 0xb2, 0x80)), 'surrogate bytes\n');
  fs.writeFileSync(under(src, Buffer.of(0x74, 0xe2, 0x82)), 'truncated\n');
  fs.writeFileSync(under(src, Buffer.of(0x6f, 0xc0, 0xaf)), 'overlong\n');
  fs.symlinkSync('plain.txt', under(dir, latin1('link-\xe9')));
  fs.writeFileSync(path.join(src, 'ok.txt'), 'ordinary\n');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('Cairn backs up names that are not UTF-8 with their bytes; restic and Cairn restore them exactly', { skip: !onLinux && 'only Linux file systems take any bytes in a name' }, () => {
  const expected = listBytes(src);
  assert.equal(expected.size, 10);
  const repo = path.join(work, 'cairn-repo');
  cairnOk(['-r', repo, 'init']);
  const summary = JSON.parse(cairnOk(['-r', repo, 'backup', src, '--json']).trim().split('\n').at(-1)!);
  assert.equal(summary.files_new, 8);
  resticOk(repo, ['check', '--read-data']);

  const byRestic = path.join(work, 'restic-restore');
  resticOk(repo, ['restore', 'latest', '--target', byRestic]);
  assert.deepEqual(listBytes(path.join(byRestic, src)), expected);
  const byCairn = path.join(work, 'cairn-restore');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', byCairn]);
  assert.deepEqual(listBytes(path.join(byCairn, src)), expected);

  // The parent snapshot's names match the files again, so nothing is read twice.
  const again = JSON.parse(cairnOk(['-r', repo, 'backup', src, '--json']).trim().split('\n').at(-1)!);
  assert.equal(again.files_unmodified, 8);
  assert.equal(again.files_new + again.files_changed, 0);
});

test('Cairn restores what restic wrote for such names, and uses restic snapshot as the parent', { skip: !onLinux && 'only Linux file systems take any bytes in a name' }, () => {
  const expected = listBytes(src);
  const repo = path.join(work, 'restic-repo');
  resticOk(repo, ['init']);
  resticOk(repo, ['backup', src]);
  const target = path.join(work, 'from-restic');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(listBytes(path.join(target, src)), expected);

  const summary = JSON.parse(cairnOk(['-r', repo, 'backup', src, '--json']).trim().split('\n').at(-1)!);
  assert.equal(summary.files_unmodified, 8, JSON.stringify(summary));
  resticOk(repo, ['check', '--read-data']);
});
