// Snapshots and tree nodes as older restic versions wrote them, built from a version 1 repository
// restic 0.14 wrote (test/helpers/old-trees.ts): snapshots without the fields newer versions add,
// nodes without inode/device_id/links/uid/gid/user/group/mode/ctime/atime, empty files with
// `content: null` or no content at all, directories with nothing but name, type, mtime and subtree,
// and extended attributes. Cairn lists and restores them as restic 0.14 does (contents, modes,
// mtimes, owners, hard links), and a backup with such a snapshot as parent rereads what it must.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { bothCheckClean, copyRepo, makeOldBase, type OldBase } from '../helpers/old-restic-fixture.ts';
import { rewriteSnapshot, without, type RawNode } from '../helpers/old-trees.ts';
import { changeLines, json, lastJson, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairn, cairnOk, restic, resticOk } from '../helpers/tools.ts';

let base: OldBase;

before(async () => {
  base = await makeOldBase();
});
after(() => fs.rmSync(base.work, { recursive: true, force: true }));

/** Fields restic 0.1 did not write yet, or that a node may lack; taken out node by node below. */
const OWNER = ['uid', 'gid', 'user', 'group'];
const IDENTITY = ['inode', 'device_id', 'links'];
const TIMES = ['ctime', 'atime'];

let emptyFiles = 0;
function oldNode(node: RawNode, dir: string): RawNode {
  without(node, ['device_id']); // restic before 0.8 did not record the device
  if (node.type === 'file' && (node.content as unknown[] | null)?.length === 0) {
    // Empty files: restic before 0.9 wrote `"content": null`; a node may also lack it.
    if (emptyFiles++ % 2 === 0) node.content = null;
    else delete node.content;
  }
  if (dir.endsWith('/odd/names')) without(node, [...OWNER, ...IDENTITY, ...TIMES]);
  if (dir.endsWith('/odd/deep/a/b') && node.type === 'dir') {
    for (const k of Object.keys(node)) if (!['name', 'type', 'mtime', 'subtree'].includes(k)) delete node[k];
  }
  if (dir.endsWith('/odd/modes') && node.name === 'private') without(node, ['mode']);
  if (dir.endsWith('/odd/unicode')) {
    node.extended_attributes = [{ name: 'user.restic-old', value: Buffer.from('written by an old restic').toString('base64') }];
  }
  return node;
}

function oldSnapshot(sn: Record<string, unknown>): void {
  without(sn, ['program_version', 'summary', 'original', 'tags', 'hostname', 'username', 'uid', 'gid', 'excludes']);
}

/** Owner and group of every entry under a folder, as "path uid:gid". */
function owners(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(root, r));
      out.push(`${r} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

test('snapshots and nodes missing the fields newer restic versions add: listed and restored as restic 0.14 does, and usable as a backup parent', async () => {
  const repo = copyRepo(base, 'old-nodes');
  const snap = await rewriteSnapshot(repo, base.snaps[0]!, oldNode, oldSnapshot);
  assert.ok(emptyFiles >= 2, 'the source has empty files to rewrite');

  // restic 0.14's check calls a file node without a blob list an error, though restore copes with
  // it: Cairn reaches the same verdict and names the same files.
  const nilLists = (text: string) => [...text.matchAll(/file "([^"]+)" has nil blob list/g)].map((m) => m[1]).sort();
  const resticCheck = restic(repo, ['check', '--read-data']);
  const cairnCheck = cairn(['-r', repo, 'check', '--read-data']);
  assert.equal(resticCheck.code, 1);
  assert.equal(cairnCheck.code, 1, cairnCheck.stderr);
  assert.deepEqual(nilLists(resticCheck.stderr + resticCheck.stdout), ['empty-file', 'empty-too'], 'null and absent alike');
  assert.deepEqual(nilLists(cairnCheck.stderr + cairnCheck.stdout), nilLists(resticCheck.stderr + resticCheck.stdout));

  // The snapshot and the listing: the same JSON from both tools.
  const listed = (text: string) => json<Record<string, unknown>[]>(text).find((s) => s.id === snap);
  const ours = listed(cairnOk(['-r', repo, 'snapshots', '--json']));
  assert.deepEqual(ours, listed(resticOk(repo, ['snapshots', '--json'])));
  assert.equal(ours!.hostname, undefined);
  const lsJson = (text: string) => text.trim().split('\n').map((l) => json<Record<string, unknown>>(l));
  assert.deepEqual(lsJson(cairnOk(['-r', repo, 'ls', '--json', snap])), lsJson(resticOk(repo, ['ls', '--json', snap])), 'ls --json');
  assert.equal(cairnOk(['-r', repo, 'ls', '-l', snap]), resticOk(repo, ['ls', '-l', snap]), 'ls -l');
  // diff against a snapshot with every field, and forget's grouping of a snapshot without a host.
  for (const extra of [[], ['--metadata']]) {
    const args = ['diff', ...extra, snap, base.snaps[1]!];
    assert.deepEqual(changeLines(cairnOk(['-r', repo, ...args])), changeLines(resticOk(repo, args)), args.join(' '));
  }
  const forgetArgs = ['--json', 'forget', '--dry-run', '--keep-last', '1'];
  const groups = (text: string) => json<{ host: string; paths: string[]; keep: { id: string }[]; remove: { id: string }[] | null }[]>(text)
    .map((g) => ({ host: g.host, paths: g.paths, keep: g.keep.map((s) => s.id), remove: (g.remove ?? []).map((s) => s.id) }))
    .sort((a, b) => (JSON.stringify([a.host, a.paths]) < JSON.stringify([b.host, b.paths]) ? -1 : 1)); // restic's order is a Go map's
  assert.deepEqual(groups(cairnOk(['-r', repo, ...forgetArgs])), groups(resticOk(repo, forgetArgs)), 'forget groups and decisions');

  // Restore with both tools: the same tree (contents, modes, mtimes, hard links) and owners.
  const targets = { restic: path.join(base.work, 'nodes-by-restic'), cairn: path.join(base.work, 'nodes-by-cairn') };
  resticOk(repo, ['restore', snap, '--target', targets.restic]);
  cairnOk(['-r', repo, 'restore', snap, '--target', targets.cairn]);
  const restored = (t: string) => path.join(t, base.src);
  assert.deepEqual(compareTrees(restored(targets.restic), restored(targets.cairn)), [], 'Cairn restores what restic restores');
  assert.deepEqual(owners(restored(targets.cairn)), owners(restored(targets.restic)), 'owners as restic sets them');
  // The contents are the source's (metadata differs where the old nodes lack it, for both tools).
  assert.deepEqual(compareTrees(base.src, restored(targets.cairn), { checkTimes: false }).filter((d) => !/mode/.test(d)), []);

  // A backup with the old snapshot as parent: files whose parent node lacks inode or ctime are
  // read again, as restic does; nothing new is stored and the result restores exactly. One
  // difference, on purpose: restic keeps an empty file's missing blob list (so its new snapshot
  // fails its own check again), Cairn reads such a file again and records an empty list.
  const byRestic = lastJson<Record<string, number | string>>(resticOk(repo, ['--json', 'backup', '--parent', snap, base.src]));
  const byCairn = lastJson<Record<string, number | string>>(cairnOk(['-r', repo, '--json', 'backup', '--parent', snap, base.src]));
  const nilEmpty = 2;
  for (const k of ['files_new', 'dirs_new', 'dirs_changed', 'dirs_unmodified']) assert.equal(byCairn[k], byRestic[k], `backup summary ${k}`);
  assert.equal(byCairn.files_changed, (byRestic.files_changed as number) + nilEmpty, 'files_changed: restic\'s and the empty files');
  assert.equal(byCairn.files_unmodified, (byRestic.files_unmodified as number) - nilEmpty, 'files_unmodified');
  assert.ok((byRestic.files_changed as number) >= 6, 'the files whose parent node lacks inode and ctime are read again');
  assert.equal(byCairn.data_blobs, 0, 'no data stored again');
  const check = path.join(base.work, 'nodes-next');
  resticOk(repo, ['restore', byCairn.snapshot_id as string, '--target', check]);
  assert.deepEqual(compareTrees(base.src, path.join(check, base.src)), []);

  // Once the old snapshot (and restic's child of it) are forgotten and pruned, both tools find
  // the repository clean: Cairn's snapshot made with the old parent is sound.
  cairnOk(['-r', repo, 'forget', snap, byRestic.snapshot_id as string]);
  cairnOk(['-r', repo, 'prune']);
  bothCheckClean(repo, ['--read-data']);
  restoredEquals(base.work, repo, byCairn.snapshot_id as string, 'cairn', base.src);
});
