// Extended attributes (user.* tags here; ACLs and labels travel the same way) are recorded as
// restic records them and set again on restore, by Cairn and by restic, in either direction.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

interface Xattr {
  listAttributesSync(p: string): string[];
  getAttributeSync(p: string, name: string): Buffer | null;
  setAttributeSync(p: string, name: string, value: Uint8Array | string): void;
}
let xattr: Xattr | null = null;
try { xattr = createRequire(import.meta.url)('@napi-rs/xattr') as Xattr; } catch { /* no binary for this platform */ }

let work: string;
let src: string;
let skip: string | false = false;

/** name -> value (hex) of every user.* attribute, for each entry below root. */
function attributes(root: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const rel of ['.', ...(fs.readdirSync(root, { recursive: true }) as string[])].sort()) {
    const p = path.join(root, rel);
    if (fs.lstatSync(p).isSymbolicLink()) continue;
    const attrs: Record<string, string> = {};
    for (const name of xattr!.listAttributesSync(p).filter((n) => n.startsWith('user.'))) attrs[name] = xattr!.getAttributeSync(p, name)!.toString('hex');
    out[rel] = attrs;
  }
  return out;
}

/** The extended_attributes of each node in the snapshot's tree at `dir`, as stored. */
function storedAttributes(repo: string, dir: string): Record<string, unknown> {
  const tree = JSON.parse(cairnOk(['-r', repo, 'cat', 'tree', `latest:${dir}`])) as { nodes: { name: string; extended_attributes?: unknown }[] };
  return Object.fromEntries(tree.nodes.map((n) => [n.name, n.extended_attributes ?? null]));
}

before(() => {
  work = tmpDir('xattrs');
  src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'folder'), { recursive: true });
  fs.writeFileSync(path.join(src, 'tagged.txt'), 'a file with tags\n');
  fs.writeFileSync(path.join(src, 'plain.txt'), 'no attributes\n');
  fs.writeFileSync(path.join(src, 'folder', 'read-only.txt'), 'read only, with an attribute\n');
  fs.symlinkSync('tagged.txt', path.join(src, 'link'));
  if (!xattr) { skip = '@napi-rs/xattr has no binary for this platform'; return; }
  try {
    xattr.setAttributeSync(path.join(src, 'tagged.txt'), 'user.color', Buffer.from([0x72, 0x65, 0x64, 0x00, 0xff]));
  } catch {
    skip = 'this file system does not take user extended attributes';
    return;
  }
  xattr.setAttributeSync(path.join(src, 'tagged.txt'), 'user.empty', Buffer.alloc(0));
  xattr.setAttributeSync(path.join(src, 'tagged.txt'), 'user.xdg.comment', 'a comment');
  xattr.setAttributeSync(path.join(src, 'folder'), 'user.project', 'cairn');
  xattr.setAttributeSync(path.join(src, 'folder', 'read-only.txt'), 'user.kept', 'yes');
  fs.chmodSync(path.join(src, 'folder', 'read-only.txt'), 0o444);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('Cairn records extended attributes as restic does, and both restore them from its snapshot', (t) => {
  if (skip) return t.skip(skip);
  const expected = attributes(src);
  assert.equal(Object.keys(expected['tagged.txt']!).length, 3);
  const cairnRepo = path.join(work, 'cairn-repo');
  const resticRepo = path.join(work, 'restic-repo');
  cairnOk(['-r', cairnRepo, 'init']);
  cairnOk(['-r', cairnRepo, 'backup', src]);
  resticOk(resticRepo, ['init']);
  resticOk(resticRepo, ['backup', src]);
  // Stored the same way: names in the system's order, values base64, none for symlinks.
  for (const dir of [src, path.join(src, 'folder')]) assert.deepEqual(storedAttributes(cairnRepo, dir), storedAttributes(resticRepo, dir), dir);
  // A later backup that reads no file again (all unchanged) still records them.
  cairnOk(['-r', cairnRepo, 'backup', src]);
  for (const dir of [src, path.join(src, 'folder')]) assert.deepEqual(storedAttributes(cairnRepo, dir), storedAttributes(resticRepo, dir), `${dir}, unchanged`);

  const byRestic = path.join(work, 'restic-restore');
  resticOk(cairnRepo, ['restore', 'latest', '--target', byRestic]);
  assert.deepEqual(attributes(path.join(byRestic, src)), expected);
  const byCairn = path.join(work, 'cairn-restore');
  cairnOk(['-r', cairnRepo, 'restore', 'latest', '--target', byCairn]);
  assert.deepEqual(attributes(path.join(byCairn, src)), expected);
  assert.equal(fs.statSync(path.join(byCairn, src, 'folder', 'read-only.txt')).mode & 0o777, 0o444);
});

test('Cairn restores the extended attributes restic recorded', (t) => {
  if (skip) return t.skip(skip);
  const repo = path.join(work, 'restic-repo-2');
  resticOk(repo, ['init']);
  resticOk(repo, ['backup', src]);
  const target = path.join(work, 'from-restic');
  cairnOk(['-r', repo, 'restore', 'latest', '--target', target]);
  assert.deepEqual(attributes(path.join(target, src)), attributes(src));
});
