// A restore cancelled part way (Ctrl-C, SIGTERM, the app's Cancel) leaves the files it finished
// and no temporary file: each file is written under a hidden temporary name in its folder and
// renamed when whole, and what was not renamed yet is removed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalBackend, Repository, backup, findSnapshot, restore } from '../../src-worker/index.ts';
import { isCairnError } from '../../src-worker/errors.ts';
import { tmpDir } from '../helpers/tools.ts';

const work = tmpDir('restore-cancel');
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a restore cancelled part way leaves the files it finished and no temporary files', async () => {
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  const FILES = 40;
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(src, `f${String(i).padStart(2, '0')}`), crypto.randomBytes(3 << 20));
  const repoDir = path.join(work, 'repo');
  await Repository.init(new LocalBackend(repoDir), 'pw');
  const repo = await Repository.open(new LocalBackend(repoDir), 'pw');
  const { snapshotId } = await backup(repo, { paths: [src] });
  const target = path.join(work, 'target');
  const cancel = new AbortController();
  await assert.rejects(restore(repo, {
    snapshot: await findSnapshot(repo, snapshotId!), target, signal: cancel.signal,
    onProgress: (p) => { if (p.filesDone >= 1) cancel.abort(); },
  }), (err: unknown) => isCairnError(err, 'ABORTED'));
  await repo.backend.close();
  const left = fs.readdirSync(path.join(target, src));
  assert.deepEqual(left.filter((n) => n.startsWith('.cairn-restore-')), [], 'no temporary file is left');
  assert.ok(left.length >= 1 && left.length < FILES, `stopped part way (${left.length} of ${FILES} files)`);
  for (const name of left) assert.deepEqual(fs.readFileSync(path.join(target, src, name)), fs.readFileSync(path.join(src, name)), `${name} is whole`);
});
