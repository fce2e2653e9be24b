// `cairn prune` on a repository restic wrote, judged by restic: the result passes
// `restic check --read-data`, every remaining snapshot restores exactly as before, the forgotten
// data is gone, and the repository is no larger than `restic prune` leaves it. A dry run changes
// nothing and predicts the bytes a real run frees; damage and locks stop prune before it deletes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend, Repository, findSnapshot } from '../../src-worker/index.ts';
import { buildPruneFixture, copyRepo, listRepo, repoBytes, restoreDiffs, type PruneFixture } from '../helpers/prune-fixture.ts';
import { cairn, cairnOk, dataset, restic, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let fx: PruneFixture;

before(() => {
  work = tmpDir('prune');
  fx = buildPruneFixture(work);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface Summary {
  dry_run: boolean;
  bytes_freed: number;
  bytes_freed_exact: boolean;
  unreferenced_packs: string[];
  removed_packs: string[];
  repacked_packs: string[];
  total_prune_blobs: number;
  unused_size_after_prune: number;
}

const summary = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary;

/** restic's own view after a prune: what would a restic prune with no tolerance still remove? */
function resticLeftover(repo: string): string {
  const out = resticOk(repo, ['prune', '--dry-run', '-v', '--max-unused', '0']);
  return /total prune:\s+(\d+ blobs \/ .*)/.exec(out)?.[1] ?? `unparsed: ${out}`;
}

test('cairn prune leaves a repository restic checks clean, with every remaining snapshot intact and no larger than restic prune makes it', () => {
  const mine = copyRepo(fx.base, path.join(work, 'mine'));
  const theirs = copyRepo(fx.base, path.join(work, 'theirs'));
  const sizeBefore = repoBytes(mine);

  let t0 = performance.now();
  const s = summary(cairnOk(['-r', mine, 'prune', '--json']));
  const cairnMs = performance.now() - t0;
  t0 = performance.now();
  resticOk(theirs, ['prune']);
  const resticMs = performance.now() - t0;

  assert.ok(s.unreferenced_packs.length > 0, 'the fixture has packs of an interrupted backup');
  assert.ok(s.repacked_packs.length + s.removed_packs.length > 0, 'something was pruned');
  assert.match(resticOk(mine, ['check', '--read-data']), /no errors were found/);
  assert.deepEqual(restoreDiffs(fx, mine, path.join(work, 'restore-mine')), []);
  assert.equal(JSON.parse(resticOk(mine, ['snapshots', '--json'])).length, fx.kept.length);

  const mineBytes = repoBytes(mine), theirsBytes = repoBytes(theirs);
  console.log(`repository before: ${sizeBefore} B; after cairn prune: ${mineBytes} B (${Math.round(cairnMs)} ms); after restic prune: ${theirsBytes} B (${Math.round(resticMs)} ms)`);
  console.log(`  data/: cairn ${repoBytes(mine, 'data/')} B, restic ${repoBytes(theirs, 'data/')} B; index/: cairn ${repoBytes(mine, 'index/')} B, restic ${repoBytes(theirs, 'index/')} B`);
  assert.ok(mineBytes <= theirsBytes, `cairn prune left ${mineBytes} bytes, restic prune ${theirsBytes}`);
  assert.ok(mineBytes < sizeBefore);
  // With the default 5% tolerance restic itself would now prune nothing more than it would after its own prune.
  assert.equal(resticLeftover(mine), resticLeftover(theirs));
});

test('cairn prune --max-unused 0 removes all unused data: restic finds nothing left to prune', () => {
  const repo = copyRepo(fx.base, path.join(work, 'zero'));
  const s = summary(cairnOk(['-r', repo, 'prune', '--max-unused', '0', '--json']));
  assert.equal(s.unused_size_after_prune, 0);
  assert.equal(resticLeftover(repo), '0 blobs / 0 B');
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.deepEqual(restoreDiffs(fx, repo, path.join(work, 'restore-zero')), []);
  // Cairn restores the latest snapshot too, from the pruned repository.
  const target = path.join(work, 'cairn-restore');
  cairnOk(['-r', repo, 'restore', fx.kept[1], '--target', target]);
  const ref = path.join(fx.reference, fx.kept[1]);
  assert.deepEqual(listTree(target), listTree(ref));
});

function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
      else out.push(`${r} ${st.size} ${fs.readFileSync(path.join(root, r)).toString('base64').length}`);
    }
  };
  walk('');
  return out;
}

test('prune --dry-run changes nothing and predicts exactly the bytes a real prune frees', () => {
  const repo = copyRepo(fx.base, path.join(work, 'dry'));
  const before = listRepo(repo);
  const human = cairnOk(['-r', repo, 'prune', '--dry-run']);
  assert.match(human, /to repack:\s+\d+ blobs \/ /);
  assert.match(human, /total prune:\s+\d+ blobs \/ /);
  assert.match(human, /unused size after prune: .* \(.*% of remaining size\)/);
  assert.match(human, /dry run: nothing was changed/);
  const dry = summary(cairnOk(['-r', repo, 'prune', '-n', '--json']));
  assert.deepEqual(listRepo(repo), before, 'a dry run must not change the repository');
  assert.equal(dry.dry_run, true);
  assert.ok(dry.bytes_freed > 0);
  assert.equal(dry.bytes_freed_exact, true);

  const packsBefore = repoBytes(repo, 'data/');
  const real = summary(cairnOk(['-r', repo, 'prune', '--json']));
  const freed = packsBefore - repoBytes(repo, 'data/');
  assert.equal(freed, dry.bytes_freed, 'the dry run predicted the pack bytes freed');
  assert.equal(real.bytes_freed, freed);
  assert.deepEqual([real.unreferenced_packs, real.removed_packs, real.repacked_packs], [dry.unreferenced_packs, dry.removed_packs, dry.repacked_packs]);
});

test('prune refuses, naming the pack, when a pack a snapshot needs is missing, and deletes nothing', async () => {
  const repo = copyRepo(fx.base, path.join(work, 'missing'));
  // A data blob of the latest snapshot, and the pack that holds it.
  const r = await Repository.open(new LocalBackend(repo), 'test-password');
  await r.loadIndex();
  const sn = await findSnapshot(r, fx.kept[1]);
  const tree = await r.loadTree(sn.snapshot.tree);
  let node = tree.nodes[0];
  while (node.type === 'dir') node = (await r.loadTree(node.subtree!)).nodes[0];
  const pack = r.index.lookup('data', node.content![0])!.packId;
  fs.rmSync(path.join(repo, 'data', pack.slice(0, 2), pack));
  const before = listRepo(repo);

  const res = cairn(['-r', repo, 'prune']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, new RegExp(pack));
  assert.match(res.stderr, /cairn repair index/);
  assert.match(res.stderr, /nothing was deleted/);
  assert.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
  assert.deepEqual(listRepo(repo), before);
  assert.deepEqual(fs.readdirSync(path.join(repo, 'locks')), [], 'the lock is released');
});

test('prune refuses when a snapshot cannot be loaded, and deletes nothing', () => {
  const repo = copyRepo(fx.base, path.join(work, 'badsnap'));
  const file = path.join(repo, 'snapshots', fx.kept[0]);
  fs.chmodSync(file, 0o600);
  fs.writeFileSync(file, 'garbage');
  const before = listRepo(repo);
  // Without the cache: a cached copy of the snapshot (from the other copies of this repository) is still good.
  const res = cairn(['-r', repo, '--no-cache', 'prune']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, new RegExp(`snapshot ${fx.kept[0].slice(0, 8)} cannot be loaded.*nothing was deleted`));
  assert.deepEqual(listRepo(repo), before);
});

test('bad --max-unused and --max-repack-size values are refused before the repository is touched', () => {
  for (const [flag, value] of [['--max-unused', '100%'], ['--max-unused', 'lots'], ['--max-repack-size', '12X']]) {
    const res = cairn(['-r', path.join(work, 'does-not-exist'), 'prune', flag, value]);
    assert.equal(res.code, 1, `${flag} ${value}`);
    assert.match(res.stderr, new RegExp(`invalid ${flag} "${value.replace('%', '%')}"`));
  }
});

test('a running restic backup makes cairn prune refuse with one line naming the lock holder', async () => {
  const repo = copyRepo(fx.base, path.join(work, 'locked'));
  // restic writes a lock under a temporary name first: only a lock with its final name counts.
  const locks = () => fs.readdirSync(path.join(repo, 'locks')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  const child = spawn('restic', ['-r', repo, '--no-cache', 'backup', dataset(48)], { env: { ...process.env, RESTIC_PASSWORD: 'test-password' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let resticErr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => { resticErr += t; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const end = Date.now() + 20_000;
    while (locks().length === 0) {
      assert.ok(Date.now() < end, "restic's backup never took its lock");
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGSTOP');
    const before = listRepo(repo);
    const res = cairn(['-r', repo, 'prune']);
    assert.equal(res.code, 1, `restic: ${resticErr}\ncairn: ${res.stdout}${res.stderr}`);
    assert.match(res.stderr, new RegExp(`locked by a shared lock [0-9a-f]{8} held by \\S+@\\S+ \\(pid ${child.pid}\\), created \\d+s ago`));
    assert.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
    assert.deepEqual(listRepo(repo), before, 'prune deleted nothing');
  } finally {
    // The backup has done its part; no need to wait for it.
    child.kill('SIGKILL');
    child.kill('SIGCONT');
  }
  await exited;
});

test('forget --prune --dry-run changes nothing and predicts the bytes the real forget --prune frees (the snapshots it would forget count as gone)', () => {
  const repo = copyRepo(fx.base, path.join(work, 'forget-prune-dry'));
  const before = listRepo(repo);
  const dry = summary(cairnOk(['-r', repo, 'forget', '--keep-last', '1', '--prune', '--dry-run', '--json']));
  assert.deepEqual(listRepo(repo), before, 'a dry run must not change the repository');
  assert.equal(dry.dry_run, true);
  const real = summary(cairnOk(['-r', repo, 'forget', '--keep-last', '1', '--prune', '--json']));
  assert.ok(real.bytes_freed > 0, 'the forgotten snapshot held data of its own');
  assert.equal(dry.bytes_freed, real.bytes_freed);
  assert.deepEqual([...dry.removed_packs].sort(), [...real.removed_packs].sort());
  assert.deepEqual([...dry.repacked_packs].sort(), [...real.repacked_packs].sort());
});

test('forget --prune forgets and prunes under one lock: restic checks the result and the kept snapshot is intact', () => {
  const repo = copyRepo(fx.base, path.join(work, 'forget-prune'));
  const sizeBefore = repoBytes(repo, 'data/');
  const out = cairnOk(['-r', repo, 'forget', '--keep-last', '1', '--prune']);
  assert.match(out, /remove 1 snapshots:/);
  assert.match(out, /freed .* of pack files/);
  assert.ok(repoBytes(repo, 'data/') < sizeBefore, 'data was removed');
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.deepEqual(JSON.parse(resticOk(repo, ['snapshots', '--json'])).map((s: { id: string }) => s.id), [fx.kept[1]]);
  assert.deepEqual(restoreDiffs({ ...fx, kept: [fx.kept[1]!] }, repo, path.join(work, 'restore-forget-prune')), []);
  assert.deepEqual(fs.readdirSync(path.join(repo, 'locks')), [], 'the lock is released');
  // A bad prune flag is refused before forget removes anything.
  const bad = cairn(['-r', repo, 'forget', fx.kept[1]!, '--prune', '--max-unused', 'lots']);
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(resticOk(repo, ['snapshots', '--json'])).length, 1);
});
