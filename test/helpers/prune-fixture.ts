// A small repository with something to prune, made by restic (the oracle): four backups of a
// changing folder, the middle two forgotten (their data is unused now), and the packs of an
// "interrupted" backup that no index names. The two snapshots that stay are restored once by
// restic from this untouched repository, as the reference every pruned copy must still match.
import fs from 'node:fs';
import path from 'node:path';
import { compareTrees } from './compare.ts';
import { mulberry32, randomBytes } from './random.ts';
import { resticOk } from './tools.ts';

export interface PruneFixture {
  /** The repository to copy before each prune (never changed by tests). */
  base: string;
  /** The backed-up folder (its absolute path is the snapshots' path). */
  src: string;
  /** Snapshots that stay, oldest first. */
  kept: string[];
  /** Snapshots forgotten before the prune. */
  forgotten: string[];
  /** Where restic restored each kept snapshot from `base`: reference/<id>. */
  reference: string;
}

export function buildPruneFixture(work: string): PruneFixture {
  const rand = mulberry32(4242);
  const src = path.join(work, 'src');
  const base = path.join(work, 'base');
  const write = (rel: string, data: Buffer | string) => {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), data);
  };
  const noise = (n: number) => randomBytes(rand, n);
  const text = (i: number, n: number) => Array.from({ length: n }, (_, k) => `line ${k} of file ${i}: ${Math.floor(rand() * 1e9)}\n`).join('');

  for (let i = 0; i < 6; i++) write(`media/r${i}.bin`, noise(450_000 + i * 10_000));
  for (let i = 0; i < 20; i++) write(`docs/t${i}.txt`, text(i, 800));
  resticOk(base, ['init']);
  const snap = () => {
    resticOk(base, ['backup', '-q', src]);
    const list = JSON.parse(resticOk(base, ['snapshots', '--json'])) as { id: string; time: string }[];
    return list.sort((a, b) => a.time.localeCompare(b.time)).at(-1)!.id;
  };
  const ids: string[] = [snap()];
  // Second: three media files replaced, a folder of new data.
  for (let i = 0; i < 3; i++) write(`media/r${i}.bin`, noise(500_000));
  for (let i = 0; i < 4; i++) write(`extra/n${i}.bin`, noise(250_000));
  ids.push(snap());
  // Third: the other media files replaced, the new folder gone again, documents edited.
  for (let i = 3; i < 6; i++) write(`media/r${i}.bin`, noise(480_000));
  fs.rmSync(path.join(src, 'extra'), { recursive: true });
  for (let i = 0; i < 5; i++) write(`docs/t${i}.txt`, text(100 + i, 900));
  ids.push(snap());
  // Fourth: a little more change.
  write('media/late.bin', noise(300_000));
  write('docs/t7.txt', text(200, 700));
  ids.push(snap());
  resticOk(base, ['forget', ids[1], ids[2]]);

  // An interrupted backup: its packs are stored, but its index and snapshot never were.
  const indexBefore = new Set(fs.readdirSync(path.join(base, 'index')));
  const snapsBefore = new Set(fs.readdirSync(path.join(base, 'snapshots')));
  write('media/interrupted.bin', noise(400_000));
  resticOk(base, ['backup', '-q', src]);
  for (const f of fs.readdirSync(path.join(base, 'index'))) if (!indexBefore.has(f)) fs.rmSync(path.join(base, 'index', f));
  for (const f of fs.readdirSync(path.join(base, 'snapshots'))) if (!snapsBefore.has(f)) fs.rmSync(path.join(base, 'snapshots', f));
  fs.rmSync(path.join(src, 'media', 'interrupted.bin'));

  const kept = [ids[0], ids[3]];
  const reference = path.join(work, 'reference');
  for (const id of kept) resticOk(base, ['restore', id, '--target', path.join(reference, id)]);
  return { base, src, kept, forgotten: [ids[1], ids[2]], reference };
}

/** Copies the base repository (cp -a keeps modes; restic's files are read-only). */
export function copyRepo(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true, preserveTimestamps: true });
  return to;
}

/** Every file of a repository with its size: "data/ab/abcd… 1234". Locks and temp files excluded. */
export function listRepo(repo: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(repo, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.statSync(path.join(repo, r));
      if (st.isDirectory()) walk(r);
      else if (!r.startsWith('locks/') && !r.startsWith('tmp/')) out.push(`${r} ${st.size}`);
    }
  };
  walk('');
  return out;
}

/** Total bytes of a repository's files (locks and temp files excluded). */
export function repoBytes(repo: string, under = ''): number {
  return listRepo(repo).filter((l) => l.startsWith(under)).reduce((s, l) => s + Number(l.split(' ')[1]), 0);
}

/** Restores every kept snapshot of `repo` with restic and compares it with the reference; returns differences. */
export function restoreDiffs(fx: PruneFixture, repo: string, target: string): string[] {
  const diffs: string[] = [];
  for (const id of fx.kept) {
    const to = path.join(target, id);
    fs.rmSync(to, { recursive: true, force: true });
    resticOk(repo, ['restore', id, '--target', to]);
    diffs.push(...compareTrees(path.join(fx.reference, id), to).map((d) => `snapshot ${id.slice(0, 8)}: ${d}`));
    fs.rmSync(to, { recursive: true, force: true });
  }
  return diffs;
}
