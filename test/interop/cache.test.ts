// The local metadata cache: filled on first use, used afterwards, cleaned when the repository
// drops files, and never trusted over the repository when a cached copy is damaged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeOddTree } from '../helpers/odd-files.ts';
import { cairnOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let repo: string;
let cache: string;
let src: string;

const filesUnder = (dir: string) => fs.existsSync(dir)
  ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
  : [];

before(() => {
  work = tmpDir('cache');
  repo = path.join(work, 'repo');
  cache = path.join(work, 'cache');
  src = path.join(work, 'src');
  makeOddTree(src);
  cairnOk(['-r', repo, 'init']);
  cairnOk(['-r', repo, '--no-cache', 'backup', src]);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('snapshots, index files and tree packs are cached on first use, tagged as a cache', () => {
  const ls = cairnOk(['-r', repo, '--cache-dir', cache, 'ls', 'latest']);
  assert.match(ls, /plain\.txt/);
  assert.equal(fs.readFileSync(path.join(cache, 'CACHEDIR.TAG'), 'utf8').startsWith('Signature: 8a477f597d28d172789f06886806bc55'), true);
  const [repoDir] = fs.readdirSync(cache).filter((n) => n !== 'CACHEDIR.TAG');
  const cached = (type: string) => filesUnder(path.join(cache, repoDir!, type)).map((f) => path.basename(f)).sort();
  const inRepo = (type: string) => filesUnder(path.join(repo, type)).map((f) => path.basename(f)).sort();
  assert.deepEqual(cached('snapshots'), inRepo('snapshots'));
  assert.deepEqual(cached('index'), inRepo('index'));
  assert.ok(cached('data').length >= 1, 'the tree pack is cached');
  assert.ok(cached('data').length < inRepo('data').length, 'data packs are not cached');
});

test('a damaged cached file is replaced from the repository, not trusted', () => {
  const [repoDir] = fs.readdirSync(cache).filter((n) => n !== 'CACHEDIR.TAG');
  for (const f of [...filesUnder(path.join(cache, repoDir!, 'data')), ...filesUnder(path.join(cache, repoDir!, 'index'))]) {
    const b = fs.readFileSync(f);
    b[Math.floor(b.length / 2)]! ^= 0xff;
    fs.writeFileSync(f, b);
  }
  assert.match(cairnOk(['-r', repo, '--cache-dir', cache, 'ls', 'latest']), /plain\.txt/);
});

test('cached snapshots the repository no longer has are removed', () => {
  const [repoDir] = fs.readdirSync(cache).filter((n) => n !== 'CACHEDIR.TAG');
  const snapFile = filesUnder(path.join(repo, 'snapshots'))[0]!;
  const second = cairnOk(['-r', repo, '--cache-dir', cache, 'backup', src, '--json']);
  assert.match(second, /summary/);
  fs.rmSync(snapFile);
  cairnOk(['-r', repo, '--cache-dir', cache, 'snapshots']);
  const cachedNames = filesUnder(path.join(cache, repoDir!, 'snapshots')).map((f) => path.basename(f));
  assert.equal(cachedNames.includes(path.basename(snapFile)), false);
  assert.equal(cachedNames.length, 1);
});

test('a cache folder that cannot be written never fails a command: it is left out of the way', () => {
  // A path under a regular file cannot be created (ENOTDIR), as a folder owned by someone else
  // cannot (EACCES, which root in CI would not meet): the backup and the listing must still work.
  const blocker = path.join(work, 'not-a-folder');
  fs.writeFileSync(blocker, 'x');
  const unusable = path.join(blocker, 'cache');
  fs.writeFileSync(path.join(src, 'new-for-unusable-cache.txt'), 'new data\n');
  cairnOk(['-r', repo, '--cache-dir', unusable, 'backup', src]);
  assert.match(cairnOk(['-r', repo, '--cache-dir', unusable, 'snapshots']), /2 snapshots/);
  assert.match(cairnOk(['-r', repo, '--cache-dir', unusable, 'ls', 'latest']), /new-for-unusable-cache\.txt/);
});
