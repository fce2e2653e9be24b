// The job service's contract, shared by its implementation (src-main/jobs) and its users (the API
// server, the scheduler glue, the tray). A job is one engine operation on one repository, run in
// the background with progress events, cancel, a log and a persisted history entry.
import type { RestoreOptions } from '../../src-worker/index.ts';

export type JobKind = 'backup' | 'forget-prune' | 'check' | 'copy' | 'restore';

/** What to run. Repositories and plans are referred to by their profile ids. */
export type JobRequest =
  | { kind: 'backup'; planId: string; reason?: 'scheduled' | 'catch-up' | 'retry' | 'manual' | 'watch' }
  /** Apply the plan's retention policy, then prune; `dryRun` previews without changing anything. */
  | { kind: 'forget-prune'; planId: string; dryRun?: boolean }
  | { kind: 'check'; repositoryId: string; readDataSubset?: string }
  /** Copy snapshots (all, or the given ids) from one repository to another (3-2-1). */
  | { kind: 'copy'; fromRepositoryId: string; toRepositoryId: string; snapshotIds?: string[] }
  | {
      kind: 'restore';
      repositoryId: string;
      snapshotId: string;
      /** Absolute target folder; the restore never writes outside it. */
      target: string;
      /** Snapshot paths to restore (all when omitted). */
      include?: string[];
      overwrite?: RestoreOptions['overwrite'];
    };

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  /** Phase name shown to people, e.g. "scanning", "backing up", "pruning". */
  phase: string;
  filesDone: number;
  filesTotal?: number;
  bytesDone: number;
  bytesTotal?: number;
  /** Bytes per second over the last few seconds. */
  rate?: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
  currentPath?: string;
}

/** Numbers a finished job reports, by kind (e.g. backup: files new/changed, bytes added). */
export type JobSummary = Record<string, number | string | boolean | null>;

export interface JobInfo {
  id: string;
  request: JobRequest;
  /** The repositories the job holds (never two jobs on one repository at once). */
  repositoryIds: string[];
  state: JobState;
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: JobProgress;
  summary?: JobSummary;
  /** One line for people, without secrets. */
  error?: string;
  /** Error code from the engine's CairnError, when there was one. */
  errorCode?: string;
  /** The new snapshot of a backup, or the copies of a copy. */
  snapshotIds?: string[];
}

export type JobEvent =
  | { type: 'job-queued'; job: JobInfo }
  | { type: 'job-started'; job: JobInfo }
  /** Rate-limited (a few per second at most). */
  | { type: 'job-progress'; jobId: string; progress: JobProgress }
  | { type: 'job-log'; jobId: string; level: 'info' | 'warning' | 'error'; message: string; at: number }
  | { type: 'job-finished'; job: JobInfo };

export interface JobService {
  /** Queues a job; it starts once its repositories are free. Validates the request first. */
  start(request: JobRequest): Promise<JobInfo>;
  /** Cancels a queued or running job; the repository stays valid. False if it had already ended. */
  cancel(jobId: string): Promise<boolean>;
  get(jobId: string): JobInfo | undefined;
  /** Queued and running jobs. */
  active(): JobInfo[];
  /** Finished jobs of a plan (or of a repository's non-plan jobs), newest first; at most 200 per plan. */
  history(filter: { planId?: string; repositoryId?: string; limit?: number }): Promise<JobInfo[]>;
  /** The job's log lines, oldest first. */
  log(jobId: string): Promise<{ level: 'info' | 'warning' | 'error'; message: string; at: number }[]>;
  /** Subscribes to events; returns the unsubscribe function. */
  subscribe(listener: (e: JobEvent) => void): () => void;
  /** Resolves when the job ends (any final state). */
  wait(jobId: string): Promise<JobInfo>;
  /** Cancels everything and waits for jobs to stop (app quit). */
  close(): Promise<void>;
}
