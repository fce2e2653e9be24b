// `tag`: changes the tags of snapshots. A snapshot file is immutable (its name is its hash), so a
// changed snapshot is saved anew, with `original` naming the first version, before the old file is
// deleted: a crash in between leaves two copies, never none.
import { CairnError, throwIfAborted } from '../errors.ts';
import type { Id } from '../format/id.ts';
import type { Snapshot } from '../format/snapshot.ts';
import { RepositoryLock } from '../repository/locks.ts';
import type { Repository } from '../repository/repository.ts';
import { selectSnapshots, type SnapshotSelection } from './select.ts';

export interface TagOptions {
  selection?: SnapshotSelection;
  /** Replace all tags with these ([] clears them); exclusive with add/remove. */
  set?: string[];
  add?: string[];
  remove?: string[];
  signal?: AbortSignal;
  warn?: (message: string) => void;
}

export interface TagChange {
  oldId: Id;
  newId: Id;
  tags: string[];
}

export interface TagResult {
  changed: TagChange[];
}

/** Checks the flag combination before anything is opened. */
export function checkTagOptions(o: Pick<TagOptions, 'set' | 'add' | 'remove'>): void {
  if (o.set === undefined && !o.add?.length && !o.remove?.length) throw new CairnError('INVALID_ARGUMENT', 'nothing to do: give --set, --add or --remove');
  if (o.set !== undefined && (o.add?.length || o.remove?.length)) throw new CairnError('INVALID_ARGUMENT', '--set and --add/--remove cannot be given at the same time');
}

/** The new tag list, or null when nothing changes (restic's add-then-remove rules, order included). */
export function changedTags(current: readonly string[], o: Pick<TagOptions, 'set' | 'add' | 'remove'>): string[] | null {
  if (o.set !== undefined) return [...o.set];
  const tags = [...current];
  let changed = false;
  for (const t of o.add ?? []) {
    if (!tags.includes(t)) { tags.push(t); changed = true; }
  }
  for (const t of o.remove ?? []) {
    const i = tags.indexOf(t);
    if (i >= 0) {
      // restic moves the last tag into the hole; the same order keeps listings identical.
      tags[i] = tags[tags.length - 1]!;
      tags.pop();
      changed = true;
    }
  }
  return changed ? tags : null;
}

export async function tag(repo: Repository, options: TagOptions): Promise<TagResult> {
  checkTagOptions(options);
  const warn = options.warn ?? (() => {});
  const lock = await RepositoryLock.acquire(repo, true);
  try {
    const entries = await selectSnapshots(repo, options.selection ?? {}, warn);
    const changed: TagChange[] = [];
    for (const e of entries) {
      throwIfAborted(options.signal);
      const tags = changedTags(e.snapshot.tags ?? [], options);
      if (!tags) continue;
      const next: Snapshot = { ...e.snapshot, tags, original: e.snapshot.original ?? e.id };
      const newId = await repo.saveSnapshot(next);
      // Identical content (e.g. --set to the same tags of a re-tagged snapshot) hashes to the same name.
      if (newId !== e.id) await repo.backend.remove('snapshots', e.id);
      changed.push({ oldId: e.id, newId, tags });
    }
    return { changed };
  } finally {
    await lock.release();
  }
}
