// One folder of a snapshot, fetched page by page as the list scrolls. snapshots.tree hands out an
// opaque cursor for the next page, so pages are fetched in order, each once, until the rows asked
// for are loaded; a folder of 100k entries costs only the pages the user has scrolled through.
import { call, asApiError, type ApiCallError, type ApiOutput } from '../api/index.ts';

export type TreeEntry = ApiOutput<'snapshots.tree'>['entries'][number];

/** Big enough that a screen is one request, small enough to answer in a few milliseconds. */
export const PAGE_SIZE = 500;

export class FolderListing {
  readonly repositoryId: string;
  readonly snapshotId: string;
  readonly path: string;
  /** Loaded entries, in the folder's order; the rest are still to fetch. Raw: rows are replaced, never mutated. */
  entries = $state.raw<TreeEntry[]>([]);
  total = $state<number | null>(null);
  error = $state<ApiCallError | null>(null);
  loading = $state(false);
  private cursor: string | null | undefined = undefined;
  private pending: Promise<void> | null = null;
  private closed = false;

  constructor(repositoryId: string, snapshotId: string, path: string) {
    this.repositoryId = repositoryId;
    this.snapshotId = snapshotId;
    this.path = path;
  }

  get done(): boolean {
    return this.cursor === null;
  }

  /** Fetches pages until the first `rows` entries are loaded (or the folder ends). */
  async ensure(rows: number): Promise<void> {
    while (!this.closed && !this.done && this.entries.length < rows && this.error === null) {
      this.pending ??= this.fetchPage().finally(() => { this.pending = null; });
      await this.pending;
    }
  }

  /** Stops fetching (the user went to another folder). */
  close(): void {
    this.closed = true;
  }

  private async fetchPage(): Promise<void> {
    this.loading = true;
    try {
      const page = await call('snapshots.tree', {
        repositoryId: this.repositoryId, snapshotId: this.snapshotId, path: this.path, limit: PAGE_SIZE,
        ...(this.cursor ? { cursor: this.cursor } : {}),
      });
      if (this.closed) return;
      this.entries = this.entries.concat(page.entries);
      this.total = page.total;
      this.cursor = page.nextCursor;
    } catch (err) {
      this.error = asApiError(err);
    } finally {
      this.loading = false;
    }
  }
}
