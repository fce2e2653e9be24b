// Policy values as restic's forget flags take them: calendar durations such as "1y2m3d4h"
// (years, months, days, hours; the unit letters restic knows) and keep counts.
import { CairnError } from '../../errors.ts';

/** A calendar duration: months and years have no fixed length, so each unit is kept apart. */
export interface Duration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

export const ZERO_DURATION: Duration = Object.freeze({ years: 0, months: 0, days: 0, hours: 0 });

/** Larger values overflow restic's int arithmetic on dates; nobody keeps snapshots that long. */
const MAX_UNITS = 1_000_000;

export function isZeroDuration(d: Duration): boolean {
  return d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0;
}

/** "1y2m3d4h", zero units left out, as restic prints a duration in reasons ("within 1y2m"). */
export function formatDuration(d: Duration): string {
  return (d.years ? `${d.years}y` : '') + (d.months ? `${d.months}m` : '') + (d.days ? `${d.days}d` : '') + (d.hours ? `${d.hours}h` : '');
}

/**
 * Parses "6y5m234d37h" (any subset, any order; a unit given twice keeps the last value, as in
 * restic; surrounding blanks ignored; "" is the zero duration). `flag` names the option in errors.
 * restic 0.14 also accepts negative numbers ("-1d"), which silently keep nothing; Cairn refuses
 * them, since nobody means that.
 */
export function parseDuration(text: string, flag = 'duration'): Duration {
  const d: Duration = { years: 0, months: 0, days: 0, hours: 0 };
  const s = text.trim();
  const bad = (why: string) => new CairnError('INVALID_ARGUMENT', `${flag} "${text}": ${why}; use a duration such as 1y2m3d4h (years, months, days, hours)`);
  const part = /(-?)(\d*)([^\d]?)/y;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s)!;
    const [, minus, digits, unit] = m;
    if (digits === '') throw bad(`a number is missing at "${s.slice(at)}"`);
    if (minus) throw bad('negative durations are not allowed');
    const n = Number(digits);
    if (!Number.isSafeInteger(n) || n > MAX_UNITS) throw bad(`${digits} is too large`);
    if (unit === '') throw bad(`the unit after ${digits} is missing`);
    switch (unit) {
      case 'y': d.years = n; break;
      case 'm': d.months = n; break;
      case 'd': d.days = n; break;
      case 'h': d.hours = n; break;
      default: throw bad(`"${unit}" is not a unit (y, m, d or h)`);
    }
    at = part.lastIndex;
  }
  return d;
}

/**
 * A keep count as restic's flags read integers (Go's strconv with base prefix: "0x10", "0o17",
 * "017", "0b11", "1_000" all work there, so they work here). Negative counts, which restic 0.14
 * accepts but then removes every snapshot of the group, are refused.
 */
export function parseCount(text: string, flag: string): number {
  const bad = (why: string) => new CairnError('INVALID_ARGUMENT', `${flag} "${text}": ${why}; give a whole number of snapshots, 0 or more`);
  // Go's integer literal syntax: "_" only between digits or right after a base prefix.
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/.exec(text);
  if (!m) throw bad('not a number');
  const [, sign, body] = m;
  let digits = body!.replace(/_/g, '');
  let base = 10;
  if (/^0[xXbBoO]/.test(digits)) { base = { x: 16, b: 2, o: 8 }[digits[1]!.toLowerCase() as 'x' | 'b' | 'o']; digits = digits.slice(2); }
  else if (digits.length > 1 && digits.startsWith('0')) { base = 8; digits = digits.slice(1); }
  if (digits === '') throw bad('not a number');
  const n = parseInt(digits, base);
  if (sign === '-' && n !== 0) throw bad('negative counts are not allowed');
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw bad('too large');
  return n;
}
