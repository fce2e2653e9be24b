// Human-readable numbers for the CLI, in restic's style.

export function formatBytes(n: number, digits = 3): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(digits)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** "2026-11-24 23:56:20" in local time, as restic prints snapshot times. */
export function formatLocalTime(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A plain text table with a header, a rule under it and one at the end, like restic's. */
export function table(header: string[], rows: string[][], footer?: string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '-'.repeat(Math.max(10, widths.reduce((a, b) => a + b + 2, 0) - 2));
  const out = [line(header), rule, ...rows.map(line), rule];
  if (footer) out.push(footer);
  return out.join('\n');
}

/**
 * A snapshot time as Go's time.Time.String() prints it ("2026-11-25 12:05:34.323252883 +0000 UTC"),
 * kept in the offset the snapshot was written with, as restic shows it in `ls` headers.
 */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(rfc3339);
  if (!m) return rfc3339;
  const [, date, clock, frac, zone] = m;
  const fraction = frac && /[1-9]/.test(frac) ? '.' + frac.replace(/0+$/, '') : '';
  if (zone === 'Z') return `${date} ${clock}${fraction} +0000 UTC`;
  const offset = zone!.replace(':', '');
  const sign = zone![0] === '-' ? -1 : 1;
  const offsetMin = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  const instant = new Date(rfc3339);
  let name = offset;
  if (-instant.getTimezoneOffset() === offsetMin) {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(instant).find((p) => p.type === 'timeZoneName');
    if (part && /^[A-Z]{2,5}$/.test(part.value)) name = part.value;
  }
  return `${date} ${clock}${fraction} ${offset} ${name}`;
}
