// Real `cairn forget` and `cairn tag` on a repository restic wrote: restic accepts the result
// (`restic check`), forget removes exactly what restic's forget removes, tag changes are read back
// by restic, bad policies fail before anything is touched, and `snapshots --group-by` prints
// restic's grouped JSON.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairn, cairnOk, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let base: string;
let src: string;

const files = (repo: string, dir: string) => fs.readdirSync(path.join(repo, dir)).sort();
function copyRepo(name: string): string {
  const to = path.join(work, name);
  fs.cpSync(base, to, { recursive: true });
  return to;
}
interface Listed { id: string; time: string; tags?: string[]; original?: string; hostname: string }
const listed = (repo: string) => JSON.parse(resticOk(repo, ['snapshots', '--json'])) as Listed[];

before(() => {
  work = tmpDir('forget');
  base = path.join(work, 'base');
  src = path.join(work, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'file.txt'), 'forget me not\n');
  resticOk(base, ['init']);
  // Eight real backups over two weeks, two hosts, some tagged.
  const runs: [string, string, string[]][] = [
    ['2023-01-01 09:00:00', 'alpha', ['daily']], ['2023-01-01 18:00:00', 'alpha', []], ['2023-01-02 09:00:00', 'alpha', ['keep']],
    ['2023-01-05 09:00:00', 'alpha', ['daily']], ['2023-01-09 09:00:00', 'alpha', []], ['2023-01-14 09:00:00', 'alpha', ['daily']],
    ['2023-01-03 12:00:00', 'beta', []], ['2023-01-13 12:00:00', 'beta', ['daily']],
  ];
  for (const [time, host, tags] of runs) resticOk(base, ['backup', '-q', src, '--time', time, '--host', host, ...tags.flatMap((t) => ['--tag', t])]);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('cairn forget removes exactly what restic forget removes, and restic check accepts the result', () => {
  const policy = ['--keep-daily', '2', '--keep-weekly', '1', '--keep-tag', 'keep'];
  const ours = copyRepo('ours');
  const theirs = copyRepo('theirs');
  const out = cairnOk(['-r', ours, 'forget', ...policy]);
  assert.match(out, /Applying Policy: keep 2 daily, 1 weekly snapshots and all snapshots with tags \[\[keep\]\]/);
  assert.match(out, /keep \d+ snapshots:[\s\S]*Reasons[\s\S]*daily snapshot/);
  resticOk(theirs, ['forget', ...policy]);
  assert.deepEqual(files(ours, 'snapshots'), files(theirs, 'snapshots'));
  assert.ok(files(ours, 'snapshots').length < files(base, 'snapshots').length, 'the policy must remove something');
  assert.deepEqual(files(ours, 'locks'), [], 'the exclusive lock is released');
  assert.match(resticOk(ours, ['check']), /no errors were found/);
});

test('forget --dry-run deletes nothing; forget by id removes just that snapshot', () => {
  const repo = copyRepo('ids');
  const before = files(repo, 'snapshots');
  const dry = cairnOk(['-r', repo, 'forget', '-n', '-l', '1']);
  assert.match(dry, /Would have removed the following snapshots:\n\{[0-9a-f]{8}( [0-9a-f]{8})*\}/);
  assert.deepEqual(files(repo, 'snapshots'), before);
  const victim = before[3]!;
  cairnOk(['-r', repo, 'forget', victim.slice(0, 10)]);
  assert.deepEqual(files(repo, 'snapshots'), before.filter((f) => f !== victim));
  assert.match(resticOk(repo, ['check']), /no errors were found/);
});

test('a bad policy value fails with one clear line and exit 1, before the repository is even opened', () => {
  const repo = copyRepo('bad');
  const before = files(repo, 'snapshots');
  const cases: [string[], RegExp][] = [
    [['--keep-within', '3x'], /--keep-within "3x".*not a unit/],
    [['--keep-within-daily', '5'], /--keep-within-daily "5".*unit/],
    [['--keep-daily', 'many'], /--keep-daily "many".*not a number/],
    [['--keep-last', '-1'], /--keep-last "-1".*negative/],
    [['--keep-last', '1', '--group-by', 'host,size'], /--group-by "host,size".*"size"/],
  ];
  for (const [i, [args, message]] of cases.entries()) {
    // A repository that does not exist still gets the policy error: nothing was opened first.
    for (const where of i === 0 ? [repo, path.join(work, 'no-such-repository')] : [path.join(work, 'no-such-repository')]) {
      const r = cairn(['-r', where, 'forget', ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
    }
  }
  assert.deepEqual(files(repo, 'snapshots'), before);
  assert.deepEqual(files(repo, 'locks'), []);
});

test('cairn tag adds, removes and sets tags; restic reads them, with original kept across changes', () => {
  const repo = copyRepo('tag');
  const alpha = listed(repo).filter((s) => s.hostname === 'alpha');
  assert.match(cairnOk(['-r', repo, 'tag', '--add', 'new,more', '--host', 'alpha']), new RegExp(`modified tags on ${alpha.length} snapshots`));
  let now = listed(repo);
  assert.equal(now.length, 8);
  for (const s of now.filter((x) => x.hostname === 'alpha')) {
    assert.ok(s.tags?.includes('new') && s.tags.includes('more'), JSON.stringify(s));
    assert.ok(alpha.some((old) => old.id === s.original), 'original names the first version');
  }
  for (const s of now.filter((x) => x.hostname === 'beta')) assert.equal(s.original, undefined);
  const target = now.find((s) => s.hostname === 'alpha' && s.tags?.includes('daily'))!;
  cairnOk(['-r', repo, 'tag', '--remove', 'daily', target.id.slice(0, 8)]);
  cairnOk(['-r', repo, 'tag', '--set', 'only', '--tag', 'keep']);
  now = listed(repo);
  const changed = now.find((s) => s.time === target.time && s.hostname === 'alpha')!;
  assert.deepEqual([...changed.tags!].sort(), ['more', 'new']);
  assert.equal(changed.original, target.original, 'a second change keeps the first original');
  assert.deepEqual(now.filter((s) => s.tags?.includes('only')).map((s) => s.tags), [['only']]);
  assert.equal(now.length, 8, 'old versions are deleted, new ones saved');
  assert.match(cairnOk(['-r', repo, 'tag', '--remove', 'absent', '--host', 'alpha']), /no snapshots were modified/);
  const r = cairn(['-r', repo, 'tag', '--add', 'x', '--set', 'y']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--set and --add\/--remove cannot be given at the same time/);
  assert.match(resticOk(repo, ['check']), /no errors were found/);
});

test('snapshots --group-by prints restic\'s grouped JSON', () => {
  const norm = (text: string) => (JSON.parse(text) as { group_key: unknown; snapshots: { id: string }[] }[])
    .map((g) => JSON.stringify(g)).sort();
  for (const by of ['host', 'host,paths,tags', 'tags']) {
    assert.deepEqual(norm(cairnOk(['-r', base, 'snapshots', '--json', '--group-by', by])), norm(resticOk(base, ['snapshots', '--json', '--group-by', by])), by);
  }
  assert.match(cairnOk(['-r', base, 'snapshots', '-g', 'host']), /snapshots for \(host \[alpha\]\):\nID {8}Time/);
});
