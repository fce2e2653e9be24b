// Forget by the plan's retention policy, then prune (only when something was forgotten, and
// inside forget's exclusive lock, as `restic forget --prune` does).
import { describePolicy, forget, isEmptyPolicy, parseGroupBy, prune, shortId, type Repository } from '../../../src-worker/index.ts';
import type { Plan } from '../../profiles/index.ts';
import type { JobContext } from '../context.ts';
import { planSelection, retentionPolicy, type PlanEnvironment } from '../../profiles/plan-options.ts';

/** restic's default; the UI has no setting for it yet. */
const MAX_UNUSED = '5%';

export async function applyRetention(ctx: JobContext, repo: Repository, plan: Plan, env: PlanEnvironment, dryRun: boolean): Promise<void> {
  const policy = retentionPolicy(plan.retention);
  if (isEmptyPolicy(policy)) {
    ctx.log('info', 'the plan has no retention policy: no snapshots are removed');
    ctx.summary.snapshotsRemoved = 0;
    return;
  }
  ctx.log('info', `${dryRun ? 'previewing' : 'applying'} the retention policy: ${describePolicy(policy)}`);
  ctx.progress({ phase: 'forgetting', filesDone: 0, bytesDone: 0 });
  const result = await forget(repo, {
    policy,
    groupBy: parseGroupBy('host,paths'),
    selection: planSelection(plan, env),
    dryRun,
    signal: ctx.signal,
    warn: (m) => ctx.log('warning', m),
    afterDelete: async (forgotten) => {
      ctx.log('info', `${dryRun ? 'would remove' : 'removed'} ${forgotten.removed.length} snapshots: ${forgotten.removed.map(shortId).join(' ')}`);
      ctx.log('info', dryRun ? 'previewing prune' : 'pruning data no snapshot needs any more');
      // A preview's forget removed nothing: its prune must pretend it did, or it would free nothing.
      const ignoreSnapshots = dryRun ? new Set(forgotten.removed) : undefined;
      const pruned = await prune(repo, { maxUnused: MAX_UNUSED, dryRun, ignoreSnapshots, signal: ctx.signal }, (p) => {
        ctx.progress({ phase: `pruning (${p.phase})`, filesDone: p.done, filesTotal: p.total, bytesDone: 0 });
      });
      ctx.summary.pruneBytesFreed = pruned.bytesFreed;
      ctx.summary.prunePacksDeleted = pruned.unreferencedPacks.length + pruned.removedPacks.length + pruned.repackedPacks.length;
      ctx.log('info', `prune ${dryRun ? 'would free' : 'freed'} ${pruned.bytesFreed} bytes`);
    },
  });
  ctx.summary.snapshotsRemoved = result.removed.length;
  ctx.summary.snapshotsKept = result.groups.reduce((n, g) => n + g.keep.length, 0);
  if (result.removed.length === 0) ctx.log('info', 'the retention policy keeps every snapshot: nothing to prune');
}
