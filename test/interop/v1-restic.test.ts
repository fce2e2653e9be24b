// Repository format version 1 (what restic before 0.14 wrote, and `init --repository-version 1`),
// made by restic: Cairn runs every command on it; writing keeps it version 1 (no compressed blobs,
// unpacked files plain JSON, so restic 0.12 still reads it), and restic 0.14 checks it clean.
// v1-cairn.test.ts is the reverse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cheapenKeys } from '../helpers/repo-format.ts';
import { assertStillV1, changedSource, changeLines, json, lastJson, makeV1Source, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairn, cairnOk, restic, resticOk } from '../helpers/tools.ts';

let work: string;
let src: string;

before(() => {
  ({ work, src } = makeV1Source());
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a version 1 repository made by restic: Cairn runs every command on it, it stays version 1, restic checks it clean', async () => {
  const repo = path.join(work, 'restic-v1');
  resticOk(repo, ['init', '--repository-version', '1']);
  await cheapenKeys(repo);
  resticOk(repo, ['backup', src]);
  const first = json<{ id: string }[]>(resticOk(repo, ['snapshots', '--json']))[0]!.id;

  // Reading.
  assert.deepEqual(json<{ id: string }[]>(cairnOk(['-r', repo, 'snapshots', '--json'])).map((s) => s.id), [first]);
  const lsLines = (t: string) => t.trim().split('\n').slice(1).map((l) => json<{ path: string; type: string; size?: number }>(l)).map((n) => `${n.type} ${n.path} ${n.size ?? ''}`);
  assert.deepEqual(lsLines(cairnOk(['-r', repo, 'ls', '--json', first])), lsLines(resticOk(repo, ['ls', '--json', first])));
  restoredEquals(work, repo, first, 'cairn', src);

  // Writing: a backup on top of restic's, with it as parent.
  const next = changedSource(work, src, 'next');
  const summary = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', next]));
  const second = summary.snapshot_id;
  restoredEquals(work, repo, second, 'restic', next);
  await assertStillV1(repo);

  // diff, find, stats: the same answers as restic's.
  const third = lastJson<{ snapshot_id: string }>(resticOk(repo, ['--json', 'backup', next])).snapshot_id;
  const ours = changeLines(cairnOk(['-r', repo, 'diff', second, third]));
  assert.deepEqual(ours, changeLines(resticOk(repo, ['diff', second, third])));
  const firstNext = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', src])).snapshot_id;
  const d = changeLines(cairnOk(['-r', repo, 'diff', firstNext, second]));
  assert.deepEqual(d, changeLines(resticOk(repo, ['diff', firstNext, second])));
  const foundPaths = (t: string) => json<{ matches: { path: string }[] }[]>(t).flatMap((s) => s.matches.map((m) => m.path)).sort();
  assert.deepEqual(foundPaths(cairnOk(['-r', repo, '--json', 'find', 'added.txt'])), foundPaths(resticOk(repo, ['--json', 'find', 'added.txt'])));
  for (const mode of ['restore-size', 'raw-data']) {
    const a = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(cairnOk(['-r', repo, '--json', 'stats', '--mode', mode]));
    const b = json<{ total_size: number; total_file_count?: number; total_blob_count?: number }>(resticOk(repo, ['--json', 'stats', '--mode', mode]));
    assert.equal(a.total_size, b.total_size, `stats --mode ${mode}: total size`);
    assert.equal(a.total_blob_count, b.total_blob_count, `stats --mode ${mode}: blob count`);
  }

  // tag, key add.
  cairnOk(['-r', repo, 'tag', '--add', 'from-cairn', second]);
  const tagged = json<{ id: string; original?: string }[]>(resticOk(repo, ['snapshots', '--json', '--tag', 'from-cairn']));
  assert.equal(tagged.length, 1);
  const pwFile = path.join(work, 'second-password');
  fs.writeFileSync(pwFile, 'another-password\n');
  cairnOk(['-r', repo, 'key', 'add', '--new-password-file', pwFile]);
  assert.equal(json<unknown[]>(resticOk(repo, ['snapshots', '--json'], { password: 'another-password' })).length, 4);

  // forget + prune, then repair index: restic still finds everything in order.
  cairnOk(['-r', repo, 'forget', first, firstNext]);
  const pruned = cairn(['-r', repo, 'prune', '--max-unused', '0']);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(resticOk(repo, ['check']), /no errors were found/);
  cairnOk(['-r', repo, 'repair', 'index', '--read-all-packs']);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  restoredEquals(work, repo, tagged[0]!.id, 'restic', next);
  await assertStillV1(repo);

  // --repack-uncompressed needs compression, which version 1 does not have (restic refuses too).
  const refused = cairn(['-r', repo, 'prune', '--repack-uncompressed']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /version 1/);
  assert.notEqual(restic(repo, ['prune', '--repack-uncompressed']).code, 0);

  // copy: into a version 1 repository Cairn creates, which stays version 1.
  const dst = path.join(work, 'copy-dst-v1');
  cairnOk(['-r', dst, 'init', '--repository-version', '1']);
  cairnOk(['-r', dst, 'copy', '--from-repo', repo], { env: { CAIRN_FROM_PASSWORD: 'test-password' } });
  assert.equal(json<unknown[]>(resticOk(dst, ['snapshots', '--json'])).length, 2);
  assert.match(resticOk(dst, ['check', '--read-data']), /no errors were found/);
  await assertStillV1(dst);
});
