// diff, find, stats and cat print what restic 0.14 prints: on one small repository Cairn wrote and
// on one whose snapshots restic wrote, the --json output (and a few text outputs) of both tools
// for the same arguments must be the same bytes.
//
// The only normalisation: `find` over several snapshots, whose order restic takes from loading the
// snapshot files in parallel (it varies between runs), so both outputs are put in snapshot-id order
// before comparing. Everything else is compared as printed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend, Repository, RepositoryLock } from '../../src-worker/index.ts';
import { CAIRN_BIN, cairn, resticOk, tmpDir } from '../helpers/tools.ts';

const PASSWORD = 'test-password';
// Cheap scrypt parameters: dozens of restic and cairn runs each derive the key once.
const KDF = { N: 1024, r: 8, p: 1 };

let work: string;
let src: string;

function random(n: number, label: string): Buffer {
  const key = crypto.createHash('sha256').update(label).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

function write(rel: string, data: string | Buffer): void {
  const p = path.join(src, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

/** Version 1: duplicates, hard links, symlinks, odd names, compressible and random data. */
function sourceV1(): void {
  write('docs/a.txt', 'alpha\n');
  write('docs/B.TXT', 'upper case name\n');
  write('docs/<angle>&amp', 'html-ish name\n');
  const dup = random(200_000, 'dup');
  write('dups/one.bin', dup);
  write('dups/two.bin', dup);
  write('text/compressible.txt', 'the same line of text, again and again\n'.repeat(30_000));
  write('rand/big.bin', random(1_300_000, 'big'));
  write('links/hl1', random(100_000, 'hard'));
  fs.linkSync(path.join(src, 'links/hl1'), path.join(src, 'links/hl2'));
  fs.symlinkSync('../docs/a.txt', path.join(src, 'links/sym'));
  write('gone/x.txt', 'removed later\n');
  write('gone/deeper/y.txt', 'removed later too\n');
  write('becomes-dir', 'a file first\n');
  write('becomes-file/inside.txt', 'a directory first\n');
  write('meta/chmod-me', 'mode changes\n');
  write('meta/touch-me', 'times change\n');
  fs.utimesSync(path.join(src, 'meta/touch-me'), 1_600_000_000, 1_600_000_000);
}

/** Version 2: content, type, mode, time and symlink changes, additions and removals. */
function sourceV2(): void {
  write('docs/a.txt', 'alpha, changed\n');
  const big = fs.readFileSync(path.join(src, 'rand/big.bin'));
  random(4096, 'patch').copy(big, 700_000);
  write('rand/big.bin', big);
  write('new/n1.txt', 'new file\n');
  write('new/sub/n2.txt', 'new file below\n');
  fs.rmSync(path.join(src, 'gone'), { recursive: true });
  fs.rmSync(path.join(src, 'becomes-dir'));
  write('becomes-dir/child.txt', 'now a directory\n');
  fs.rmSync(path.join(src, 'becomes-file'), { recursive: true });
  write('becomes-file', 'now a file\n');
  fs.chmodSync(path.join(src, 'meta/chmod-me'), 0o600);
  fs.utimesSync(path.join(src, 'meta/touch-me'), 1_700_000_000, 1_700_000_000);
  fs.rmSync(path.join(src, 'links/sym'));
  fs.symlinkSync('../docs/B.TXT', path.join(src, 'links/sym'));
}

/** Version 3 (another host): one more file. */
function sourceV3(): void {
  write('docs/c.txt', 'third snapshot\n');
}

interface Repo {
  name: string;
  path: string;
  /** Snapshot ids, oldest first. */
  snaps: string[];
}

const repos: Repo[] = [];

async function initRepo(p: string): Promise<void> {
  await Repository.init(new LocalBackend(p), PASSWORD, { kdf: KDF });
}

function snapshotIds(repo: string): string[] {
  const list = JSON.parse(resticOk(repo, ['snapshots', '--json'])) as { id: string; time: string }[];
  return list.sort((a, b) => (a.time < b.time ? -1 : 1)).map((s) => s.id);
}

before(async () => {
  work = tmpDir('inspect');
  src = path.join(work, 'src');
  const byCairn = path.join(work, 'by-cairn');
  const byRestic = path.join(work, 'by-restic');
  // Both repositories get Cairn's key file with cheap KDF parameters; everything else in the
  // second one (packs, index, snapshots) is written by restic.
  await initRepo(byCairn);
  await initRepo(byRestic);
  const steps: [() => void, string[]][] = [
    [sourceV1, ['--host', 'h1', '--tag', 'one']],
    [sourceV2, ['--host', 'h1', '--tag', 'two']],
    [sourceV3, ['--host', 'h2']],
  ];
  for (const [change, flags] of steps) {
    change();
    const r = cairn(['-r', byCairn, 'backup', 'src', ...flags], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    const rr = spawnSync('restic', ['-r', byRestic, '--no-cache', 'backup', 'src', ...flags], { cwd: work, env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, encoding: 'utf8' });
    assert.equal(rr.status, 0, rr.stderr);
  }
  repos.push({ name: 'written by Cairn', path: byCairn, snaps: snapshotIds(byCairn) });
  repos.push({ name: 'written by restic', path: byRestic, snaps: snapshotIds(byRestic) });
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

/** Runs a program without blocking, so restic and cairn of one comparison run side by side. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function both(repo: Repo, args: string[], opts: { json?: boolean; expectFail?: boolean } = {}): Promise<{ restic: string; cairn: string }> {
  const full = opts.json === false ? args : ['--json', ...args];
  const cairnEnv: NodeJS.ProcessEnv = { ...process.env, CAIRN_PASSWORD: PASSWORD };
  delete cairnEnv.RESTIC_PASSWORD;
  const [r, c] = await Promise.all([
    run('restic', ['-r', repo.path, '--no-cache', ...full], { ...process.env, RESTIC_PASSWORD: PASSWORD }),
    run(process.execPath, [CAIRN_BIN, '-r', repo.path, '--no-cache', ...full], cairnEnv),
  ]);
  if (!opts.expectFail) {
    assert.equal(r.code, 0, `restic ${full.join(' ')}: ${r.stderr}`);
    assert.equal(c.code, 0, `cairn ${full.join(' ')}: ${c.stderr}`);
  } else {
    assert.notEqual(r.code, 0, `restic ${full.join(' ')} was expected to fail`);
    assert.notEqual(c.code, 0, `cairn ${full.join(' ')} should fail as restic does`);
  }
  return { restic: r.stdout, cairn: c.stdout };
}

async function same(repo: Repo, args: string[], opts: { json?: boolean } = {}): Promise<string> {
  const out = await both(repo, args, opts);
  assert.equal(out.cairn, out.restic, `cairn and restic differ for: ${args.join(' ')}`);
  return out.cairn;
}

const bySnapshot = (a: { snapshot: string }, b: { snapshot: string }) => (a.snapshot < b.snapshot ? -1 : a.snapshot > b.snapshot ? 1 : 0);

/** find --json over several snapshots, in snapshot-id order (restic's order varies per run). */
function sortedFind(text: string): { snapshot: string }[] {
  return (JSON.parse(text) as { snapshot: string }[]).sort(bySnapshot);
}

async function sameFind(repo: Repo, args: string[]): Promise<{ snapshot: string; matches?: { path: string }[] }[]> {
  const out = await both(repo, ['find', ...args]);
  const c = sortedFind(out.cairn);
  assert.deepEqual(c, sortedFind(out.restic), `find ${args.join(' ')}`);
  return c;
}

/** The data blob of dups/one.bin and the tree of docs/ in the first snapshot. */
async function landmarks(repo: Repo): Promise<{ r: Repository; dupBlob: string; docsTree: string; newTree: string }> {
  const r = await Repository.open(new LocalBackend(repo.path), PASSWORD);
  await r.loadIndex();
  const under = async (snap: string, dir: string) => {
    const root = (await r.loadSnapshot(snap)).tree;
    const srcNode = (await r.loadTree(root)).nodes.find((n) => n.name === 'src')!;
    const srcTree = await r.loadTree(srcNode.subtree!);
    return srcTree.nodes.find((n) => n.name === dir)!;
  };
  const [s1, s2] = repo.snaps;
  const dups = await under(s1!, 'dups');
  const dupBlob = (await r.loadTree(dups.subtree!)).nodes[0]!.content![0]!;
  return { r, dupBlob, docsTree: (await under(s1!, 'docs')).subtree!, newTree: (await under(s2!, 'new')).subtree! };
}

for (const full of [true, false]) {
  // Every comparison on Cairn's repository; the main ones again on restic's (time is short).
  describe(full ? 'on a repository written by Cairn' : 'on a repository written by restic', () => {
    const repo = () => repos[full ? 0 : 1]!;

    test('diff --json prints the same changes and statistics as restic, both directions, with and without --metadata', async () => {
      const [s1, s2, s3] = repo().snaps;
      const forward = await same(repo(), ['diff', s1!, s2!]);
      // The comparison means something only if every kind of change is there.
      for (const m of ['+', '-', 'M', 'T']) assert.ok(forward.includes(`"modifier":"${m}"`), `no ${m} change in ${forward}`);
      assert.ok(!forward.includes('"U"'), 'metadata changes appear only with --metadata');
      const meta = await same(repo(), ['diff', '--metadata', s1!, s2!]);
      assert.ok(meta.includes('"modifier":"U"'), meta);
      await same(repo(), ['diff', '--metadata', s2!.slice(0, 8), s1!.slice(0, 8)]);
      if (full) {
        await same(repo(), ['diff', s2!, s3!]);
        const text = await same(repo(), ['diff', '--metadata', s1!, s2!], { json: false });
        assert.match(text, /^comparing snapshot .*\n\n(.|\n)*Tree Blobs:/);
      }
    });

    test('find --json matches restic for names, paths, -i and several patterns', async () => {
      const txt = await sameFind(repo(), ['*.txt']);
      assert.equal(txt.length, 3, 'every snapshot has .txt files');
      const multi = await sameFind(repo(), ['/src/docs/*', 'becomes-*', 'new']);
      assert.ok(multi.some((g) => g.matches!.some((m) => m.path === '/src/new/sub/n2.txt')), 'a matching directory brings what is below it');
      if (!full) return;
      await sameFind(repo(), ['-i', 'b.txt']);
      await sameFind(repo(), ['--host', 'h2', 'c.txt']);
      const [s1, s2] = repo().snaps;
      await same(repo(), ['find', '-s', s1!.slice(0, 8), '-l', '*'], { json: false });
      await same(repo(), ['--json', 'find', '--snapshot', s2!, '--snapshot', s1!, '-i', '*.TXT'], { json: false });
    });

    // The id searches and raw pack bytes are run on Cairn's repository only (time budget).
    if (full) test('find --blob, --tree and --pack find the same places as restic', async () => {
      const { r, dupBlob, docsTree } = await landmarks(repo());
      const objects = (text: string) => (JSON.parse(text) as { snapshot: string }[]).sort(bySnapshot);
      const blob = await both(repo(), ['find', '--blob', dupBlob.slice(0, 8)]);
      assert.deepEqual(objects(blob.cairn), objects(blob.restic));
      assert.ok(objects(blob.cairn).length >= 6, 'the duplicated content is found in both files of every snapshot');
      const tree = await both(repo(), ['find', '--tree', docsTree]);
      assert.deepEqual(objects(tree.cairn), objects(tree.restic));
      assert.equal(objects(tree.cairn).length, 1);
      const pack = r.index.lookup('data', dupBlob)!.packId;
      const inPack = await both(repo(), ['find', '--pack', pack]);
      assert.deepEqual(objects(inPack.cairn), objects(inPack.restic));
    });

    test('stats gives restic\'s numbers in every mode, for all snapshots and for one', async () => {
      const [, s2] = repo().snaps;
      for (const mode of ['restore-size', 'files-by-contents', 'blobs-per-file', 'raw-data']) {
        await same(repo(), ['stats', '--mode', mode]);
        if (full) await same(repo(), ['stats', '--mode', mode, s2!]);
      }
      if (full) await same(repo(), ['stats', 'latest', '--mode', 'blobs-per-file'], { json: false });
    });

    test('cat prints config, snapshot, key, masterkey, index, blobs and lock as restic does', async () => {
      const p = repo().path;
      const [s1] = repo().snaps;
      const { r, dupBlob, docsTree } = await landmarks(repo());
      await same(repo(), ['cat', 'snapshot', s1!.slice(0, 10)]);
      await same(repo(), ['cat', 'index', fs.readdirSync(path.join(p, 'index'))[0]!]);
      await same(repo(), ['cat', 'blob', dupBlob]);
      await same(repo(), ['cat', 'blob', docsTree]);
      if (!full) return;
      await same(repo(), ['cat', 'config']);
      await same(repo(), ['cat', 'masterkey']);
      await same(repo(), ['cat', 'key', fs.readdirSync(path.join(p, 'keys'))[0]!]);
      const lock = await RepositoryLock.acquire(r, false);
      try {
        await same(repo(), ['cat', 'lock', lock.id!]);
      } finally {
        await lock.release();
      }
      await both(repo(), ['cat', 'index', 'abc'], { json: false, expectFail: true });
      await both(repo(), ['cat', 'blob', '0'.repeat(64)], { json: false, expectFail: true });
    });

    if (full) test('cat pack prints the pack file as stored; cat tree snapshot:path the tree restic prints with cat blob', async () => {
      const p = repo().path;
      const [, s2] = repo().snaps;
      const { r, dupBlob, newTree } = await landmarks(repo());
      const packId = r.index.lookup('data', dupBlob)!.packId;
      const bytes = spawnBytes(['-r', p, '--no-cache', 'cat', 'pack', packId]);
      assert.ok(bytes.equals(fs.readFileSync(path.join(p, 'data', packId.slice(0, 2), packId))), 'cat pack prints the pack file as stored');
      const c = cairn(['-r', p, '--no-cache', 'cat', 'tree', `${s2!.slice(0, 8)}:src/new`]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, resticOk(p, ['cat', 'blob', newTree]));
    });
  });
}

/** The CLI's stdout as bytes (cat pack writes binary). */
function spawnBytes(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CAIRN_BIN, ...args], { env: { ...process.env, CAIRN_PASSWORD: PASSWORD }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}
