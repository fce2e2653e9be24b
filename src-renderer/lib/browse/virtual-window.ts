// The windowing math of a virtualized list of fixed-height rows: which rows a scroll position
// shows (plus a few either side, so fast scrolling does not flash blank rows), and how far down
// the first of them sits. Pure functions, so test/unit/virtual-window.test.ts checks them without
// a browser.

export interface RowWindow {
  /** First row in the DOM (inclusive). */
  start: number;
  /** One past the last row in the DOM. */
  end: number;
  /** Pixels above the first row: the rows before it are empty space, not elements. */
  offset: number;
  /** Height of all rows: what the scrollbar represents. */
  height: number;
}

export function rowWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): RowWindow {
  const height = total * rowHeight;
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, height: 0 };
  // A scroll position past the end (the list just got shorter) shows its last screen.
  const top = Math.max(0, Math.min(scrollTop, height - viewport));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  return { start, end, offset: start * rowHeight, height };
}

/** The scrollTop that brings `row` into view with the least movement (unchanged when it is visible). */
export function scrollToRow(row: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}

/** Rows a page key moves: a screenful less one row, so one row of context stays on screen. */
export function pageRows(viewport: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1);
}

/**
 * The pages (of `pageSize` rows) holding rows [start, end) that are neither loaded nor on their
 * way: what a folder listing fetches for the rows on screen, by offset, skipping all pages between
 * (a jump to the end of a 100k-row folder asks for the last page or two, not the 199 before).
 */
export function pagesToFetch(start: number, end: number, pageSize: number, known: (page: number) => boolean): number[] {
  const out: number[] = [];
  if (end <= start || pageSize <= 0) return out;
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) if (!known(p)) out.push(p);
  return out;
}
