// Making the folders of a path the user gives (a repository, a restore target) must end, even
// where Node's recursive mkdir spins forever (a parent that refuses new entries, as /proc does).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeDirs } from '../../src-worker/backend/make-dirs.ts';
import { isCairnError } from '../../src-worker/errors.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-make-dirs-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('missing folders are made from the top down with the mode given; existing ones are fine', async () => {
  const deep = path.join(work, 'a', 'b', 'c');
  await makeDirs(deep, 0o700);
  assert.ok(fs.statSync(deep).isDirectory());
  assert.equal(fs.statSync(path.join(work, 'a')).mode & 0o777, 0o700);
  await makeDirs(deep, 0o700);
  await makeDirs(work, 0o700);
});

test('a file on the way is ENOTDIR, not a loop', async () => {
  fs.writeFileSync(path.join(work, 'file'), '');
  await assert.rejects(makeDirs(path.join(work, 'file', 'x', 'y'), 0o700), { code: 'ENOTDIR' });
  await assert.rejects(makeDirs(path.join(work, 'file'), 0o700), { code: 'ENOTDIR' });
});

test('under /proc, where Node\'s recursive mkdir never returns, it fails at once and says why', { skip: process.platform !== 'linux' && 'needs Linux /proc' }, async () => {
  await assert.rejects(makeDirs('/proc/cairn-no-such/repo', 0o700), (err: unknown) => {
    assert.ok(isCairnError(err, 'PERMISSION_DENIED'));
    assert.match(err.message, /cannot create folder \/proc\/cairn-no-such: \/proc takes no new folders/);
    return true;
  });
});
