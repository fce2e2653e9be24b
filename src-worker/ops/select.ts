// Which snapshots a command works on, as restic chooses them for forget, tag, find and stats: explicit
// ids (unique prefixes, or "latest" with the filters) or else every snapshot passing the filters.
import type { Id } from '../format/id.ts';
import type { Snapshot } from '../format/snapshot.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { hasTags } from './forget/policy.ts';

export interface SnapshotSelection {
  /** Snapshot ids, id prefixes or "latest"; when given, the filters apply to "latest" only. */
  ids?: string[];
  hosts?: string[];
  /** Tag lists (already split at commas); a snapshot matching any one list passes. */
  tags?: string[][];
  /** The snapshot must contain all of these paths. */
  paths?: string[];
}

/** Splits a `--tag a,b` value the way restic does: at commas, blanks around each tag dropped. */
export function splitTagList(text: string): string[] {
  return text.split(',').map((t) => t.trim());
}

export function passesFilter(sn: Snapshot, sel: SnapshotSelection): boolean {
  if (sel.hosts?.length && !sel.hosts.includes(sn.hostname ?? '')) return false;
  if (sel.tags?.length && !sel.tags.some((l) => hasTags(sn.tags, l))) return false;
  if (sel.paths?.length && !sel.paths.every((p) => sn.paths.includes(p))) return false;
  return true;
}

/**
 * The selected snapshots: without ids, every one passing the filters, oldest first; with ids,
 * in the order given (each once), as restic lists them. Unreadable snapshots and ids that match nothing (or more
 * than one snapshot) are reported through `warn` and skipped, as restic does.
 */
export async function selectSnapshots(repo: Repository, sel: SnapshotSelection, warn: (message: string) => void): Promise<SnapshotEntry[]> {
  const all = await repo.listSnapshots((id, err) => warn(`could not load snapshot ${id.slice(0, 8)}: ${(err as Error).message}`));
  if (!sel.ids?.length) return all.filter((e) => passesFilter(e.snapshot, sel));
  const chosen = new Map<Id, SnapshotEntry>();
  let usedFilter = false;
  for (const ref of sel.ids) {
    if (ref === 'latest') {
      usedFilter = true;
      const latest = all.filter((e) => passesFilter(e.snapshot, sel)).at(-1);
      if (latest) chosen.set(latest.id, latest);
      else warn(`Ignoring "latest": no snapshot matched the given filter`);
      continue;
    }
    const hits = all.filter((e) => e.id.startsWith(ref));
    if (hits.length === 1) chosen.set(hits[0]!.id, hits[0]!);
    else if (hits.length === 0) warn(`Ignoring "${ref}": no snapshot with this id (see "cairn snapshots")`);
    else warn(`Ignoring "${ref}": ${hits.length} snapshots start with this id, give more of it`);
  }
  if (!usedFilter && (sel.hosts?.length || sel.tags?.length || sel.paths?.length)) warn('Ignoring filters as there are explicit snapshot ids given');
  return [...chosen.values()];
}
