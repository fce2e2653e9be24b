// The scheduler's status (next run, last success, overdue, paused). Its events say that something
// changed, not the new status, so each one is followed by one fetch (coalesced when they burst).
import { asApiError, call, type ApiCallError, type PlanStatus, type SchedulerStatus } from '../api/index.ts';

class SchedulerStore {
  value = $state<SchedulerStatus | null>(null);
  error = $state<ApiCallError | null>(null);
  private pending: Promise<void> | null = null;

  plan(planId: string): PlanStatus | undefined {
    return this.value?.plans.find((p) => p.planId === planId);
  }

  get paused(): boolean {
    return this.value?.pausedUntil != null && this.value.pausedUntil > Date.now();
  }

  /** When this plan's scheduled backups may start again: the later of its own and the global pause; undefined when none holds it. */
  planPausedUntil(planId: string): number | undefined {
    const own = this.plan(planId)?.pausedUntil;
    const ends = [own, this.paused ? this.value?.pausedUntil : undefined].filter((t): t is number => t != null && t > Date.now());
    return ends.length > 0 ? Math.max(...ends) : undefined;
  }

  refresh(): Promise<void> {
    this.pending ??= call('scheduler.status', {})
      .then((s) => { this.value = s; this.error = null; }, (err: unknown) => { this.error = asApiError(err); })
      .finally(() => { this.pending = null; });
    return this.pending;
  }

  async pause(until: number): Promise<void> {
    this.value = await call('scheduler.pause', { until });
  }

  async resume(): Promise<void> {
    this.value = await call('scheduler.resume', {});
  }

  async pausePlan(planId: string, until: number): Promise<void> {
    this.value = await call('scheduler.pausePlan', { planId, until });
  }

  async resumePlan(planId: string): Promise<void> {
    this.value = await call('scheduler.resumePlan', { planId });
  }
}

export const scheduler = new SchedulerStore();
