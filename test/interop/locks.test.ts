// Locks as restic users rely on them: a restic exclusive lock blocks Cairn with a clear message, a
// Cairn backup's lock blocks restic's exclusive operations, and Ctrl-C / SIGTERM remove the lock.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairn, cairnOk, dataset, restic, resticOk, spawnCairn, tmpDir } from '../helpers/tools.ts';

let work: string;
let repo: string;
let src: string;

before(() => {
  work = tmpDir('locks');
  repo = path.join(work, 'repo');
  src = dataset(64);
  cairnOk(['-r', repo, 'init']);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const locks = () => fs.readdirSync(path.join(repo, 'locks')).filter((n) => /^[0-9a-f]{64}$/.test(n));

async function waitFor(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const exited = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

test('a running Cairn backup keeps restic from taking an exclusive lock', async () => {
  const child = spawnCairn(['-r', repo, 'backup', src], { stdio: 'ignore' });
  await waitFor(() => locks().length > 0, 'the backup lock');
  child.kill('SIGSTOP');
  try {
    const r = restic(repo, ['prune']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already locked/);
  } finally {
    child.kill('SIGCONT');
  }
  assert.equal(await exited(child), 0);
  assert.deepEqual(locks(), [], 'the backup removed its lock');
});

test('a restic exclusive lock stops Cairn with a message naming it', async () => {
  const child = spawn('restic', ['-r', repo, '--no-cache', 'prune'], { env: { ...process.env, RESTIC_PASSWORD: 'test-password' }, stdio: 'ignore' });
  try {
    await waitFor(() => locks().length > 0, "restic's lock", 10000);
    child.kill('SIGSTOP');
    const r = cairn(['-r', repo, 'backup', src]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /locked by an exclusive lock .* held by .*pid/);
    assert.match(r.stderr, /unlock/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  } finally {
    child.kill('SIGCONT');
  }
  await exited(child);
  assert.deepEqual(locks(), []);
});

test('restore takes a shared lock as restic\'s does: a restic prune stops it before it writes anything, and a running restore keeps restic prune out', async () => {
  const child = spawn('restic', ['-r', repo, '--no-cache', 'prune'], { env: { ...process.env, RESTIC_PASSWORD: 'test-password' }, stdio: 'ignore' });
  const blocked = path.join(work, 'restore-blocked');
  try {
    await waitFor(() => locks().length > 0, "restic's lock", 10000);
    child.kill('SIGSTOP');
    const r = cairn(['-r', repo, 'restore', 'latest', '--target', blocked]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /locked by an exclusive lock .* held by .*pid/);
    assert.equal(fs.existsSync(blocked), false, 'nothing was written');
  } finally {
    child.kill('SIGCONT');
  }
  await exited(child);
  assert.deepEqual(locks(), []);

  const restoring = spawnCairn(['-r', repo, 'restore', 'latest', '--target', path.join(work, 'restore-running')], { stdio: 'ignore' });
  await waitFor(() => locks().length > 0, "the restore's lock");
  restoring.kill('SIGSTOP');
  try {
    const r = restic(repo, ['prune']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already locked/);
  } finally {
    restoring.kill('SIGCONT');
  }
  assert.equal(await exited(restoring), 0);
  assert.deepEqual(locks(), [], 'the restore removed its lock');
});

test('key commands lock as restic\'s do: list and add beside a running backup, remove and passwd wait for it', async () => {
  const pwFile = path.join(work, 'second-password');
  fs.writeFileSync(pwFile, 'second password\n');
  const child = spawnCairn(['-r', repo, 'backup', src], { stdio: 'ignore' });
  await waitFor(() => locks().length > 0, 'the backup lock');
  child.kill('SIGSTOP');
  let added: string;
  try {
    added = JSON.parse(cairnOk(['-r', repo, '--json', 'key', 'add', '--new-password-file', pwFile])).id;
    assert.match(cairnOk(['-r', repo, 'key', 'list']), new RegExp(added.slice(0, 8)));
    for (const args of [['key', 'remove', added], ['key', 'passwd', '--new-password-file', pwFile]]) {
      const r = cairn(['-r', repo, ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /locked/, args.join(' '));
    }
  } finally {
    child.kill('SIGCONT');
  }
  assert.equal(await exited(child), 0);
  cairnOk(['-r', repo, 'key', 'remove', added!]);
  assert.deepEqual(locks(), []);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during a backup removes the lock, exits 130, and leaves a valid repository`, async () => {
    const fresh = path.join(work, `repo-${signal}`);
    cairnOk(['-r', fresh, 'init']);
    const child = spawnCairn(['-r', fresh, 'backup', src], { stdio: 'ignore' });
    await waitFor(() => fs.readdirSync(path.join(fresh, 'locks')).length > 0, 'the lock');
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    assert.equal(await exited(child), 130);
    assert.deepEqual(fs.readdirSync(path.join(fresh, 'locks')).filter((n) => !n.startsWith('.')), []);
    assert.match(resticOk(fresh, ['check']), /no errors were found/);
    assert.equal((JSON.parse(cairnOk(['-r', fresh, 'snapshots', '--json'])) as unknown[]).length, 0, 'no snapshot from a cancelled backup');
  });
}
