// The snapshot table restic prints for `snapshots` and `forget` (with a Reasons column for kept
// snapshots), including its multi-line cells, and the header line of a snapshot group.
import type { GroupKey, SnapshotEntry } from '../../src-worker/index.ts';
import { parseTime, shortId } from '../../src-worker/index.ts';
import { formatLocalTime } from './format.ts';

const width = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * A table whose cells may hold several lines; widths count bytes, as restic's do. With
 * `blankBetweenRows`, rows are separated by an empty line (restic does so when a row spans lines
 * because of several paths).
 */
export function multiLineTable(header: string[], rows: string[][], footer: string, blankBetweenRows: boolean): string {
  const widths = header.map((h) => width(h));
  for (const r of rows) r.forEach((cell, i) => { for (const l of cell.split('\n')) widths[i] = Math.max(widths[i]!, width(l)); });
  const render = (cells: string[]): string[] => {
    const split = cells.map((c) => c.split('\n'));
    const height = Math.max(1, ...split.map((s) => s.length));
    const out: string[] = [];
    for (let i = 0; i < height; i++) {
      out.push(split.map((lines, col) => { const v = lines[i] ?? ''; return v + ' '.repeat(Math.max(0, widths[col]! - width(v))); }).join('  ').trimEnd());
    }
    return out;
  };
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const out = [...render(header), rule];
  rows.forEach((r, i) => {
    if (blankBetweenRows && i > 0) out.push('');
    out.push(...render(r));
  });
  out.push(rule, footer);
  return out.join('\n');
}

export interface SnapshotTableOptions {
  /** Reasons per snapshot id: adds restic's Reasons column. */
  reasons?: Map<string, string[]>;
  compact?: boolean;
}

/** restic's snapshot table: oldest first, times in local time. */
export function snapshotTable(list: readonly SnapshotEntry[], o: SnapshotTableOptions = {}): string {
  const at = (e: SnapshotEntry) => { try { return parseTime(e.snapshot.time); } catch { return 0n; } };
  const sorted = [...list].sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  const header = o.compact ? ['ID', 'Time', 'Host', 'Tags  '] : ['ID', 'Time', 'Host      ', 'Tags      ', ...(o.reasons ? ['Reasons'] : []), 'Paths'];
  let multiline = false;
  const rows = sorted.map((e) => {
    const sn = e.snapshot;
    const tags = sn.tags ?? [];
    if (o.compact) return [shortId(e.id), formatLocalTime(sn.time), sn.hostname ?? '', tags.join('\n')];
    if (sn.paths.length > 1) multiline = true;
    return [shortId(e.id), formatLocalTime(sn.time), sn.hostname ?? '', tags.join(','), ...(o.reasons ? [(o.reasons.get(e.id) ?? []).join('\n')] : []), sn.paths.join('\n')];
  });
  return multiLineTable(header, rows, `${sorted.length} snapshots`, multiline);
}

/** "snapshots for (host [h], tags [a, b], paths [/x]):", or null for the ungrouped key. */
export function groupHeader(key: GroupKey): string | null {
  if (key.hostname === '' && key.tags === null && key.paths === null) return null;
  const parts: string[] = [];
  if (key.hostname !== '') parts.push(`host [${key.hostname}]`);
  if (key.tags !== null) parts.push(`tags [${key.tags.join(', ')}]`);
  if (key.paths !== null) parts.push(`paths [${key.paths.join(', ')}]`);
  return `snapshots for (${parts.join(', ')}):`;
}
