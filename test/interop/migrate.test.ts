// `cairn migrate upgrade_repo_v2` as restic's: it lists what applies, checks the repository first,
// refuses a damaged one, switches the config to version 2, and later writes compress; restic 0.14
// checks the upgraded repository clean and restores both the old and the new snapshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareTrees } from '../helpers/compare.ts';
import { cheapenKeys, storedForm } from '../helpers/repo-format.ts';
import { cairn, cairnOk, dataset, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;
let base: string;

before(async () => {
  work = tmpDir('migrate');
  src = path.join(work, 'src');
  fs.cpSync(dataset(2), src, { recursive: true });
  fs.rmSync(path.join(src, '.complete'));
  fs.writeFileSync(path.join(src, 'compressible.txt'), 'the same line, many times over\n'.repeat(20_000));
  base = path.join(work, 'base');
  resticOk(base, ['init', '--repository-version', '1']);
  await cheapenKeys(base);
  resticOk(base, ['backup', src]);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
function copyOfBase(): string {
  const dir = path.join(work, `repo-${++n}`);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

const version = (repo: string) => (JSON.parse(resticOk(repo, ['cat', 'config'])) as { version: number }).version;

test('migrate lists upgrade_repo_v2 for a version 1 repository, as restic does, and nothing once upgraded', () => {
  const repo = copyOfBase();
  assert.match(cairnOk(['-r', repo, 'migrate']), /available migrations:\n {2}upgrade_repo_v2\tupgrade a repository to version 2\n/);
  assert.match(resticOk(repo, ['migrate']), /upgrade_repo_v2/);
  cairnOk(['-r', repo, 'migrate', 'upgrade_repo_v2']);
  assert.match(cairnOk(['-r', repo, 'migrate']), /no migrations found/);
  assert.doesNotMatch(resticOk(repo, ['migrate']), /upgrade_repo_v2/);
});

test('migrate upgrade_repo_v2 checks, switches to version 2; new backups compress; restic checks it clean and restores old and new', async () => {
  const repo = copyOfBase();
  const before = await storedForm(repo);
  const out = cairnOk(['-r', repo, 'migrate', 'upgrade_repo_v2']);
  assert.match(out, /checking repository integrity\.\.\.\napplying migration upgrade_repo_v2\.\.\.\nmigration upgrade_repo_v2: success\n/);
  assert.equal(version(repo), 2);
  const again = cairn(['-r', repo, 'migrate', 'upgrade_repo_v2']);
  assert.equal(again.code, 0, 'as restic: a migration that does not apply is skipped, not an error');
  assert.match(again.stderr, /migration upgrade_repo_v2 cannot be applied/);

  fs.appendFileSync(path.join(src, 'compressible.txt'), 'one more line\n'.repeat(1000));
  cairnOk(['-r', repo, 'backup', src]);
  const after = await storedForm(repo);
  assert.equal(after.version, 2);
  assert.deepEqual(before.compressedBlobs, []);
  assert.ok(after.compressedBlobs.length > 0, 'the backup after the upgrade stored compressed blobs');
  assert.ok(after.encodedUnpacked.some((f) => f.startsWith('snapshots/')), 'the new snapshot file is compressed');
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
  assert.match(cairnOk(['-r', repo, 'check', '--read-data']), /no errors were found/);
  const snaps = JSON.parse(resticOk(repo, ['snapshots', '--json'])) as { id: string }[];
  assert.equal(snaps.length, 2);
  for (const sn of snaps) {
    const target = path.join(work, `restore-${sn.id}`);
    resticOk(repo, ['restore', sn.id, '--target', target]);
    const differences = compareTrees(src, path.join(target, src)).filter((d) => !d.includes('compressible.txt'));
    assert.deepEqual(differences, [], `snapshot ${sn.id} restores`);
  }
});

test('migrate refuses a damaged repository and leaves it at version 1; an unknown migration is refused', () => {
  const repo = copyOfBase();
  const packs = fs.readdirSync(path.join(repo, 'data'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  fs.rmSync(path.join(packs[0]!.parentPath, packs[0]!.name));
  const r = cairn(['-r', repo, 'migrate', 'upgrade_repo_v2']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`migration upgrade_repo_v2 refused: the repository is damaged \\(data/${packs[0]!.name}`));
  assert.equal(version(repo), 1);
  const unknown = cairn(['-r', repo, 'migrate', 'upgrade_repo_v3']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown migration upgrade_repo_v3/);
});
