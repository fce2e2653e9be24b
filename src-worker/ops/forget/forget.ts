// `forget`: removes snapshot files chosen by explicit ids or by a retention policy applied to each
// group, under the repository's exclusive lock. Only snapshot files go; the data they referenced
// stays until a prune, so the repository is valid at every step.
import { throwIfAborted } from '../../errors.ts';
import type { Id } from '../../format/id.ts';
import { nowNs } from '../../format/time.ts';
import { mapLimit } from '../../repository/concurrency.ts';
import { RepositoryLock } from '../../repository/locks.ts';
import type { Repository, SnapshotEntry } from '../../repository/repository.ts';
import { groupSnapshots, parseGroupBy, type GroupBy, type GroupKey } from './group.ts';
import { applyPolicy, isEmptyPolicy, type KeepPolicy, type KeepReason } from './policy.ts';
import { selectSnapshots, type SnapshotSelection } from '../select.ts';

const DELETE_CONCURRENCY = 4;

export interface ForgetOptions {
  policy: KeepPolicy;
  /** Default: host and paths, as restic. */
  groupBy?: GroupBy;
  /** Explicit ids (then no policy is applied: they are removed) and the --host/--tag/--path filters. */
  selection?: SnapshotSelection;
  dryRun?: boolean;
  signal?: AbortSignal;
  /** The clock, in nanoseconds since the epoch: snapshots after it do not move "within" windows. */
  now?: bigint;
  warn?: (message: string) => void;
  onDeleteProgress?: (done: number, total: number) => void;
  /**
   * Runs inside the same exclusive lock once the snapshot files are deleted (not on a dry run,
   * where it gets the would-be list too): where `forget --prune` prunes.
   */
  afterDelete?: (result: ForgetResult) => Promise<void>;
}

export interface ForgetGroup {
  key: GroupKey;
  keep: SnapshotEntry[];
  remove: SnapshotEntry[];
  reasons: KeepReason[];
}

export interface ForgetResult {
  /** One per group when a policy was applied; empty for explicit ids or an empty policy. */
  groups: ForgetGroup[];
  /** Snapshots removed (or that would be, on a dry run), sorted. */
  removed: Id[];
  dryRun: boolean;
  /** No policy and no ids: nothing is removed (restic says so, too). */
  policyEmpty: boolean;
}

/** Decides what to forget, without touching the repository's files (no lock either). */
export async function planForget(repo: Repository, options: Omit<ForgetOptions, 'dryRun' | 'afterDelete' | 'onDeleteProgress'>): Promise<Omit<ForgetResult, 'dryRun'>> {
  const warn = options.warn ?? (() => {});
  const selection = options.selection ?? {};
  const entries = await selectSnapshots(repo, selection, warn);
  throwIfAborted(options.signal);
  if (selection.ids?.length) return { groups: [], removed: entries.map((e) => e.id).sort(), policyEmpty: false };
  if (isEmptyPolicy(options.policy)) return { groups: [], removed: [], policyEmpty: true };
  const now = options.now ?? nowNs();
  const groups: ForgetGroup[] = groupSnapshots(entries, options.groupBy ?? parseGroupBy('host,paths')).map((g) => ({
    key: g.key, ...applyPolicy(g.entries, options.policy, now),
  }));
  const removed = groups.flatMap((g) => g.remove.map((e) => e.id)).sort();
  return { groups, removed, policyEmpty: false };
}

/** Takes the exclusive lock, decides, deletes (unless dry run), runs `afterDelete`, unlocks. */
export async function forget(repo: Repository, options: ForgetOptions): Promise<ForgetResult> {
  // restic locks even for a dry run, so the listing cannot race another prune or forget.
  const lock = await RepositoryLock.acquire(repo, true);
  try {
    const plan = await planForget(repo, options);
    const dryRun = options.dryRun === true;
    if (!dryRun && plan.removed.length > 0) {
      let done = 0;
      await mapLimit(plan.removed, DELETE_CONCURRENCY, async (id) => {
        throwIfAborted(options.signal);
        await repo.backend.remove('snapshots', id);
        options.onDeleteProgress?.(++done, plan.removed.length);
      });
    }
    const result = { ...plan, dryRun };
    if (plan.removed.length > 0 && options.afterDelete) await options.afterDelete(result);
    return result;
  } finally {
    await lock.release();
  }
}
