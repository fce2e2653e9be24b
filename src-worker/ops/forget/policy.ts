// Which snapshots a retention policy keeps, decided as restic 0.14 decides it, with the reasons.
// Pure: no repository, no clock unless given, so it is tested on hand-made histories.
//
// The rules, newest snapshot first: a "last/hourly/daily/..." rule with count n keeps the newest
// snapshot of each of its n most recent periods (hour, day, ISO week, month, year) in the
// snapshot's own UTC offset; "within D" keeps everything newer than (newest snapshot - D);
// "hourly within D" keeps the newest of every hour inside that window, without a count; a tag
// list keeps every snapshot that has all its tags. A snapshot is kept if any rule keeps it.
import type { SnapshotEntry } from '../../repository/repository.ts';
import { formatDuration, isZeroDuration, ZERO_DURATION, type Duration } from './duration.ts';
import { GO_ZERO_TIME, isoWeek, parseSnapshotTime, subtractCalendar, type SnapshotTime } from './snapshot-time.ts';

export interface KeepPolicy {
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
  within: Duration;
  withinHourly: Duration;
  withinDaily: Duration;
  withinWeekly: Duration;
  withinMonthly: Duration;
  withinYearly: Duration;
  /** Each entry is a tag list; a snapshot having every tag of one list is kept. */
  tags: string[][];
}

export interface KeepCounters {
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

export interface KeepReason {
  entry: SnapshotEntry;
  /** What matched, in restic's words: "last snapshot", "daily snapshot", "within 2d", "hourly within 1d", "has tags [a, b]". */
  matches: string[];
  /** How many periods each counted rule had left after this snapshot. */
  counters: KeepCounters;
}

export interface PolicyResult {
  /** Newest first. */
  keep: SnapshotEntry[];
  remove: SnapshotEntry[];
  /** One per kept snapshot, in the order of `keep`. */
  reasons: KeepReason[];
}

export function emptyPolicy(): KeepPolicy {
  return {
    last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0,
    within: ZERO_DURATION, withinHourly: ZERO_DURATION, withinDaily: ZERO_DURATION,
    withinWeekly: ZERO_DURATION, withinMonthly: ZERO_DURATION, withinYearly: ZERO_DURATION,
    tags: [],
  };
}

export function isEmptyPolicy(p: KeepPolicy): boolean {
  return p.tags.length === 0 && p.last === 0 && p.hourly === 0 && p.daily === 0 && p.weekly === 0 && p.monthly === 0 && p.yearly === 0 &&
    [p.within, p.withinHourly, p.withinDaily, p.withinWeekly, p.withinMonthly, p.withinYearly].every(isZeroDuration);
}

/** A tag list as restic prints one: "[a, b]". */
export function formatTagList(list: string[]): string {
  return '[' + list.join(', ') + ']';
}

/** The policy in words, as restic's "Applying Policy: ..." line prints it. */
export function describePolicy(p: KeepPolicy): string {
  const counts: string[] = [];
  const named: [number, string][] = [[p.last, 'latest'], [p.hourly, 'hourly'], [p.daily, 'daily'], [p.weekly, 'weekly'], [p.monthly, 'monthly'], [p.yearly, 'yearly']];
  for (const [n, what] of named) if (n > 0) counts.push(`${n} ${what}`);
  const windows: string[] = [];
  const within: [Duration, string][] = [[p.withinHourly, 'hourly'], [p.withinDaily, 'daily'], [p.withinWeekly, 'weekly'], [p.withinMonthly, 'monthly'], [p.withinYearly, 'yearly']];
  for (const [d, what] of within) if (!isZeroDuration(d)) windows.push(`${what} snapshots within ${formatDuration(d)}`);
  let s = counts.length ? `${counts.join(', ')} snapshots` : '';
  if (windows.length) s += (s ? ', ' : '') + windows.join(', ');
  if (p.tags.length) s += (s ? ' and ' : '') + `all snapshots with tags [${p.tags.map(formatTagList).join(' ')}]`;
  if (!isZeroDuration(p.within)) s += (s ? ' and ' : '') + `all snapshots within ${formatDuration(p.within)} of the newest`;
  return 'keep ' + s;
}

/**
 * restic's tag-list test: the snapshot has every tag of `list`; an empty tag in the list matches
 * a snapshot without any tags (so `--tag ""` selects untagged snapshots).
 */
export function hasTags(snapshotTags: readonly string[] | undefined, list: readonly string[]): boolean {
  const tags = snapshotTags ?? [];
  for (const tag of list) {
    if (tag === '' && tags.length === 0) return true;
    if (!tags.includes(tag)) return false;
  }
  return true;
}

type Bucketer = (t: SnapshotTime, nr: number) => number;
const always: Bucketer = (_t, nr) => nr;
const byHour: Bucketer = (t) => t.year * 1_000_000 + t.month * 10_000 + t.day * 100 + t.hour;
const byDay: Bucketer = (t) => t.year * 10_000 + t.month * 100 + t.day;
const byWeek: Bucketer = (t) => { const [y, w] = isoWeek(t.year, t.month, t.day); return y * 100 + w; };
const byMonth: Bucketer = (t) => t.year * 100 + t.month;
const byYear: Bucketer = (t) => t.year;

/** Newest first by instant; equal instants keep their input order. */
function newestFirst(entries: readonly SnapshotEntry[]): { entry: SnapshotEntry; time: SnapshotTime }[] {
  const timed = entries.map((entry, i) => ({ entry, time: parseSnapshotTime(entry.snapshot.time), i }));
  timed.sort((a, b) => (a.time.ns > b.time.ns ? -1 : a.time.ns < b.time.ns ? 1 : a.i - b.i));
  return timed;
}

/** The newest snapshot not in the future: the point "within" windows are measured back from. */
function latestTime(list: { time: SnapshotTime }[], nowNs: bigint): SnapshotTime {
  let latest = GO_ZERO_TIME;
  for (const { time } of list) if (time.ns > latest.ns && time.ns < nowNs) latest = time;
  return latest;
}

function windowStart(latest: SnapshotTime, d: Duration): bigint {
  return subtractCalendar(latest, d.years, d.months, d.days, d.hours);
}

/**
 * Applies `policy` to one group of snapshots. `nowNs` is the clock (snapshots dated in the future
 * do not move the "within" windows). An empty policy keeps everything ("policy is empty").
 */
export function applyPolicy(entries: readonly SnapshotEntry[], policy: KeepPolicy, nowNs: bigint): PolicyResult {
  const list = newestFirst(entries);
  const result: PolicyResult = { keep: [], remove: [], reasons: [] };
  const zeroCounters = (): KeepCounters => ({ last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 });
  if (isEmptyPolicy(policy)) {
    for (const { entry } of list) {
      result.keep.push(entry);
      result.reasons.push({ entry, matches: ['policy is empty'], counters: zeroCounters() });
    }
    return result;
  }
  if (list.length === 0) return result;

  const counted = [
    { count: policy.last, bucket: always, lastValue: -1, reason: 'last snapshot' },
    { count: policy.hourly, bucket: byHour, lastValue: -1, reason: 'hourly snapshot' },
    { count: policy.daily, bucket: byDay, lastValue: -1, reason: 'daily snapshot' },
    { count: policy.weekly, bucket: byWeek, lastValue: -1, reason: 'weekly snapshot' },
    { count: policy.monthly, bucket: byMonth, lastValue: -1, reason: 'monthly snapshot' },
    { count: policy.yearly, bucket: byYear, lastValue: -1, reason: 'yearly snapshot' },
  ];
  const windowed = [
    { within: policy.withinHourly, bucket: byHour, lastValue: -1, reason: 'hourly within' },
    { within: policy.withinDaily, bucket: byDay, lastValue: -1, reason: 'daily within' },
    { within: policy.withinWeekly, bucket: byWeek, lastValue: -1, reason: 'weekly within' },
    { within: policy.withinMonthly, bucket: byMonth, lastValue: -1, reason: 'monthly within' },
    { within: policy.withinYearly, bucket: byYear, lastValue: -1, reason: 'yearly within' },
  ];
  const latest = latestTime(list, nowNs);
  const withinStart = isZeroDuration(policy.within) ? null : windowStart(latest, policy.within);
  const windowStarts = windowed.map((w) => (isZeroDuration(w.within) ? null : windowStart(latest, w.within)));

  list.forEach(({ entry, time }, nr) => {
    const matches: string[] = [];
    for (const l of policy.tags) if (hasTags(entry.snapshot.tags, l)) matches.push(`has tags ${formatTagList(l)}`);
    if (withinStart !== null && time.ns > withinStart) matches.push(`within ${formatDuration(policy.within)}`);
    for (const b of counted) {
      if (b.count <= 0) continue;
      const value = b.bucket(time, nr);
      if (value !== b.lastValue) {
        b.lastValue = value;
        b.count--;
        matches.push(b.reason);
      }
    }
    windowed.forEach((w, i) => {
      const start = windowStarts[i];
      if (start === null || time.ns <= start!) return;
      const value = w.bucket(time, nr);
      if (value !== w.lastValue) {
        w.lastValue = value;
        matches.push(`${w.reason} ${formatDuration(w.within)}`);
      }
    });
    if (matches.length > 0) {
      result.keep.push(entry);
      const [last, hourly, daily, weekly, monthly, yearly] = counted.map((b) => b.count) as [number, number, number, number, number, number];
      result.reasons.push({ entry, matches, counters: { last, hourly, daily, weekly, monthly, yearly } });
    } else {
      result.remove.push(entry);
    }
  });
  return result;
}
