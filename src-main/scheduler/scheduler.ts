// When plans run. Per plan: an interval or a cron schedule (croner, local time zone). It knows
// nothing of the engine: it calls the injected runJob(plan) and records what came back.
//
// Rules, and why:
// - A slot missed while the computer slept or the app was closed runs ONCE at the next start or
//   wake, not once per missed slot: ten missed hourly backups are one backup of the same files.
//   This falls out of computing "due" from the last attempt and the wall clock, never from a
//   counter of slots. Wake is detected by the clock: a timer fires, and far more wall time has
//   passed than it was set for (timers do not count time asleep).
// - Never two jobs on the same repository at once (a repository lock would make the second fail
//   anyway); jobs on different repositories run in parallel. A plan that also copies to a second
//   repository holds both.
// - Failures are retried with exponential backoff (1, 2, 4 … minutes, capped). A plan is queued at
//   most once, so retries and slots never pile up.
// - "Overdue": no success within twice the plan's period (for cron, the gap between two slots).
// - Pauses: all schedules (pauseUntil) or one plan's (pausePlan). A plan waits while either holds
//   it; what fell due meanwhile runs once when both have ended. "Back up now" ignores pauses.
import { CairnError } from '../../src-worker/index.ts';
import { nextSlot, periodAfter, type Schedule } from '../profiles/schedule.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { PlanRunState, SchedulerState, SchedulerStore } from './state.ts';

/** The part of a plan the scheduler reads; runJob gets the whole plan back. */
export interface SchedulablePlan {
  id: string;
  name: string;
  repositoryId: string;
  copyToRepositoryId?: string;
  schedule: Schedule;
}

export type JobResult = { ok: true } | { ok: false; error: string };
export type RunReason = 'scheduled' | 'catch-up' | 'retry' | 'manual';

export type SchedulerEvent =
  | { type: 'queued'; planId: string; reason: RunReason }
  | { type: 'started'; planId: string; reason: RunReason; at: number }
  | { type: 'finished'; planId: string; ok: boolean; error?: string; at: number }
  | { type: 'wake'; at: number; asleepMs: number }
  | { type: 'paused'; until: number }
  | { type: 'resumed' }
  | { type: 'plan-paused'; planId: string; until: number }
  | { type: 'plan-resumed'; planId: string }
  /** The run history could not be saved; it is tried again with the next change. */
  | { type: 'save-failed'; message: string };

export interface PlanStatus {
  planId: string;
  state: 'idle' | 'queued' | 'running';
  /** When it runs next by itself (a retry, a slot, or the end of a pause); null for manual plans. */
  nextRun: number | null;
  /** The end of this plan's own pause, while it lasts (the global pause is SchedulerStatus's). */
  pausedUntil?: number;
  lastAttempt?: number;
  lastSuccess?: number;
  lastResult?: 'success' | 'failure';
  lastError?: string;
  failures: number;
  overdue: boolean;
}

export interface SchedulerOptions<P extends SchedulablePlan> {
  clock: Clock;
  store: SchedulerStore;
  runJob: (plan: P) => Promise<JobResult>;
  /** IANA zone for cron; default the system's local zone. */
  timezone?: string;
  /** First retry delay; doubles per consecutive failure up to retryCapMs. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Longest the scheduler sleeps between looks at the clock; bounds how late a wake is noticed. */
  heartbeatMs?: number;
  onEvent?: (e: SchedulerEvent) => void;
}

interface Pending {
  planId: string;
  reason: RunReason;
}

const MINUTE = 60_000;
/** The longest a plan may be paused: a year (366 days, so "same date next year" fits). */
export const MAX_PLAN_PAUSE_MS = 366 * 24 * 60 * MINUTE;

export class Scheduler<P extends SchedulablePlan> {
  private readonly clock: Clock;
  private readonly store: SchedulerStore;
  private readonly runJob: (plan: P) => Promise<JobResult>;
  private readonly timezone: string | undefined;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;
  private readonly heartbeatMs: number;
  private readonly onEvent: (e: SchedulerEvent) => void;

  private plans = new Map<string, P>();
  private state: SchedulerState = { version: 1, plans: {} };
  private pending: Pending[] = [];
  private running = new Map<string, { repos: string[]; promise: Promise<void> }>();
  private busyRepos = new Set<string>();
  private timer: TimerHandle | undefined;
  /** Wall time at which the armed timer should fire, to notice a jump (sleep). */
  private expectedAt = 0;
  private started = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(options: SchedulerOptions<P>) {
    this.clock = options.clock;
    this.store = options.store;
    this.runJob = options.runJob;
    this.timezone = options.timezone;
    this.retryBaseMs = options.retryBaseMs ?? MINUTE;
    this.retryCapMs = options.retryCapMs ?? 60 * MINUTE;
    this.heartbeatMs = options.heartbeatMs ?? MINUTE;
    this.onEvent = options.onEvent ?? (() => {});
  }

  /** Loads what was remembered, runs what was missed (once each), and starts watching the clock. */
  async start(plans: readonly P[]): Promise<void> {
    if (this.started) throw new CairnError('INVALID_ARGUMENT', 'the scheduler is already running');
    this.state = await this.store.load();
    this.started = true;
    this.setPlans(plans);
  }

  /** Replaces the plan list (after an edit). Run history of removed plans is forgotten. */
  setPlans(plans: readonly P[]): void {
    const now = this.clock.now();
    this.plans = new Map(plans.map((p) => [p.id, p]));
    for (const p of plans) this.state.plans[p.id] ??= { since: now, failures: 0 };
    for (const id of Object.keys(this.state.plans)) if (!this.plans.has(id)) delete this.state.plans[id];
    this.pending = this.pending.filter((q) => this.plans.has(q.planId));
    this.persist();
    if (this.started) this.tick();
  }

  /** Stops watching the clock. Running jobs finish (cancelling them is the job runner's work). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.pending = [];
    await Promise.all([...this.running.values()].map((r) => r.promise));
    await this.saving;
  }

  /** "Back up now": queues the plan unless it is already queued or running. Works while paused. */
  runNow(planId: string): 'queued' | 'already-queued' | 'running' {
    if (!this.plans.has(planId)) throw new CairnError('NOT_FOUND', `plan "${planId}" does not exist`);
    if (this.running.has(planId)) return 'running';
    if (this.pending.some((q) => q.planId === planId)) return 'already-queued';
    this.enqueue(planId, 'manual');
    this.pump();
    return 'queued';
  }

  /** No scheduled run starts before `until`; what fell due meanwhile runs once afterwards. */
  pauseUntil(until: number): void {
    this.state.pausedUntil = until;
    // Scheduled runs not yet started wait too; "Back up now" requests stay.
    this.pending = this.pending.filter((q) => q.reason === 'manual');
    this.onEvent({ type: 'paused', until });
    this.persist();
    this.tick();
  }

  resume(): void {
    if (this.state.pausedUntil === undefined) return;
    delete this.state.pausedUntil;
    this.onEvent({ type: 'resumed' });
    this.persist();
    this.tick();
  }

  get pausedUntil(): number | undefined {
    const until = this.state.pausedUntil;
    return until !== undefined && until > this.clock.now() ? until : undefined;
  }

  /** Like pauseUntil, for one plan: its scheduled runs wait, other plans and "Back up now" do not. */
  pausePlan(planId: string, until: number): void {
    const s = this.runState(planId);
    const now = this.clock.now();
    if (!(until > now)) throw new CairnError('INVALID_ARGUMENT', `the pause of plan "${planId}" would end in the past: pick a later time`);
    // A forgotten pause must not silently stop backups for good.
    if (until - now > MAX_PLAN_PAUSE_MS) throw new CairnError('INVALID_ARGUMENT', `the pause of plan "${planId}" would last more than a year: pick an earlier time`);
    s.pausedUntil = until;
    this.pending = this.pending.filter((q) => q.planId !== planId || q.reason === 'manual');
    this.onEvent({ type: 'plan-paused', planId, until });
    this.persist();
    this.tick();
  }

  resumePlan(planId: string): void {
    const s = this.runState(planId);
    if (s.pausedUntil === undefined) return;
    delete s.pausedUntil;
    this.onEvent({ type: 'plan-resumed', planId });
    this.persist();
    this.tick();
  }

  status(planId: string): PlanStatus {
    const plan = this.plans.get(planId);
    const s = this.runState(planId);
    if (!plan) throw new CairnError('NOT_FOUND', `plan "${planId}" does not exist`);
    const now = this.clock.now();
    const due = this.dueAt(plan, s, now);
    const pauseEnd = this.pauseEnd(s, now);
    const own = this.ownPause(s, now);
    return {
      planId,
      state: this.running.has(planId) ? 'running' : this.pending.some((q) => q.planId === planId) ? 'queued' : 'idle',
      nextRun: due === null ? null : pauseEnd !== undefined ? Math.max(due, pauseEnd) : due,
      ...(own !== undefined ? { pausedUntil: own } : {}),
      lastAttempt: s.lastAttempt,
      lastSuccess: s.lastSuccess,
      lastResult: s.lastResult,
      lastError: s.lastError,
      failures: s.failures,
      overdue: this.isOverdue(plan, s, now),
    };
  }

  statuses(): PlanStatus[] {
    return [...this.plans.keys()].map((id) => this.status(id));
  }

  /** Resolves when no job is running or queued (tests; a clean quit). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.promise));
    await this.saving;
  }

  // --- internals ---

  private runState(planId: string): PlanRunState {
    const s = this.state.plans[planId];
    if (!s || !this.plans.has(planId)) throw new CairnError('NOT_FOUND', `plan "${planId}" does not exist`);
    return s;
  }

  private ownPause(s: PlanRunState, now: number): number | undefined {
    return s.pausedUntil !== undefined && s.pausedUntil > now ? s.pausedUntil : undefined;
  }

  /** When every pause that holds this plan has ended (the later of the global and its own), or undefined if none holds it. */
  private pauseEnd(s: PlanRunState, now: number): number | undefined {
    const global = this.state.pausedUntil !== undefined && this.state.pausedUntil > now ? this.state.pausedUntil : undefined;
    const own = this.ownPause(s, now);
    if (global === undefined) return own;
    return own === undefined ? global : Math.max(global, own);
  }

  private retryDelay(failures: number): number {
    return Math.min(this.retryBaseMs * 2 ** Math.min(failures - 1, 30), this.retryCapMs);
  }

  /** When the plan is due by its own schedule (ignoring pause), or null for manual plans. */
  private dueAt(plan: P, s: PlanRunState, now: number): number | null {
    // A clock set back must not push the next run into the far future.
    const last = s.lastAttempt === undefined ? undefined : Math.min(s.lastAttempt, now);
    let due: number | null;
    if (last === undefined) {
      // Never ran: an interval plan runs now (a new plan should protect data soon); a cron plan
      // waits for its first slot.
      due = plan.schedule.kind === 'interval' ? s.since : nextSlot(plan.schedule, s.since - 1, this.timezone);
    } else {
      due = nextSlot(plan.schedule, last, this.timezone);
    }
    // A plan without a schedule is not retried by itself: its user asked for one run and sees it fail.
    if (s.failures > 0 && last !== undefined && plan.schedule.kind !== 'manual') {
      const retryAt = last + this.retryDelay(s.failures);
      due = due === null ? retryAt : Math.min(due, retryAt);
    }
    return due;
  }

  private isOverdue(plan: P, s: PlanRunState, now: number): boolean {
    const ref = s.lastSuccess ?? s.since;
    const period = periodAfter(plan.schedule, ref, this.timezone);
    return period !== null && now - ref > 2 * period;
  }

  /** Looks at the clock: notices a wake, queues what is due, and arms the next look. */
  private tick(): void {
    if (!this.started) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const now = this.clock.now();

    const paused = this.pausedUntil !== undefined;
    if (!paused && this.state.pausedUntil !== undefined) {
      // The pause ended by itself.
      delete this.state.pausedUntil;
      this.onEvent({ type: 'resumed' });
      this.persist();
    }
    let next = Infinity;
    for (const plan of this.plans.values()) {
      const s = this.state.plans[plan.id];
      if (s.pausedUntil !== undefined && this.ownPause(s, now) === undefined) {
        // This plan's own pause ended by itself.
        delete s.pausedUntil;
        this.onEvent({ type: 'plan-resumed', planId: plan.id });
        this.persist();
      }
      const due = this.dueAt(plan, s, now);
      if (due === null || this.running.has(plan.id) || this.pending.some((q) => q.planId === plan.id)) continue;
      const pauseEnd = this.pauseEnd(s, now);
      if (due <= now && pauseEnd === undefined) {
        // Due more than a heartbeat ago means we were not around for it: asleep or not running.
        const reason: RunReason = s.failures > 0 && due === s.lastAttempt! + this.retryDelay(s.failures) ? 'retry' : due < now - this.heartbeatMs ? 'catch-up' : 'scheduled';
        this.enqueue(plan.id, reason);
      } else {
        next = Math.min(next, Math.max(due, pauseEnd ?? due));
      }
    }
    this.pump();

    const delay = Math.max(0, Math.min(next - now, this.heartbeatMs));
    this.expectedAt = now + delay;
    this.timer = this.clock.setTimer(() => this.onTimer(), delay);
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const late = now - this.expectedAt;
    // Timers run on monotonic time; wall time running far ahead of it means the machine slept.
    if (late > this.heartbeatMs) this.onEvent({ type: 'wake', at: now, asleepMs: late });
    this.tick();
  }

  private enqueue(planId: string, reason: RunReason): void {
    this.pending.push({ planId, reason });
    this.onEvent({ type: 'queued', planId, reason });
  }

  private reposOf(plan: P): string[] {
    return plan.copyToRepositoryId ? [plan.repositoryId, plan.copyToRepositoryId] : [plan.repositoryId];
  }

  /** Starts every queued job whose repositories are free, in queue order. */
  private pump(): void {
    for (let i = 0; i < this.pending.length; ) {
      const q = this.pending[i];
      const plan = this.plans.get(q.planId);
      if (!plan) {
        this.pending.splice(i, 1);
        continue;
      }
      const repos = this.reposOf(plan);
      if (this.running.has(plan.id) || repos.some((r) => this.busyRepos.has(r))) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.start1(plan, q.reason, repos);
    }
  }

  private start1(plan: P, reason: RunReason, repos: string[]): void {
    const startedAt = this.clock.now();
    const s = this.state.plans[plan.id];
    s.lastAttempt = startedAt;
    for (const r of repos) this.busyRepos.add(r);
    this.persist();
    this.onEvent({ type: 'started', planId: plan.id, reason, at: startedAt });
    const promise = (async () => {
      let result: JobResult;
      try {
        result = await this.runJob(plan);
      } catch (err) {
        result = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      const at = this.clock.now();
      const st = this.state.plans[plan.id];
      if (st) {
        if (result.ok) {
          st.lastSuccess = at;
          st.lastResult = 'success';
          st.failures = 0;
          delete st.lastError;
        } else {
          st.lastResult = 'failure';
          st.lastError = result.error.split('\n')[0].slice(0, 500);
          st.failures += 1;
        }
      }
      for (const r of repos) this.busyRepos.delete(r);
      this.running.delete(plan.id);
      this.persist();
      this.onEvent(result.ok ? { type: 'finished', planId: plan.id, ok: true, at } : { type: 'finished', planId: plan.id, ok: false, error: st?.lastError ?? result.error, at });
      this.pump();
      this.tick();
    })();
    this.running.set(plan.id, { repos, promise });
  }

  /**
   * Saves in order, one at a time. A failed save does not stop scheduling (the state in memory is
   * right, and the next change writes it all again); it is reported so the host can show it.
   */
  private persist(): void {
    const snapshot = structuredClone(this.state);
    this.saving = this.saving
      .then(() => this.store.save(snapshot))
      .catch((err: unknown) => this.onEvent({ type: 'save-failed', message: err instanceof Error ? err.message : String(err) }));
  }
}
