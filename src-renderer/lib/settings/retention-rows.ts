// One group of a retention preview as the list reads best: its snapshots newest first, each kept
// (with restic's reasons) or removed, instead of all kept ones and then all removed ones.
export interface PreviewGroup {
  keep: { id: string; time: string; reasons: string[] }[];
  remove: { id: string; time: string }[];
}

export interface PreviewRow {
  id: string;
  time: string;
  keep: boolean;
  reasons: string[];
}

/** Rows a group shows at first and adds per "Show older": years of hourly snapshots are thousands. */
export const RETENTION_PAGE = 100;

export function groupRows(g: PreviewGroup): PreviewRow[] {
  const rows: PreviewRow[] = [...g.keep.map((k) => ({ ...k, keep: true })), ...g.remove.map((r) => ({ ...r, keep: false, reasons: [] }))];
  // Snapshot times are RFC 3339 with varying fractions and zones: compare them as instants.
  return rows.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}
