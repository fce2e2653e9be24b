// The persisted history of finished jobs: one file per plan (history/plan-<id>.json), and one per
// repository for jobs that belong to no plan (history/repo-<id>.json). Newest first, at most
// `limit` entries each; every write replaces the file atomically, and every read is validated. A
// file that fails validation is moved aside (never overwritten: it may be all the user has) and
// reported, and the history starts again empty: a broken history must never stop backups.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { HISTORY_VERSION, HistoryFileSchema } from './schema.ts';
import type { JobInfo } from './types.ts';

export const HISTORY_LIMIT = 200;

export interface HistoryStoreOptions {
  limit?: number;
  now: () => number;
  /** Told about a history file that was unusable and moved aside (one line, for the user). */
  onProblem: (message: string) => void;
}

export type HistoryKey = `plan-${string}` | `repo-${string}`;

export class HistoryStore {
  readonly dir: string;
  private readonly opts: HistoryStoreOptions;
  private readonly limit: number;
  private readonly cache = new Map<HistoryKey, JobInfo[]>();
  /** Per file, so two jobs finishing together cannot lose each other's entry. */
  private readonly chains = new Map<HistoryKey, Promise<unknown>>();

  constructor(dir: string, opts: HistoryStoreOptions) {
    this.dir = dir;
    this.opts = opts;
    this.limit = opts.limit ?? HISTORY_LIMIT;
  }

  file(key: HistoryKey): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** Adds a finished job; returns the entries that fell off the end (their logs can go too). */
  append(key: HistoryKey, info: JobInfo): Promise<JobInfo[]> {
    return this.serialized(key, async () => {
      const entries = [info, ...(await this.load(key))];
      const dropped = entries.splice(this.limit);
      await writeFileAtomic(this.file(key), JSON.stringify({ version: HISTORY_VERSION, entries }) + '\n', 0o600);
      this.cache.set(key, entries);
      return dropped;
    });
  }

  /** Newest first. */
  list(key: HistoryKey): Promise<JobInfo[]> {
    return this.serialized(key, async () => [...(await this.load(key))]);
  }

  /** Every history file there is. */
  async keys(): Promise<HistoryKey[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.filter((n) => /^(plan|repo)-[a-z0-9][a-z0-9_-]{0,63}\.json$/.test(n)).map((n) => n.slice(0, -'.json'.length) as HistoryKey);
  }

  private serialized<T>(key: HistoryKey, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.chains.set(key, next.catch(() => {}));
    return next;
  }

  private async load(key: HistoryKey): Promise<JobInfo[]> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const file = this.file(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let entries: JobInfo[];
    try {
      const parsed = HistoryFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid');
      entries = parsed.data.entries.slice(0, this.limit);
    } catch (err) {
      const aside = `${file}.unusable-${this.opts.now()}`;
      await fs.rename(file, aside);
      this.opts.onProblem(`the job history ${file} could not be read (${(err as Error).message.split('\n')[0]}); it was moved to ${aside} and the history starts again`);
      entries = [];
    }
    this.cache.set(key, entries);
    return entries;
  }
}
