// Grouping snapshots for forget and `snapshots --group-by`, as restic groups them: by any of host,
// paths and tags (paths and tags compared as sorted lists), one policy run per group.
import { CairnError } from '../../errors.ts';
import type { Snapshot } from '../../format/snapshot.ts';
import type { SnapshotEntry } from '../../repository/repository.ts';

export interface GroupBy {
  host: boolean;
  paths: boolean;
  tags: boolean;
}

/** What a group has in common; a criterion not grouped by is "" or null, as in restic's JSON. */
export interface GroupKey {
  hostname: string;
  paths: string[] | null;
  tags: string[] | null;
}

export interface SnapshotGroup {
  key: GroupKey;
  entries: SnapshotEntry[];
}

/** Parses "host,paths", "tags", "" (no grouping); restic's singular spellings work too. */
export function parseGroupBy(text: string): GroupBy {
  const g: GroupBy = { host: false, paths: false, tags: false };
  for (const option of text.split(',')) {
    switch (option) {
      case 'host': case 'hosts': g.host = true; break;
      case 'path': case 'paths': g.paths = true; break;
      case 'tag': case 'tags': g.tags = true; break;
      case '': break;
      default:
        throw new CairnError('INVALID_ARGUMENT', `--group-by "${text}": unknown grouping option "${option}"; use any of host, paths, tags separated by commas, or "" for no grouping`);
    }
  }
  return g;
}

export function isGrouped(g: GroupBy): boolean {
  return g.host || g.paths || g.tags;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Splits snapshots into groups, keeping their order inside each group. As restic does, every
 * returned snapshot has its paths sorted, and its tags sorted when grouping by tags (restic sorts
 * them in place, so its listings show them that way). Groups come sorted by key, so output is stable
 * (restic's order is random).
 */
export function groupSnapshots(entries: readonly SnapshotEntry[], by: GroupBy): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const e of entries) {
    const sn: Snapshot = { ...e.snapshot, paths: [...e.snapshot.paths].sort(byText) };
    if (by.tags && sn.tags) sn.tags = [...sn.tags].sort(byText);
    const key: GroupKey = {
      hostname: by.host ? sn.hostname ?? '' : '',
      paths: by.paths ? sn.paths : null,
      tags: by.tags ? sn.tags ?? null : null,
    };
    const text = JSON.stringify(key);
    let g = groups.get(text);
    if (!g) groups.set(text, (g = { key, entries: [] }));
    g.entries.push({ id: e.id, snapshot: sn });
  }
  return [...groups.entries()].sort(([a], [b]) => byText(a, b)).map(([, g]) => g);
}
