// One folder of a snapshot, fetched a page at a time as rows come on screen. Pages are asked for
// by offset, so the pages fetched are exactly those the user looks at: a jump to the end of a
// folder of 100k entries (End, or dragging the scrollbar) costs one or two requests, not the
// whole folder before it.
import { call, asApiError, type ApiCallError, type ApiOutput } from '../api/index.ts';
import { pagesToFetch } from './virtual-window.ts';

export type TreeEntry = ApiOutput<'snapshots.tree'>['entries'][number];

/** Big enough that a screen is one request, small enough to answer in a few milliseconds. */
export const PAGE_SIZE = 500;

export class FolderListing {
  readonly repositoryId: string;
  readonly snapshotId: string;
  readonly path: string;
  /** Loaded pages by number. Raw: replaced when a page arrives, never mutated. */
  pages = $state.raw<ReadonlyMap<number, TreeEntry[]>>(new Map());
  total = $state<number | null>(null);
  error = $state<ApiCallError | null>(null);
  private readonly inFlight = new Set<number>();
  private closed = false;

  constructor(repositoryId: string, snapshotId: string, path: string) {
    this.repositoryId = repositoryId;
    this.snapshotId = snapshotId;
    this.path = path;
  }

  /** The entry at row `i`, when its page is loaded. */
  entry(i: number): TreeEntry | undefined {
    return this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  }

  /** Fetches the pages of rows [start, end) not loaded yet (the first page when nothing is). */
  async show(start: number, end: number): Promise<void> {
    if (this.closed || this.error !== null) return;
    const last = this.total === null ? PAGE_SIZE : Math.min(end, this.total);
    const wanted = pagesToFetch(start, Math.max(last, start + 1), PAGE_SIZE, (p) => this.pages.has(p) || this.inFlight.has(p));
    await Promise.all(wanted.map((p) => this.fetchPage(p)));
  }

  /** Stops fetching (the user went to another folder). */
  close(): void {
    this.closed = true;
  }

  private async fetchPage(page: number): Promise<void> {
    this.inFlight.add(page);
    try {
      const answer = await call('snapshots.tree', {
        repositoryId: this.repositoryId, snapshotId: this.snapshotId, path: this.path, limit: PAGE_SIZE, offset: page * PAGE_SIZE,
      });
      if (this.closed) return;
      this.pages = new Map(this.pages).set(page, answer.entries);
      this.total = answer.total;
    } catch (err) {
      if (!this.closed) this.error = asApiError(err);
    } finally {
      this.inFlight.delete(page);
    }
  }
}
