// What a plan means to the engine: the backup's paths, excludes and tags; the retention policy;
// which snapshots the policy may touch. Pure functions, so the mapping is tested without I/O.
import os from 'node:os';
import path from 'node:path';
import { currentUser, emptyPolicy, parseDuration, type KeepPolicy, type SnapshotSelection } from '../../src-worker/index.ts';
import { presetPatterns, presetPlatform } from './excludes.ts';
import type { Plan, Retention } from './schema.ts';

export interface PlanEnvironment {
  home: string;
  hostname: string;
  platform: NodeJS.Platform;
}

export function systemEnvironment(): PlanEnvironment {
  return { home: os.homedir(), hostname: currentUser().hostname, platform: process.platform };
}

/** `~` and `~/x` mean the home folder (profiles and presets use them; the engine does not expand them). */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

export function planSources(plan: Plan, env: PlanEnvironment): string[] {
  return plan.sources.map((s) => path.resolve(expandHome(s, env.home)));
}

/** The plan's own patterns, then its presets', in the engine's (restic's) exclude syntax. */
export function planExcludes(plan: Plan, env: PlanEnvironment): string[] {
  const patterns = [...plan.excludes, ...presetPatterns(plan.excludePresets, presetPlatform(env.platform))];
  return [...new Set(patterns.map((p) => expandHome(p, env.home)))];
}

export function retentionPolicy(r: Retention): KeepPolicy {
  const policy = emptyPolicy();
  policy.last = r.keepLast ?? 0;
  policy.hourly = r.keepHourly ?? 0;
  policy.daily = r.keepDaily ?? 0;
  policy.weekly = r.keepWeekly ?? 0;
  policy.monthly = r.keepMonthly ?? 0;
  policy.yearly = r.keepYearly ?? 0;
  if (r.keepWithin) policy.within = parseDuration(r.keepWithin, 'keepWithin');
  // Each kept tag on its own: a snapshot with any one of them is kept.
  policy.tags = (r.keepTags ?? []).map((t) => [t]);
  return policy;
}

/**
 * The snapshots a plan's retention may remove: this machine's, with the plan's paths (and tags, if
 * it has any). Snapshots another plan or another computer wrote to the same repository are left
 * alone: applying this plan's policy to them would surprise their owner.
 */
export function planSelection(plan: Plan, env: PlanEnvironment): SnapshotSelection {
  return {
    hosts: [env.hostname],
    paths: planSources(plan, env),
    tags: plan.tags.length > 0 ? [plan.tags] : undefined,
  };
}
