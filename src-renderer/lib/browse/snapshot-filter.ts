// The snapshot list's filters, as a pure function of the snapshot and the filter fields.
import type { ApiOutput, Plan } from '../api/index.ts';

export type SnapshotInfo = ApiOutput<'snapshots.list'>['snapshots'][number];

export interface SnapshotFilter {
  planId: string;
  host: string;
  tag: string;
  /** yyyy-mm-dd from a date input, or ''. Inclusive, in local time. */
  from: string;
  to: string;
  /** A backed-up folder, or part of its path. */
  path: string;
}

export const NO_FILTER: SnapshotFilter = { planId: '', host: '', tag: '', from: '', to: '', path: '' };

/**
 * A plan's snapshots are the ones with exactly its sources as paths and all its tags: the same
 * grouping its retention uses (src-main/profiles/plan-options.ts), minus the host, which the
 * host filter covers.
 */
export function belongsToPlan(s: SnapshotInfo, plan: Plan): boolean {
  const a = [...s.paths].sort();
  const b = [...plan.sources].sort();
  return a.length === b.length && a.every((p, i) => p === b[i]) && plan.tags.every((t) => s.tags.includes(t));
}

function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function matches(s: SnapshotInfo, f: SnapshotFilter, plans: Plan[]): boolean {
  if (f.planId) {
    const plan = plans.find((p) => p.id === f.planId);
    if (plan && !belongsToPlan(s, plan)) return false;
  }
  if (f.host && s.hostname !== f.host) return false;
  if (f.tag && !s.tags.includes(f.tag)) return false;
  const day = localDay(s.time);
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  if (f.path && !s.paths.some((p) => p.toLowerCase().includes(f.path.toLowerCase()))) return false;
  return true;
}

/** How many snapshot rows the list shows at first, and adds per "Show more". */
export const SNAPSHOT_PAGE = 100;

/**
 * The newest `limit` snapshots, newest first, and how many older ones are left out: a repository
 * with years of hourly snapshots holds tens of thousands, which would be as many table rows.
 */
export function newestPage(snapshots: readonly SnapshotInfo[], limit: number): { rows: SnapshotInfo[]; hidden: number } {
  const n = Math.min(limit, snapshots.length);
  const rows: SnapshotInfo[] = [];
  for (let i = snapshots.length - 1; i >= snapshots.length - n; i--) rows.push(snapshots[i]!);
  return { rows, hidden: snapshots.length - n };
}
