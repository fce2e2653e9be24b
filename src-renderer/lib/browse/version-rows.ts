// The rows of a path's version timeline, from files.versions (oldest first): newest first, either
// every snapshot that holds the path or only those where its content changed, each of those
// counting the later snapshots that kept it as it was. Pure, so it is unit-tested without a browser.

export interface VersionLike {
  snapshotId: string;
  changed: boolean;
}

export interface VersionRow<V extends VersionLike = VersionLike> {
  version: V;
  /** The oldest version: nothing to compare it with. */
  first: boolean;
  /** Later snapshots with the same content (only when unchanged snapshots are not listed). */
  keptIn: number;
  /** The snapshot where this row's content first appeared (itself, for a change). */
  contentOf: string;
}

/** Rows the timeline shows at first and adds per "Show older". */
export const VERSION_PAGE = 50;

export function timelineRows<V extends VersionLike>(versions: readonly V[], everySnapshot: boolean): VersionRow<V>[] {
  const rows: VersionRow<V>[] = [];
  let contentOf = '';
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (v.changed || i === 0) contentOf = v.snapshotId;
    if (everySnapshot || v.changed || i === 0) rows.push({ version: v, first: i === 0, keptIn: 0, contentOf });
    else rows[rows.length - 1]!.keptIn++;
  }
  return rows.reverse();
}
