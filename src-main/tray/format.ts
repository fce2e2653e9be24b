// Human-friendly times and sizes for the tray. English for now; the strings are built in one place
// so a translation layer can replace them later.

/** "just now", "5 minutes ago", "2 hours ago", "yesterday", "3 days ago", "2 months ago". */
export function relativeTime(then: number, now: number): string {
  const s = (now - then) / 1000;
  // A time slightly in the future (clock skew between machines) reads as now, not "in 3 s".
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 2) return '1 minute ago';
  if (min < 45) return `${min} minutes ago`;
  const h = Math.round(s / 3600);
  if (h < 2) return '1 hour ago';
  if (h < 22) return `${h} hours ago`;
  if (h < 36) return 'yesterday';
  const d = Math.round(s / 86400);
  if (d < 30) return `${d} days ago`;
  const mo = Math.round(d / 30.44);
  if (mo < 12) return mo === 1 ? '1 month ago' : `${mo} months ago`;
  const y = Math.round(d / 365.25);
  return y === 1 ? '1 year ago' : `${y} years ago`;
}

/** Decimal units, as file managers on macOS and GNOME show them: "2.1 GB", "950 MB", "12 B". */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return `${n} B`;
  return `${v < 100 ? v.toFixed(1) : Math.round(v).toString()} ${units[i]}`;
}

function dayKey(t: number, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(t);
}

/** "15:00" today, "tomorrow 09:00", else "Mon 3 Jun 09:00"; in `timeZone` (default local). */
export function clockTime(t: number, now: number, timeZone?: string): string {
  const hm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(t);
  if (dayKey(t, timeZone) === dayKey(now, timeZone)) return hm;
  // "Tomorrow" by calendar arithmetic on today's date in the zone (a day may have 23 or 25 hours).
  const [y, m, d] = dayKey(now, timeZone).split('-').map(Number);
  const tomorrow = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  if (dayKey(t, timeZone) === tomorrow) return `tomorrow ${hm}`;
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone }).format(t);
  return `${day.replace(',', '')} ${hm}`;
}

/** One line, at most `max` characters, for a reason shown in a menu. */
export function oneLine(text: string, max = 80): string {
  const line = text.split('\n')[0].trim();
  return line.length > max ? line.slice(0, max - 1).trimEnd() + '…' : line;
}
