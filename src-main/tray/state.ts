// Keeps the tray model's inputs current and hands out a new model when it changes. Fed the app's
// events (job progress, jobs finishing, scheduler changes, profile edits); it reads plans, plan
// statuses and the pause from injected sources. Emissions are rate-limited (progress comes several
// times a second; a tray menu rebuilt that often flickers), and the model is recomputed every
// `refreshMs` anyway, because "Last backup 5 minutes ago" changes with time alone.
import type { ApiEvent } from '../api/contract.ts';
import type { Clock, PlanStatus, TimerHandle } from '../scheduler/index.ts';
import { trayModel, type TrayAction, type TrayItem, type TrayModel, type TrayPlanInput, type TrayProgress } from './model.ts';

/**
 * What makes two models the same menu: everything but the pause actions' end times, which move
 * with the clock (and are recomputed at the click: actionNow).
 */
function sameMenu(m: TrayModel): string {
  return JSON.stringify(m, (key, value: unknown) => (key === 'until' ? undefined : value));
}

export interface TraySources {
  plans(): readonly { id: string; name: string }[];
  /** The scheduler's statuses; empty when the host runs no scheduler. */
  statuses(): readonly PlanStatus[];
  pausedUntil(): number | undefined;
}

export interface TrayStateOptions {
  sources: TraySources;
  clock: Clock;
  onModel: (model: TrayModel) => void;
  /** At most one model per this many ms (the last change always gets through, late). */
  minIntervalMs?: number;
  refreshMs?: number;
  timeZone?: string;
}

interface ActiveJob {
  planId: string;
  state: 'queued' | 'running';
  progress?: TrayProgress;
}

export interface TrayOutcome {
  at: number;
  result: 'success' | 'failure';
  error?: string;
}

interface Outcome extends TrayOutcome {
  /** Seen as an event in this session (not read from the history at start-up). */
  live?: boolean;
}

export class TrayState {
  private readonly opts: TrayStateOptions;
  private readonly minIntervalMs: number;
  private readonly active = new Map<string, ActiveJob>();
  /** Backups seen finishing in this session, including ones started outside the scheduler. */
  private readonly outcomes = new Map<string, Outcome>();
  private lastJson = '';
  private lastEmitAt = -Infinity;
  private current: TrayModel;
  private emitTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private closed = false;

  constructor(opts: TrayStateOptions) {
    this.opts = opts;
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    // The first model is read from `model`; the first change after it goes out at once.
    this.current = this.compute();
    this.lastJson = sameMenu(this.current);
    this.armRefresh();
  }

  get model(): TrayModel {
    return this.current;
  }

  /** An earlier outcome of a plan's backup (from the persisted history, at start-up). */
  seed(planId: string, outcome: TrayOutcome): void {
    const known = this.outcomes.get(planId);
    if (!known || known.at < outcome.at) this.outcomes.set(planId, outcome);
    this.changed();
  }

  handle(e: ApiEvent): void {
    switch (e.type) {
      case 'job-queued':
      case 'job-started': {
        const r = e.job.request;
        if (r.kind !== 'backup') return;
        const known = this.active.get(e.job.id);
        this.active.set(e.job.id, { planId: r.planId, state: e.type === 'job-started' ? 'running' : 'queued', progress: known?.progress });
        break;
      }
      case 'job-progress': {
        const job = this.active.get(e.jobId);
        if (!job) return;
        job.state = 'running';
        job.progress = { planId: job.planId, bytesDone: e.progress.bytesDone, bytesTotal: e.progress.bytesTotal ?? null };
        break;
      }
      case 'job-finished': {
        this.active.delete(e.job.id);
        const r = e.job.request;
        if (r.kind !== 'backup') return;
        const at = e.job.finishedAt ?? this.opts.clock.now();
        if (e.job.state === 'succeeded') this.outcomes.set(r.planId, { at, result: 'success', live: true });
        else if (e.job.state === 'failed') this.outcomes.set(r.planId, { at, result: 'failure', error: e.job.error, live: true });
        break;
      }
      case 'scheduler':
      case 'profiles-changed':
        break;
      default:
        return;
    }
    this.changed();
  }

  /**
   * The action of the menu item with this label as of now. A menu shown for a while holds
   * "pause for 1 hour" computed when it was built; the click must pause from the moment of the click.
   */
  actionNow(label: string, fallback: TrayAction): TrayAction {
    const find = (items: readonly TrayItem[]): TrayAction | undefined => {
      for (const i of items) {
        if (i.kind === 'action' && i.label === label) return i.action;
        if (i.kind === 'submenu') {
          const a = find(i.items);
          if (a) return a;
        }
      }
      return undefined;
    };
    return find(this.compute().items) ?? fallback;
  }

  close(): void {
    this.closed = true;
    if (this.emitTimer !== undefined) this.opts.clock.clearTimer(this.emitTimer);
    if (this.refreshTimer !== undefined) this.opts.clock.clearTimer(this.refreshTimer);
  }

  private changed(): void {
    if (this.closed || this.emitTimer !== undefined) return;
    const wait = this.lastEmitAt + this.minIntervalMs - this.opts.clock.now();
    if (wait <= 0) this.emit();
    else this.emitTimer = this.opts.clock.setTimer(() => {
      this.emitTimer = undefined;
      this.emit();
    }, wait);
  }

  private emit(): void {
    if (this.closed) return;
    const model = this.compute();
    const json = sameMenu(model);
    if (json === this.lastJson) return;
    this.current = model;
    this.lastJson = json;
    this.lastEmitAt = this.opts.clock.now();
    this.opts.onModel(model);
  }

  private armRefresh(): void {
    this.refreshTimer = this.opts.clock.setTimer(() => {
      this.changed();
      this.armRefresh();
    }, this.opts.refreshMs ?? 60_000);
  }

  private compute(): TrayModel {
    const { sources, clock, timeZone } = this.opts;
    const statuses = new Map(sources.statuses().map((s) => [s.planId, s]));
    const active = [...this.active.values()];
    const plans: TrayPlanInput[] = sources.plans().map((p) => {
      const s = statuses.get(p.id);
      const mine = active.filter((j) => j.planId === p.id);
      const state = mine.some((j) => j.state === 'running') ? 'running' : mine.length > 0 ? 'queued' : s?.state ?? 'idle';
      // The newer of what the scheduler remembers and what this session saw (manual backups
      // bypass the scheduler; the scheduler remembers across restarts).
      const fromScheduler: Outcome | undefined = s?.lastResult === 'success' && s.lastSuccess !== undefined
        ? { at: s.lastSuccess, result: 'success' }
        : s?.lastResult === 'failure' && s.lastAttempt !== undefined ? { at: s.lastAttempt, result: 'failure', error: s.lastError } : undefined;
      const seen = this.outcomes.get(p.id);
      const last = !seen ? fromScheduler : !fromScheduler ? seen : seen.at >= fromScheduler.at ? seen : fromScheduler;
      const successes = [s?.lastSuccess, seen?.result === 'success' ? seen.at : undefined].filter((t): t is number => t !== undefined);
      return {
        id: p.id,
        name: p.name,
        state,
        lastSuccess: successes.length > 0 ? Math.max(...successes) : undefined,
        lastResult: last?.result,
        lastError: last?.error,
        // A success this session that the scheduler does not know of (a manual backup) clears
        // "overdue": the plan's files were just saved.
        overdue: (s?.overdue ?? false) && !(seen?.live === true && seen.result === 'success' && seen.at > (s?.lastSuccess ?? -Infinity)),
      };
    });
    const running = active.filter((j) => j.state === 'running').map((j) => j.progress ?? { planId: j.planId, bytesDone: 0, bytesTotal: null });
    return trayModel({ plans, running, pausedUntil: sources.pausedUntil(), now: clock.now(), timeZone });
  }
}
