// A snapshot's time as restic's policy sees it: the instant (for ordering and "within"), and the
// calendar fields in the UTC offset written in the snapshot file (Go keeps that offset when it
// reads the JSON, so "daily" means the day where the backup ran, not where forget runs).
import { CairnError } from '../../errors.ts';
import { civilFromDays, daysFromCivil } from '../../format/time.ts';

export interface SnapshotTime {
  /** Nanoseconds since the Unix epoch. */
  ns: bigint;
  year: number;
  month: number;
  day: number;
  hour: number;
  /** Seconds since midnight and the sub-second part, in the snapshot's offset. */
  secOfDay: number;
  fracNs: bigint;
  /** Seconds east of UTC. */
  offset: number;
}

const RFC3339 = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

export function parseSnapshotTime(text: string): SnapshotTime {
  const m = RFC3339.exec(text);
  if (!m) throw new CairnError('CORRUPT_OBJECT', `invalid snapshot time "${text}"`);
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = m[8]!;
  const offset = zone === 'Z' || zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  const secOfDay = hour * 3600 + min * 60 + sec;
  const fracNs = m[7] ? BigInt(m[7].padEnd(9, '0')) : 0n;
  const ns = (BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(secOfDay - offset)) * 1_000_000_000n + fracNs;
  return { ns, year, month, day, hour, secOfDay, fracNs, offset };
}

/** Go's zero time (year 1, UTC), what restic measures "within" from when no snapshot is in the past. */
export const GO_ZERO_TIME: SnapshotTime = parseSnapshotTime('0001-01-01T00:00:00Z');

/** ISO 8601 year and week of a calendar date (weeks start on Monday; week 1 holds a Thursday). */
export function isoWeek(year: number, month: number, day: number): [number, number] {
  const days = daysFromCivil(year, month, day);
  const weekday = ((days % 7) + 7 + 3) % 7 + 1; // 1970-01-01 was a Thursday (4); Monday = 1
  const thursday = days + 4 - weekday;
  const [ty] = civilFromDays(thursday);
  return [ty, Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1];
}

/**
 * The instant `years, months, days` earlier on the calendar of `t`'s offset, then `hours` earlier,
 * as Go's t.AddDate(-y, -m, -d).Add(-h): months overflow into years and days past a month's end
 * roll over (March 31 minus one month is March 3, or 2 in a leap year).
 */
export function subtractCalendar(t: SnapshotTime, years: number, months: number, days: number, hours: number): bigint {
  let y = t.year - years;
  let mo = t.month - months;
  // Normalize the month to 1..12, carrying into the year.
  y += Math.floor((mo - 1) / 12);
  mo = ((mo - 1) % 12 + 12) % 12 + 1;
  const dayNumber = daysFromCivil(y, mo, t.day - days);
  const sec = BigInt(dayNumber) * 86400n + BigInt(t.secOfDay - t.offset) - BigInt(hours) * 3600n;
  return sec * 1_000_000_000n + t.fracNs;
}
