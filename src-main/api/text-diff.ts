// A line diff of two versions of a text file, as unified-diff hunks, for comparing file versions
// in the UI. Myers' O((N+M)·D) algorithm on the lines left after the common start and end are cut
// off (the usual edit touches a few lines of a long file, so that part is cheap). Bounded: past
// `maxEdits` the two versions are called too different to show line by line rather than spending
// seconds of the host's CPU, and at most `maxLines` lines of hunks are returned.

export type DiffOp = ' ' | '-' | '+';

export interface DiffLine {
  op: DiffOp;
  text: string;
}

export interface DiffHunk {
  /** 1-based first line of the hunk in the old and the new version (as `@@ -a,b +c,d @@`). */
  fromStart: number;
  fromLines: number;
  toStart: number;
  toLines: number;
  lines: DiffLine[];
}

export interface LineDiff {
  hunks: DiffHunk[];
  /** Lines only in the new version, lines only in the old one (all of them, also past the cut). */
  added: number;
  removed: number;
  /** More hunk lines than `maxLines`: the hunks stop there. */
  truncated: boolean;
}

export interface LineDiffOptions {
  context?: number;
  maxEdits?: number;
  maxLines?: number;
}

/** Lines without their end of line; a final newline makes no empty last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The shortest edit script between a and b as ops in order, or null when it needs more than
 * maxEdits insertions and deletions. After each step d only diagonals -d..d matter, so that
 * slice is what is kept for walking back: memory grows with the edits², not with the file.
 */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): DiffOp[] | null {
  const n = a.length, m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  // v[k + offset]: the furthest x reached on diagonal k.
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[k - 1 + offset]! < v[k + 1 + offset]!) ? v[k + 1 + offset]! : v[k - 1 + offset]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[k + offset] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, d);
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return null;
}

/** Walks from (n, m) back to (0, 0); trace[d] holds diagonals -d..d after step d. */
function backtrack(trace: readonly Int32Array[], n: number, m: number, dEnd: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n, y = m;
  for (let d = dEnd; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const fromInsert = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = fromInsert ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    // The snake after the move: back along the diagonal to where the move landed.
    const landedX = fromInsert ? prevX : prevX + 1;
    while (x > landedX) { ops.push(' '); x--; y--; }
    ops.push(fromInsert ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) { ops.push(' '); x--; y--; }
  return ops.reverse();
}

/** The diff of two texts' lines as hunks with `context` unchanged lines around each change; null when too different. */
export function lineDiff(oldText: string, newText: string, options: LineDiffOptions = {}): LineDiff | null {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 2000;
  const a = splitLines(oldText), b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const middle = myers(a.slice(start, endA), b.slice(start, endB), options.maxEdits ?? 2000);
  if (middle === null) return null;
  const ops: DiffOp[] = [...Array<DiffOp>(start).fill(' '), ...middle, ...Array<DiffOp>(a.length - endA).fill(' ')];

  // Walk the script once, keeping each op's line in a and b, and cut hunks around the changes.
  const rows: { op: DiffOp; ai: number; bi: number }[] = [];
  let ai = 0, bi = 0, added = 0, removed = 0;
  for (const op of ops) {
    rows.push({ op, ai, bi });
    if (op !== '+') ai++;
    if (op !== '-') bi++;
    if (op === '+') added++;
    if (op === '-') removed++;
  }
  const hunks: DiffHunk[] = [];
  let shown = 0, truncated = false;
  for (let i = 0; i < rows.length && !truncated;) {
    if (rows[i]!.op === ' ') { i++; continue; }
    // A hunk runs from `context` lines before this change to `context` lines after the last
    // change that is at most 2·context unchanged lines from the one before it.
    const from = Math.max(0, i - context);
    let to = i;
    for (let j = i; j < rows.length; j++) {
      if (rows[j]!.op !== ' ') to = j;
      else if (j - to > 2 * context) break;
    }
    const end = Math.min(rows.length, to + context + 1);
    const lines: DiffLine[] = [];
    for (let j = from; j < end; j++) {
      if (shown >= maxLines) { truncated = true; break; }
      const r = rows[j]!;
      lines.push({ op: r.op, text: r.op === '+' ? b[r.bi]! : a[r.ai]! });
      shown++;
    }
    const first = rows[from]!;
    hunks.push({
      fromStart: first.ai + 1, fromLines: lines.filter((l) => l.op !== '+').length,
      toStart: first.bi + 1, toLines: lines.filter((l) => l.op !== '-').length,
      lines,
    });
    i = end;
  }
  return { hunks, added, removed, truncated };
}
