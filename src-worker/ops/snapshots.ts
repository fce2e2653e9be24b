// Finding snapshots: by id prefix, "latest", and restic's filters (--host, --tag, --path).
import { CairnError } from '../errors.ts';
import type { Id } from '../format/id.ts';
import type { Snapshot } from '../format/snapshot.ts';
import { parseTime } from '../format/time.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';

export interface SnapshotFilter {
  hosts?: string[];
  /** Each entry is a comma-separated tag list that must all be present; entries are alternatives. */
  tags?: string[];
  /** The snapshot must contain all of these paths. */
  paths?: string[];
}

export function matchesFilter(sn: Snapshot, f: SnapshotFilter): boolean {
  if (f.hosts?.length && !f.hosts.includes(sn.hostname ?? '')) return false;
  if (f.tags?.length) {
    const have = new Set(sn.tags ?? []);
    const ok = f.tags.some((list) => list.split(',').filter((t) => t !== '').every((t) => have.has(t)));
    if (!ok) return false;
  }
  if (f.paths?.length && !f.paths.every((p) => sn.paths.includes(p))) return false;
  return true;
}

export function snapshotTimeNs(sn: Snapshot): bigint {
  try {
    return parseTime(sn.time);
  } catch {
    return 0n;
  }
}

function latestOf(entries: SnapshotEntry[]): SnapshotEntry | undefined {
  let best: SnapshotEntry | undefined;
  let bestTime = 0n;
  for (const e of entries) {
    const t = snapshotTimeNs(e.snapshot);
    if (!best || t > bestTime || (t === bestTime && e.id > best.id)) {
      best = e;
      bestTime = t;
    }
  }
  return best;
}

/** Resolves an id, a unique id prefix, or "latest" (newest snapshot matching the filter). */
export async function findSnapshot(repo: Repository, ref: string, filter: SnapshotFilter = {}): Promise<SnapshotEntry> {
  if (ref === 'latest') {
    const all = await repo.listSnapshots();
    const latest = latestOf(all.filter((e) => matchesFilter(e.snapshot, filter)));
    if (latest) return latest;
    if (all.length === 0) throw new CairnError('NOT_FOUND', 'there is no snapshot yet: run "cairn backup" first');
    const which = all.length === 1 ? 'the one snapshot does not match' : `none of the ${all.length} snapshots matches`;
    throw new CairnError('NOT_FOUND', `${which} the --host, --tag and --path given: "cairn snapshots" lists them`);
  }
  if (!/^[0-9a-f]{1,64}$/.test(ref)) throw new CairnError('INVALID_ARGUMENT', `"${ref}" is not a snapshot id: use an id (or a unique prefix of one) from "cairn snapshots", or "latest"`);
  const ids = (await repo.listSnapshotIds()).filter((id) => id.startsWith(ref));
  if (ids.length === 0) throw new CairnError('NOT_FOUND', `no snapshot with id ${ref}: see "cairn snapshots" for the ids`);
  if (ids.length > 1) throw new CairnError('INVALID_ARGUMENT', `snapshot id prefix ${ref} is ambiguous (${ids.length} snapshots match): give more digits`);
  return { id: ids[0], snapshot: await repo.loadSnapshot(ids[0]) };
}

/**
 * The parent for a backup, as restic picks it: the newest snapshot from the same host that
 * contains all the backup's paths and is not newer than the backup itself.
 */
export async function findParentSnapshot(repo: Repository, q: { paths: string[]; host: string; before: bigint; explicit?: Id }): Promise<SnapshotEntry | null> {
  if (q.explicit) return findSnapshot(repo, q.explicit);
  const candidates = (await repo.listSnapshots(() => {})).filter((e) =>
    matchesFilter(e.snapshot, { hosts: [q.host], paths: q.paths }) && snapshotTimeNs(e.snapshot) <= q.before);
  return latestOf(candidates) ?? null;
}
