// Retention preview: what the plan's policy would keep and remove today, with restic's reasons.
// A dry run by construction: planForget reads snapshot files only, takes no lock, deletes nothing.
import { CairnError, describePolicy, planForget } from '../../../src-worker/index.ts';
// The same mapping the job runner's forget-prune uses, so the preview shows what the job will do.
import { planSelection, retentionPolicy, systemEnvironment } from '../../profiles/plan-options.ts';
import type { HandlerTable } from './types.ts';

export const retentionHandlers: HandlerTable<'retention.preview'> = {
  async 'retention.preview'(input, ctx) {
    const plan = ctx.profiles.plan(input.planId);
    if (!plan) throw new CairnError('NOT_FOUND', `plan "${input.planId}" does not exist`);
    const policy = retentionPolicy(input.retention ?? plan.retention);
    return ctx.repositories.use(plan.repositoryId, async (repo) => {
      const result = await planForget(repo, { policy, selection: planSelection(plan, systemEnvironment()) });
      return {
        policy: describePolicy(policy),
        policyEmpty: result.policyEmpty,
        groups: result.groups.map((g) => ({
          hostname: g.key.hostname,
          paths: g.key.paths ?? [],
          tags: g.key.tags ?? [],
          keep: g.keep.map((e) => ({ id: e.id, time: e.snapshot.time, reasons: g.reasons.find((r) => r.entry.id === e.id)?.matches ?? [] })),
          remove: g.remove.map((e) => ({ id: e.id, time: e.snapshot.time })),
        })),
        removed: result.removed,
      };
    });
  },
};
