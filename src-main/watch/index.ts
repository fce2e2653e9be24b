// Watch mode: plans that opt in (plan.watch.enabled) are backed up shortly after their files
// change, in addition to their schedule. The watch service keeps one PlanWatcher per such plan
// and follows the profiles as they change.
import path from 'node:path';
import type { JobService } from '../jobs/types.ts';
import { planExcludes, planSources, systemEnvironment, type PlanEnvironment } from '../profiles/plan-options.ts';
import type { Plan, RepositoryProfile } from '../profiles/index.ts';
import { systemClock, type Clock } from '../scheduler/clock.ts';
import { systemWatchLimit } from './count-dirs.ts';
import { PlanWatcher, type WatchEventDecision } from './plan-watcher.ts';

export { PlanWatcher, type PlanWatcherOptions, type WatcherState, type WatchEventDecision } from './plan-watcher.ts';
export { Debouncer } from './debounce.ts';
export { countDirectories } from './count-dirs.ts';

export const DEFAULT_MAX_DIRECTORIES = 20_000;

export interface WatchServiceOptions {
  trigger: (planId: string) => void;
  onFallback: (planId: string, message: string) => void;
  repository: (id: string) => RepositoryProfile | undefined;
  /** Folders never to react to: the app's data and cache folders (job logs land there). */
  ignorePaths: string[];
  clock?: Clock;
  /** Default: the smaller of DEFAULT_MAX_DIRECTORIES and half the system's inotify limit. */
  maxDirectories?: number;
  environment?: PlanEnvironment;
  onEvent?: (planId: string, path: string, decision: WatchEventDecision) => void;
}

/** A local repository's folder (the only kind that can lie inside a source). */
export function localRepositoryPath(location: string): string | null {
  const p = location.startsWith('local:') ? location.slice('local:'.length) : location;
  return path.isAbsolute(p) ? path.resolve(p) : null;
}

export class WatchService {
  private readonly opts: WatchServiceOptions;
  private readonly watchers = new Map<string, { key: string; watcher: PlanWatcher }>();

  constructor(opts: WatchServiceOptions) {
    this.opts = opts;
  }

  state(planId: string): PlanWatcher['state'] | 'off' {
    return this.watchers.get(planId)?.watcher.state ?? 'off';
  }

  /** Starts, restarts or stops watchers so they match the plans. */
  async update(plans: readonly Plan[]): Promise<void> {
    const wanted = new Map(plans.filter((p) => p.watch.enabled).map((p) => [p.id, p]));
    for (const [id, w] of [...this.watchers]) {
      const plan = wanted.get(id);
      if (!plan || this.keyOf(plan) !== w.key) {
        this.watchers.delete(id);
        await w.watcher.close();
      }
    }
    const limit = this.opts.maxDirectories ?? Math.min(DEFAULT_MAX_DIRECTORIES, (await systemWatchLimit()) ?? DEFAULT_MAX_DIRECTORIES);
    const env = this.opts.environment ?? systemEnvironment();
    for (const plan of wanted.values()) {
      if (this.watchers.has(plan.id)) continue;
      const repoPaths = [plan.repositoryId, plan.copyToRepositoryId]
        .map((id) => (id ? this.opts.repository(id) : undefined))
        .flatMap((r) => (r ? [localRepositoryPath(r.location)] : []))
        .filter((p): p is string => p !== null);
      const watcher = new PlanWatcher({
        planId: plan.id,
        sources: planSources(plan, env),
        excludes: planExcludes(plan, env),
        ignorePaths: [...repoPaths, ...this.opts.ignorePaths],
        debounceMs: plan.watch.debounceMinutes * 60_000,
        clock: this.opts.clock ?? systemClock,
        maxDirectories: limit,
        trigger: this.opts.trigger,
        onFallback: this.opts.onFallback,
        onEvent: this.opts.onEvent ? (p, d) => this.opts.onEvent!(plan.id, p, d) : undefined,
      });
      this.watchers.set(plan.id, { key: this.keyOf(plan), watcher });
      await watcher.start();
    }
  }

  async close(): Promise<void> {
    const all = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.all(all.map((w) => w.watcher.close()));
  }

  private keyOf(plan: Plan): string {
    return JSON.stringify([plan.sources, plan.excludes, plan.excludePresets, plan.watch, plan.repositoryId, plan.copyToRepositoryId]);
  }
}

/**
 * The usual trigger: a watch backup through the job service, unless one for the plan is already
 * waiting in the queue (changes during a running backup still get their own backup afterwards).
 */
export function watchTrigger(jobs: JobService, onError: (planId: string, message: string) => void): (planId: string) => void {
  return (planId) => {
    const waiting = jobs.active().some((j) => j.state === 'queued' && j.request.kind === 'backup' && j.request.planId === planId);
    if (waiting) return;
    jobs.start({ kind: 'backup', planId, reason: 'watch' }).catch((err: unknown) => onError(planId, err instanceof Error ? err.message : String(err)));
  };
}
