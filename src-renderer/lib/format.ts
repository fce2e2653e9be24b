// Numbers and times the way people read them, in the browser's locale.
const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  if (i === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  return `${v.toLocaleString(undefined, { maximumFractionDigits: v < 10 ? 1 : 0 })} ${UNITS[i]}`;
}

export function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago", "in 2 hours", "yesterday". */
export function relative(ms: number, now = Date.now()): string {
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return diff < 0 ? 'just now' : 'in a moment';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86_400), 'day');
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A moment soon, as short as it stays clear: "20:30" today, else with the date ("Nov 26, 2026, 20:30"). */
export function soonTime(ms: number, now = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
  return sameDay ? new Date(ms).toLocaleTimeString(undefined, { timeStyle: 'short' }) : dateTime(ms);
}

/**
 * Permission bits as `ls -l` shows them ("drwxr-xr-x"). restic stores Go's os.FileMode: the
 * permission bits are the low nine, the type is given separately.
 */
export function permissions(mode: number, type: string): string {
  const letter = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : type === 'file' ? '-' : type === 'fifo' ? 'p' : type === 'socket' ? 's' : type === 'chardev' ? 'c' : type === 'dev' ? 'b' : '?';
  let s = letter;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >>> shift) & 7;
    s += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return s;
}

/** An ISO time from a snapshot or a tree, in the browser's locale. */
export function isoDateTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateTime(ms);
}
