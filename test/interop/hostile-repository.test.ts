// A hostile repository (names with "/", "..", NUL, duplicate entries, symlinks planted where a later
// restore puts a directory) can never make restore write outside its target. Each snapshot here is
// built through the engine's own writer, so the repository is otherwise perfectly valid (restic's
// check accepts its structure); only the names are evil.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../../src-worker/backend/local.ts';
import { encodeSnapshot } from '../../src-worker/format/snapshot.ts';
import { encodeTree, type TreeNode } from '../../src-worker/format/tree.ts';
import { Repository } from '../../src-worker/repository/repository.ts';
import { cairn, cairnOk, tmpDir } from '../helpers/tools.ts';

const T0 = '2026-01-01T00:00:00Z';
const PASSWORD = 'test-password';

type Spec = { name: string; kind: 'file' } | { name: string; kind: 'symlink'; target: string } | { name: string; kind: 'dir'; children: Spec[] };

let work: string;
let repoPath: string;
let outside: string;

before(async () => {
  work = tmpDir('hostile');
  repoPath = path.join(work, 'repo');
  outside = path.join(work, 'outside');
  fs.mkdirSync(outside);
  await Repository.init(new LocalBackend(repoPath), PASSWORD, { kdf: { N: 1024, r: 8, p: 1 } });
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function node(name: string, type: TreeNode['type'], extra: Partial<TreeNode> = {}): TreeNode {
  return { name, type, mode: type === "dir" ? 0o755 + 0x80000000 : type === "symlink" ? 0o777 + 0x8000000 : 0o644, mtime: T0, atime: T0, ctime: T0, uid: 0, gid: 0, content: type === 'file' ? [] : null, ...extra };
}

/** Writes the spec's trees (children in the given order, unsorted on purpose) and a snapshot. */
async function makeSnapshot(spec: Spec[]): Promise<string> {
  const repo = await Repository.open(new LocalBackend(repoPath), PASSWORD);
  await repo.loadIndex();
  const writeTree = async (children: Spec[]): Promise<string> => {
    const nodes: TreeNode[] = [];
    for (const c of children) {
      if (c.kind === 'file') nodes.push(node(c.name, 'file', { size: 0, links: 1 }));
      else if (c.kind === 'symlink') nodes.push(node(c.name, 'symlink', { linktarget: c.target }));
      else nodes.push(node(c.name, 'dir', { subtree: await writeTree(c.children) }));
    }
    return (await repo.saveBlob('tree', encodeTree(nodes))).id;
  };
  const tree = await writeTree(spec);
  await repo.flush();
  const id = await repo.saveUnpacked('snapshots', encodeSnapshot({ time: T0, tree, paths: ['/evil'], hostname: 'evil' }));
  return id;
}

function assertNothingOutside(target: string): void {
  assert.deepEqual(fs.readdirSync(outside), [], 'nothing may appear in the outside directory');
  const siblings = fs.readdirSync(work).sort();
  assert.deepEqual(siblings.filter((n) => !['repo', 'outside'].includes(n) && !n.startsWith('target')), [], `unexpected files next to the target: ${siblings}`);
  if (fs.existsSync(target)) assert.equal(fs.lstatSync(target).isDirectory(), true);
}

const refusals: [string, Spec[]][] = [
  ['a name that climbs out with ".."', [{ name: '../escaped', kind: 'file' }]],
  ['the name ".." itself', [{ name: '..', kind: 'dir', children: [{ name: 'escaped', kind: 'file' }] }]],
  ['a name containing "/"', [{ name: 'a/../../escaped', kind: 'file' }]],
  ['an absolute name', [{ name: '/tmp/escaped', kind: 'file' }]],
  ['a name containing NUL', [{ name: 'a\u0000b', kind: 'file' }]],
  ['an empty name', [{ name: '', kind: 'file' }]],
  ['a symlink and a directory of the same name', [
    { name: 'link', kind: 'symlink', target: '/nonexistent' },
    { name: 'link', kind: 'dir', children: [{ name: 'pwned', kind: 'file' }] },
  ]],
];

for (const [label, spec] of refusals) {
  test(`restore refuses ${label}, with a clear error and nothing written outside`, async () => {
    if (label.includes('same name')) (spec[0] as { target: string }).target = outside;
    const id = await makeSnapshot(spec);
    const target = path.join(work, `target-${Math.random().toString(36).slice(2)}`);
    const r = cairn(['-r', repoPath, 'restore', id, '--target', target]);
    assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, /unsafe|hostile|refus/i);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one-line error, got: ${r.stderr}`);
    assertNothingOutside(target);
  });
}

test('a symlink restored earlier is never followed by a later restore into the same target', async () => {
  const first = await makeSnapshot([{ name: 'd', kind: 'symlink', target: outside }]);
  const second = await makeSnapshot([{ name: 'd', kind: 'dir', children: [{ name: 'pwned', kind: 'file' }] }]);
  const target = path.join(work, 'target-symlink');
  cairnOk(['-r', repoPath, 'restore', first, '--target', target]);
  assert.equal(fs.readlinkSync(path.join(target, 'd')), outside, 'the symlink itself is data and is restored as is');
  for (const overwrite of ['never', 'always', 'if-changed']) {
    const r = cairn(['-r', repoPath, 'restore', second, '--target', target, '--overwrite', overwrite]);
    assert.notEqual(r.code, 0, `--overwrite ${overwrite} must fail`);
    assert.deepEqual(fs.readdirSync(outside), [], `--overwrite ${overwrite} wrote through the symlink`);
  }
});

test('an ordinary snapshot in the same repository still restores normally', async () => {
  // A sanity check that ordinary restores still work in this repository.
  const ok = await makeSnapshot([{ name: 'fine', kind: 'dir', children: [{ name: 'file.txt', kind: 'file' }] }]);
  const target = path.join(work, 'target-ok');
  cairnOk(['-r', repoPath, 'restore', ok, '--target', target]);
  assert.equal(fs.statSync(path.join(target, 'fine', 'file.txt')).size, 0);
  assertNothingOutside(target);
});
