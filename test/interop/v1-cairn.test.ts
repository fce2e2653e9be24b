// Repository format version 1 made by `cairn init --repository-version 1`: restic reads it and
// writes into it, Cairn reads what restic wrote, and it stays version 1. v1-restic.test.ts is the reverse.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cheapenKeys } from '../helpers/repo-format.ts';
import { assertStillV1, changedSource, changeLines, json, lastJson, makeV1Source, restoredEquals } from '../helpers/v1-fixture.ts';
import { cairnOk, resticOk } from '../helpers/tools.ts';

let work: string;
let src: string;

before(() => {
  ({ work, src } = makeV1Source());
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a version 1 repository made by Cairn: restic reads it and writes into it, Cairn reads what restic wrote', async () => {
  const repo = path.join(work, 'cairn-v1');
  const init = cairnOk(['-r', repo, 'init', '--repository-version', '1']);
  assert.match(init, /created restic repository/);
  await cheapenKeys(repo);
  assert.equal(json<{ version: number }>(resticOk(repo, ['cat', 'config'])).version, 1);
  const ours = lastJson<{ snapshot_id: string }>(cairnOk(['-r', repo, '--json', 'backup', src])).snapshot_id;
  await assertStillV1(repo);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  restoredEquals(work, repo, ours, 'restic', src);
  const next = changedSource(work, src, 'next-cairn');
  resticOk(repo, ['backup', next]);
  const theirs = json<{ id: string; paths: string[] }[]>(resticOk(repo, ['snapshots', '--json'])).find((s) => s.paths[0] === next)!.id;
  restoredEquals(work, repo, theirs, 'cairn', next);
  assert.deepEqual(changeLines(cairnOk(['-r', repo, 'diff', ours, theirs])), changeLines(resticOk(repo, ['diff', ours, theirs])));
  cairnOk(['-r', repo, 'forget', ours]);
  cairnOk(['-r', repo, 'prune']);
  resticOk(repo, ['forget', '--keep-last', '1', '--prune']);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  restoredEquals(work, repo, theirs, 'cairn', next);
  await assertStillV1(repo);
});
