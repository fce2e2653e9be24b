// The scheduler, when the host runs one: per-plan status, pause and resume (all plans or one).
import { CairnError } from '../../../src-worker/index.ts';
import type { ApiContext, SchedulerControl } from '../context.ts';
import type { HandlerTable } from './types.ts';

function status(s: SchedulerControl | undefined) {
  if (!s) return { available: false, pausedUntil: null, plans: [] };
  return { available: true, pausedUntil: s.pausedUntil ?? null, plans: s.statuses() };
}

function requireScheduler(ctx: ApiContext): SchedulerControl {
  if (!ctx.scheduler) throw new CairnError('INVALID_ARGUMENT', 'this host runs no scheduler: plans run only when started by hand');
  return ctx.scheduler;
}

export const schedulerHandlers: HandlerTable<'scheduler.status' | 'scheduler.pause' | 'scheduler.resume' | 'scheduler.pausePlan' | 'scheduler.resumePlan'> = {
  async 'scheduler.status'(_input, ctx) {
    return status(ctx.scheduler);
  },
  async 'scheduler.pause'(input, ctx) {
    requireScheduler(ctx).pauseUntil(input.until);
    return status(ctx.scheduler);
  },
  async 'scheduler.resume'(_input, ctx) {
    requireScheduler(ctx).resume();
    return status(ctx.scheduler);
  },
  async 'scheduler.pausePlan'(input, ctx) {
    requireScheduler(ctx).pausePlan(input.planId, input.until);
    return status(ctx.scheduler);
  },
  async 'scheduler.resumePlan'(input, ctx) {
    requireScheduler(ctx).resumePlan(input.planId);
    return status(ctx.scheduler);
  },
};
