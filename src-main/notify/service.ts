// The notification policy, fed: listens to the app's events, looks up what the policy needs to know
// about a plan's past (first success? recovering from a failure?), checks for plans that became
// overdue, and hands each notification to the host's `deliver` (native in Electron, an API event
// under `cairn serve`). Time comes from the injected clock, so tests run it without waiting.
import type { ApiEvent } from '../api/contract.ts';
import type { JobInfo, JobService } from '../jobs/types.ts';
import type { Clock, PlanStatus, TimerHandle } from '../scheduler/index.ts';
import { relativeTime } from '../tray/format.ts';
import { NotificationPolicy, type NotificationPolicyOptions } from './policy.ts';
import type { CairnNotification } from './types.ts';

export interface NotificationServiceDeps {
  clock: Clock;
  events: { subscribe(listener: (e: ApiEvent) => void): () => void };
  jobs: Pick<JobService, 'history'>;
  planName(planId: string): string | undefined;
  /** The scheduler's plan statuses (overdue flags); none when the host runs no scheduler. */
  statuses(): readonly PlanStatus[];
  deliver(n: CairnNotification): void;
  /** The user's choices (Settings → Notifications): false silences the notification. Default: all. */
  wants?: (n: CairnNotification) => boolean;
  /** How often to look for plans that became overdue (they do so by time passing alone). */
  overdueCheckMs?: number;
  policy?: Omit<NotificationPolicyOptions, 'relativeTime'>;
  onProblem?: (message: string) => void;
}

export class NotificationService {
  private readonly deps: NotificationServiceDeps;
  private readonly policy: NotificationPolicy;
  private readonly unsubscribe: () => void;
  private overdue = new Set<string>();
  private flushTimer: TimerHandle | undefined;
  private overdueTimer: TimerHandle | undefined;
  private pending = new Set<Promise<void>>();
  private closed = false;

  constructor(deps: NotificationServiceDeps) {
    this.deps = deps;
    this.policy = new NotificationPolicy({ ...deps.policy, relativeTime });
    this.unsubscribe = deps.events.subscribe((e) => this.onEvent(e));
    this.checkOverdue();
  }

  /** Resolves when every job-finished event seen so far has been looked at (tests; quit). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.flushTimer !== undefined) this.deps.clock.clearTimer(this.flushTimer);
    if (this.overdueTimer !== undefined) this.deps.clock.clearTimer(this.overdueTimer);
  }

  private onEvent(e: ApiEvent): void {
    if (e.type === 'job-finished') {
      const p = this.jobFinished(e.job).catch((err: unknown) => this.deps.onProblem?.(`a notification was lost: ${err instanceof Error ? err.message : String(err)}`));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    } else if (e.type === 'scheduler' || e.type === 'profiles-changed') {
      this.checkOverdue();
    }
  }

  private async jobFinished(job: JobInfo): Promise<void> {
    const r = job.request;
    let firstSuccess = false;
    let recovered = false;
    let planName: string | undefined;
    if (r.kind === 'backup' || r.kind === 'forget-prune') planName = this.deps.planName(r.planId);
    if (r.kind === 'backup' && job.state === 'succeeded') {
      // The plan's earlier backups, newest first (this job may or may not be recorded yet).
      const earlier = (await this.deps.jobs.history({ planId: r.planId, limit: 200 }))
        .filter((j) => j.id !== job.id && j.request.kind === 'backup' && (j.state === 'succeeded' || j.state === 'failed'));
      firstSuccess = !earlier.some((j) => j.state === 'succeeded');
      recovered = earlier[0]?.state === 'failed';
    }
    if (this.closed) return;
    this.show(this.policy.push({ type: 'job-finished', job, planName, firstSuccess, recovered }, this.deps.clock.now()));
  }

  /** Plans that turned overdue since the last look are told once; the flag clears on success. */
  private checkOverdue(): void {
    if (this.closed) return;
    if (this.overdueTimer !== undefined) this.deps.clock.clearTimer(this.overdueTimer);
    const now = this.deps.clock.now();
    const next = new Set<string>();
    for (const s of this.deps.statuses()) {
      if (!s.overdue) continue;
      next.add(s.planId);
      if (this.overdue.has(s.planId)) continue;
      this.show(this.policy.push({ type: 'plan-overdue', planId: s.planId, planName: this.deps.planName(s.planId) ?? s.planId, lastSuccess: s.lastSuccess }, now));
    }
    this.overdue = next;
    this.overdueTimer = this.deps.clock.setTimer(() => this.checkOverdue(), this.deps.overdueCheckMs ?? 5 * 60_000);
  }

  private show(list: CairnNotification[]): void {
    for (const n of list) if (this.deps.wants?.(n) ?? true) this.deps.deliver(n);
    const due = this.policy.nextFlushAt();
    if (due !== undefined && this.flushTimer === undefined) {
      this.flushTimer = this.deps.clock.setTimer(() => {
        this.flushTimer = undefined;
        this.show(this.policy.flush(this.deps.clock.now()));
      }, Math.max(0, due - this.deps.clock.now()));
    }
  }
}
