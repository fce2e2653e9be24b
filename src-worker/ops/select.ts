// The snapshots a multi-snapshot command (find, stats) works on, chosen as restic 0.14 chooses
// them: the given ids (prefixes, or "latest" within the filter), each once, in the order given;
// without ids, every snapshot the host/tag/path filter accepts, oldest first.
import { isCairnError } from '../errors.ts';
import type { Repository, SnapshotEntry } from '../repository/repository.ts';
import { findSnapshot, matchesFilter, type SnapshotFilter } from './snapshots.ts';

export async function selectSnapshots(repo: Repository, refs: string[], filter: SnapshotFilter, warn: (message: string) => void): Promise<SnapshotEntry[]> {
  const filtered = Object.values(filter).some((v) => v?.length);
  if (refs.length === 0) {
    const all = await repo.listSnapshots((id, err) => warn(`could not load snapshot ${id.slice(0, 8)}: ${(err as Error).message}`));
    return all.filter((e) => matchesFilter(e.snapshot, filter));
  }
  const out: SnapshotEntry[] = [];
  const seen = new Set<string>();
  let usedFilter = false;
  for (const ref of refs) {
    let entry: SnapshotEntry;
    try {
      if (ref === 'latest') usedFilter = true;
      entry = await findSnapshot(repo, ref, ref === 'latest' ? filter : {});
    } catch (err) {
      if (!isCairnError(err, 'NOT_FOUND') && !isCairnError(err, 'INVALID_ARGUMENT')) throw err;
      warn(`Ignoring "${ref}": ${err.message}`);
      continue;
    }
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    out.push(entry);
  }
  if (!usedFilter && filtered) warn('Ignoring filters as there are explicit snapshot ids given');
  return out;
}
