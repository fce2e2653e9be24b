// Timestamps as restic stores them: Go's RFC 3339 with nanoseconds ("2006-01-02T15:04:05.999999999Z07:00"),
// trailing zeros of the fraction dropped, in the local time zone. In memory a time is nanoseconds
// since the Unix epoch as a bigint, so file times keep their full precision.
import { CairnError } from '../errors.ts';

const NS_PER_SEC = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
// Linear in `d`, so a day beyond the end of the month rolls over into the next one, as Go's
// time.Date normalizes it (forget's calendar arithmetic relies on that).
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const RFC3339 = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** The number written by the `count` ASCII digits at `at`, or -1 if one of them is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * parseTime for the layout restic and Cairn write ("2006-01-02T15:04:05.999999999+07:00" or "...Z",
 * four-digit year), without a regular expression or substrings: a backup compares the two times
 * of every file in its parent snapshot with this. Returns null for any other layout.
 */
function parseCanonicalTime(text: string): bigint | null {
  const len = text.length;
  if (len < 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 ||
      text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  const year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2), second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let at = 19;
  let fraction = 0;
  if (text.charCodeAt(at) === 46) {
    const start = ++at;
    while (at < len && at - start < 9) {
      const d = text.charCodeAt(at) - 48;
      if (d < 0 || d > 9) break;
      fraction = fraction * 10 + d;
      at++;
    }
    if (at === start) return null;
    for (let k = at - start; k < 9; k++) fraction *= 10;
  }
  let offset = 0;
  const zone = text.charCodeAt(at);
  if (zone === 90 && at + 1 === len) {
    // Z
  } else if ((zone === 43 || zone === 45) && at + 6 === len && text.charCodeAt(at + 3) === 58) {
    const h = digitsAt(text, at + 1, 2), m = digitsAt(text, at + 4, 2);
    if (h < 0 || m < 0) return null;
    offset = (zone === 45 ? -1 : 1) * (h * 3600 + m * 60);
  } else {
    return null;
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return BigInt(seconds) * NS_PER_SEC + BigInt(fraction);
}

/** Parses an RFC 3339 timestamp into nanoseconds since the epoch. */
export function parseTime(text: string): bigint {
  const fast = parseCanonicalTime(text);
  if (fast !== null) return fast;
  const m = RFC3339.exec(text);
  if (!m) throw new CairnError('CORRUPT_OBJECT', `invalid timestamp "${text}"`);
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  let seconds = BigInt(days) * 86400n + BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]));
  const zone = m[8];
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const offset = Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60;
    seconds -= BigInt(sign * offset);
  }
  const fraction = m[7] ? BigInt(m[7].padEnd(9, '0')) : 0n;
  return seconds * NS_PER_SEC + fraction;
}

/** Whether two time stamps name the same instant, however each is written (zone, precision). */
export function sameInstant(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return parseTime(a) === parseTime(b);
  } catch {
    return false;
  }
}

/** Local time-zone offset in minutes east of UTC at the given instant. */
export type ZoneOffset = (epochMs: number) => number;
const zoneByQuarterHour = new Map<number, number>();
/**
 * The system's offset, remembered per quarter hour (a backup formats three times per file, and
 * asking the time-zone database each time shows in no-change backups). Zones change offset on
 * quarter-hour boundaries since the 1970s; should an old local-mean-time change fall inside a
 * quarter hour, the text written is still the same instant, only with the neighbouring offset.
 */
export const localZone: ZoneOffset = (epochMs) => {
  const quarter = Math.floor(epochMs / 900_000);
  let offset = zoneByQuarterHour.get(quarter);
  if (offset === undefined) {
    if (zoneByQuarterHour.size >= 4096) zoneByQuarterHour.clear();
    offset = -new Date(epochMs).getTimezoneOffset();
    zoneByQuarterHour.set(quarter, offset);
  }
  return offset;
};
export const utcZone: ZoneOffset = () => 0;

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const ZEROS = Array.from({ length: 9 }, (_, i) => '0'.repeat(i));

// A backup formats three times per file; these keep that from building the same small strings
// again and again (many files share a day, all share a zone).
const datePrefixByDay = new Map<number, string>();
const zoneSuffixByOffset = new Map<number, string>();

/** "2006-01-02T" for a day number. */
function datePrefix(days: number): string {
  let text = datePrefixByDay.get(days);
  if (text === undefined) {
    const [y, mo, d] = civilFromDays(days);
    text = `${String(y).padStart(4, '0')}-${TWO_DIGITS[mo]}-${TWO_DIGITS[d]}T`;
    if (datePrefixByDay.size >= 4096) datePrefixByDay.clear();
    datePrefixByDay.set(days, text);
  }
  return text;
}

/** "Z" or "+07:00" for an offset in minutes. */
function zoneSuffix(offsetMin: number): string {
  let text = zoneSuffixByOffset.get(offsetMin);
  if (text === undefined) {
    const abs = Math.abs(offsetMin);
    text = offsetMin === 0 ? 'Z' : (offsetMin < 0 ? '-' : '+') + TWO_DIGITS[Math.floor(abs / 60)] + ':' + TWO_DIGITS[abs % 60];
    zoneSuffixByOffset.set(offsetMin, text);
  }
  return text;
}

/** ".5", ".000000001": the nanoseconds 1..999999999 as a fraction without trailing zeros. */
function fractionText(nanos: number): string {
  let digits = 9;
  while (nanos % 10 === 0) {
    nanos /= 10;
    digits--;
  }
  const text = String(nanos);
  return '.' + ZEROS[digits - text.length] + text;
}

/** Formats nanoseconds since the epoch the way Go's time.Time marshals to JSON. */
export function formatTime(ns: bigint, zone: ZoneOffset = localZone): string {
  // Seconds and nanoseconds as numbers (seconds fit in 2^53 for any year Go can print).
  let seconds = Number(ns / NS_PER_SEC);
  let nanos = Number(ns % NS_PER_SEC);
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1_000_000_000;
  }
  const offsetMin = zone(seconds * 1000);
  const local = seconds + offsetMin * 60;
  const days = Math.floor(local / 86400);
  const secOfDay = local - days * 86400;
  // Joined, not concatenated: a node keeps its times until its directory's tree is written, and
  // as a chain of concatenated pieces each took ~170 bytes (and the young-generation collector
  // copied every piece); one flat string takes ~50.
  return [
    datePrefix(days), TWO_DIGITS[Math.floor(secOfDay / 3600)], ':', TWO_DIGITS[Math.floor(secOfDay / 60) % 60], ':',
    TWO_DIGITS[secOfDay % 60], nanos === 0 ? '' : fractionText(nanos), zoneSuffix(offsetMin),
  ].join('');
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms)) * NS_PER_MS;
}

export function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS);
}

export function nowNs(): bigint {
  // Date.now() has millisecond resolution; add the sub-millisecond part from the monotonic clock
  // so that two snapshots taken in the same millisecond still differ.
  const ms = Date.now();
  const sub = BigInt(Math.floor((performance.now() % 1) * 1e6));
  return BigInt(ms) * NS_PER_MS + sub;
}

/** The Go zero time, which restic writes for timestamps it does not have. */
export const ZERO_TIME_TEXT = '0001-01-01T00:00:00Z';
