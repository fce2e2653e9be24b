// The starting point of the old-restic tests: a version 1 repository restic 0.14 wrote (two
// backups of the v1 source, the second of a changed copy), which each test copies and then turns
// into what an older restic would have left with the builders in old-index.ts, old-trees.ts,
// mixed-packs.ts and old-locks.ts. Plus the comparisons every such test makes against restic.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cheapenKeys } from './repo-format.ts';
import { makeOddTree } from './odd-files.ts';
import { changedSource, json, lastJson } from './v1-fixture.ts';
import { cairn, dataset, restic, resticOk, tmpDir } from './tools.ts';

export interface OldBase {
  work: string;
  /** The source of the first backup, and its changed copy (second backup). */
  src: string;
  next: string;
  repo: string;
  /** Snapshot ids, oldest first. */
  snaps: string[];
}

/**
 * The v1 tests' source without its two largest files (12 MiB), which add time and no case, and
 * with a second empty file (old restic wrote empty files' content in two ways).
 */
function makeSource(): { work: string; src: string } {
  const work = tmpDir('old-restic');
  const src = path.join(work, 'src');
  makeOddTree(path.join(src, 'odd'), 11);
  for (const big of ['over-8MiB', 'zeros-3MiB']) fs.rmSync(path.join(src, 'odd', 'sizes', big));
  fs.writeFileSync(path.join(src, 'odd', 'empty-too'), '');
  fs.cpSync(dataset(4), path.join(src, 'dataset'), { recursive: true });
  fs.rmSync(path.join(src, 'dataset', '.complete'));
  return { work, src };
}

export async function makeOldBase(): Promise<OldBase> {
  const { work, src } = makeSource();
  const next = changedSource(work, src, 'next');
  const repo = path.join(work, 'base');
  resticOk(repo, ['init', '--repository-version', '1']);
  await cheapenKeys(repo);
  const snaps = [src, next].map((dir) => resticBackup(repo, [dir]));
  return { work, src, next, repo, snaps };
}

/** Runs `restic backup`; returns the new snapshot's full id (restic 0.14's summary has a short one). */
export function resticBackup(repo: string, args: string[]): string {
  const short = lastJson<{ snapshot_id: string }>(resticOk(repo, ['--json', 'backup', ...args])).snapshot_id;
  const full = json<{ id: string }[]>(resticOk(repo, ['snapshots', '--json'])).map((s) => s.id).filter((id) => id.startsWith(short));
  if (full.length !== 1) throw new Error(`restic backup reported snapshot ${short}, which the listing does not hold once`);
  return full[0]!;
}

/** A copy of the base repository to turn into something else. */
export function copyRepo(base: OldBase, name: string): string {
  const dir = path.join(base.work, name);
  fs.cpSync(base.repo, dir, { recursive: true });
  return dir;
}

/** `check` of both tools: both exit 0; returns their outputs (hints are printed on stdout). */
export function bothCheckClean(repo: string, args: string[] = []): { restic: string; cairn: string } {
  const r = restic(repo, ['check', ...args]);
  assert.equal(r.code, 0, `restic check ${args.join(' ')}:\n${r.stderr}\n${r.stdout}`);
  const c = cairn(['-r', repo, 'check', ...args]);
  assert.equal(c.code, 0, `cairn check ${args.join(' ')}:\n${c.stderr}\n${c.stdout}`);
  return { restic: r.stdout, cairn: c.stdout };
}

export const snapshotIds = (text: string) => json<{ id: string }[]>(text).map((s) => s.id).sort();

/** `ls --json` as "type path size" lines, comparable between the tools. */
export const lsLines = (t: string) => t.trim().split('\n').slice(1)
  .map((l) => json<{ path: string; type: string; size?: number }>(l)).map((n) => `${n.type} ${n.path} ${n.size ?? ''}`);

/** Lines matching `re` in a text, sorted: e.g. the hints two check outputs must share. */
export const linesMatching = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).sort();
