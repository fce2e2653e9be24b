// What an operation gets from the job runner: the cancel signal, the log, progress, and opened
// repositories (the runner owns their passwords and closes them when the job ends).
import type { Repository } from '../../src-worker/index.ts';
import type { LogLevel } from './job-log.ts';
import type { ProgressInput } from './progress.ts';
import type { JobSummary } from './types.ts';

export interface JobContext {
  readonly signal: AbortSignal;
  log(level: LogLevel, message: string): void;
  progress(p: ProgressInput): void;
  /** `cache: false` reads everything from the repository itself (check must). */
  open(repositoryId: string, options?: { cache?: boolean }): Promise<Repository>;
  /** The metadata cache folder (null or absent: none), where a backup also keeps its start time. */
  readonly cacheDir?: string | null;
  /** Filled in as the job goes, so a job that fails half-way still reports what it did. */
  readonly summary: JobSummary;
  readonly snapshotIds: string[];
}
