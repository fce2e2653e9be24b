// Retention preview: what the plan's policy would keep and remove today, with restic's reasons.
// A dry run by construction: planForget reads snapshot files only, takes no lock, deletes nothing.
import { CairnError, describePolicy, emptyPolicy, parseDuration, planForget, type KeepPolicy } from '../../../src-worker/index.ts';
import type { Plan, Retention } from '../../profiles/index.ts';
import type { HandlerTable } from './types.ts';

/** A plan's retention as the engine's policy (the profiles schema already checked the values). */
export function policyFromRetention(r: Retention): KeepPolicy {
  const p = emptyPolicy();
  p.last = r.keepLast ?? 0;
  p.hourly = r.keepHourly ?? 0;
  p.daily = r.keepDaily ?? 0;
  p.weekly = r.keepWeekly ?? 0;
  p.monthly = r.keepMonthly ?? 0;
  p.yearly = r.keepYearly ?? 0;
  if (r.keepWithin) p.within = parseDuration(r.keepWithin, 'keepWithin');
  if (r.keepTags?.length) p.tags = [r.keepTags];
  return p;
}

/**
 * Which snapshots belong to a plan: those holding all of its sources. The job runner's
 * forget-prune must select the same way, or the preview would not show what it does.
 */
export function planSelection(plan: Plan): { paths: string[] } {
  return { paths: plan.sources };
}

export const retentionHandlers: HandlerTable<'retention.preview'> = {
  async 'retention.preview'(input, ctx) {
    const plan = ctx.profiles.plan(input.planId);
    if (!plan) throw new CairnError('NOT_FOUND', `plan "${input.planId}" does not exist`);
    const policy = policyFromRetention(input.retention ?? plan.retention);
    return ctx.repositories.use(plan.repositoryId, async (repo) => {
      const result = await planForget(repo, { policy, selection: planSelection(plan) });
      return {
        policy: describePolicy(policy),
        policyEmpty: result.policyEmpty,
        groups: result.groups.map((g) => ({
          hostname: g.key.hostname,
          paths: g.key.paths ?? [],
          tags: g.key.tags ?? [],
          keep: g.keep.map((e, i) => ({ id: e.id, time: e.snapshot.time, reasons: g.reasons[i]?.matches ?? [] })),
          remove: g.remove.map((e) => ({ id: e.id, time: e.snapshot.time })),
        })),
        removed: result.removed,
      };
    });
  },
};
