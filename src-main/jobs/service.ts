// The job service: queues jobs per repository, runs each through the engine in this process (the
// engine has its own worker threads), reports progress and log lines as events, cancels through
// an AbortSignal (the engine leaves the repository valid), and records every finished job in the
// persisted history with its log beside it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError, checkSubsetSyntax } from '../../src-worker/index.ts';
import type { Plan, RepositoryProfile } from '../profiles/index.ts';
import type { SecretStore } from '../secrets/store.ts';
import { backendCredentials } from '../secrets/credentials.ts';
import type { JobContext } from './context.ts';
import { describeFailure } from './failure.ts';
import { HistoryStore, type HistoryKey } from './history.ts';
import { JobLog, logFile, readJobLog, type LogLevel, type LogLine } from './job-log.ts';
import { backupPlan } from './ops/backup.ts';
import { checkRepository } from './ops/check.ts';
import { copySnapshots } from './ops/copy.ts';
import { restoreSnapshot } from './ops/restore.ts';
import { applyRetention } from './ops/retention.ts';
import { systemEnvironment, type PlanEnvironment } from '../profiles/plan-options.ts';
import { ProgressReporter } from './progress.ts';
import { JobRepositories, defaultJobCacheDir, passwordFromSecrets, type GetPassword } from './repositories.ts';
import { RepositoryQueue } from './repository-queue.ts';
import { JobRequestSchema } from './schema.ts';
import type { JobEvent, JobInfo, JobRequest, JobService, JobSummary } from './types.ts';

/** The part of the profiles service the job runner reads (plans may change while the app runs). */
export interface ProfilesReader {
  plan(id: string): Plan | undefined;
  repository(id: string): RepositoryProfile | undefined;
}

export interface JobServiceOptions {
  profiles: ProfilesReader;
  /** Where repository passwords come from; or give `secrets` and the keyring's are used. */
  getPassword?: GetPassword;
  secrets?: SecretStore;
  /** The app's data folder: history/ and logs/ go in it. */
  dataDir: string;
  clock?: { now(): number };
  /** Metadata cache; null for none. Default: the user's cache folder, as the CLI. */
  cacheDir?: string | null;
  historyLimit?: number;
  maxLogLines?: number;
  progressIntervalMs?: number;
  /** Home folder, host name and platform (tests pin them). */
  environment?: PlanEnvironment;
  /** Told about problems that are not a job's (an unreadable history file). */
  onProblem?: (message: string) => void;
}

interface Job {
  info: JobInfo;
  planId?: string;
  controller: AbortController;
  log: JobLog;
  repos: JobRepositories;
  done: Promise<JobInfo>;
  resolve: (info: JobInfo) => void;
}

const RECENT_LIMIT = 200;

export class LocalJobService implements JobService {
  private readonly opts: JobServiceOptions;
  private readonly now: () => number;
  private readonly getPassword: GetPassword;
  private readonly store: HistoryStore;
  private readonly queue = new RepositoryQueue();
  private readonly jobs = new Map<string, Job>();
  /** Finished jobs of this session, for get() and wait() after the end. */
  private readonly recent = new Map<string, JobInfo>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly problemList: string[] = [];
  private closed = false;

  constructor(opts: JobServiceOptions) {
    this.opts = opts;
    const clock = opts.clock ?? { now: () => Date.now() };
    this.now = () => clock.now();
    if (opts.getPassword) this.getPassword = opts.getPassword;
    else if (opts.secrets) this.getPassword = passwordFromSecrets(opts.secrets);
    else throw new CairnError('INVALID_ARGUMENT', 'the job service needs getPassword or a secret store');
    this.store = new HistoryStore(path.join(opts.dataDir, 'history'), {
      limit: opts.historyLimit,
      now: this.now,
      onProblem: (m) => this.problem(m),
    });
  }

  /** Problems reported so far that belong to no job (e.g. a history file moved aside). */
  problems(): string[] {
    return [...this.problemList];
  }

  async start(request: JobRequest): Promise<JobInfo> {
    if (this.closed) throw new CairnError('ABORTED', 'the job service is shutting down: start the job again after the restart');
    const { repositoryIds, planId } = this.validate(request);
    const id = `${this.now().toString(36)}-${randomBytes(5).toString('hex')}`;
    const repos = new JobRepositories({
      repository: (rid) => this.opts.profiles.repository(rid),
      getPassword: this.getPassword,
      getCredentials: this.opts.secrets ? (rid) => backendCredentials(this.opts.secrets!, rid) : undefined,
      cacheDir: this.opts.cacheDir === undefined ? defaultJobCacheDir() : this.opts.cacheDir,
    });
    let resolve!: (info: JobInfo) => void;
    const done = new Promise<JobInfo>((r) => { resolve = r; });
    const job: Job = {
      info: { id, request: structuredClone(request), repositoryIds, state: 'queued', queuedAt: this.now() },
      planId,
      controller: new AbortController(),
      repos,
      log: new JobLog({
        now: this.now,
        maxLines: this.opts.maxLogLines,
        secrets: repos.secrets,
        onLine: (l) => this.emit({ type: 'job-log', jobId: id, ...l }),
      }),
      done,
      resolve,
    };
    this.jobs.set(id, job);
    this.emit({ type: 'job-queued', job: this.snapshot(job) });
    job.log.add('info', `queued: ${describeRequest(request)}`);
    this.queue.enqueue(id, repositoryIds, () => void this.run(job));
    return this.snapshot(job);
  }

  async cancel(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    if (job.info.state === 'queued' && this.queue.remove(jobId)) {
      job.log.add('warning', 'cancelled before it started');
      job.info.state = 'cancelled';
      job.info.error = 'cancelled before it started';
      await this.finish(job);
      return true;
    }
    if (job.controller.signal.aborted) return true;
    job.log.add('warning', 'cancelling: the operation stops at the next safe point');
    job.controller.abort(new CairnError('ABORTED', 'cancelled by the user'));
    return true;
  }

  get(jobId: string): JobInfo | undefined {
    const job = this.jobs.get(jobId);
    if (job) return this.snapshot(job);
    const info = this.recent.get(jobId);
    return info ? structuredClone(info) : undefined;
  }

  active(): JobInfo[] {
    return [...this.jobs.values()].map((j) => this.snapshot(j));
  }

  /**
   * Finished jobs, newest first: of one plan, of one repository (every job that touched it: its
   * own checks and restores, and the backups, retention runs and copies of plans, also of plans
   * deleted since), or of all.
   */
  async history(filter: { planId?: string; repositoryId?: string; limit?: number }): Promise<JobInfo[]> {
    const repositoryId = filter.planId === undefined ? filter.repositoryId : undefined;
    // Jobs of a plan are kept under the plan's key, so a repository's are looked for in every key.
    const keys: HistoryKey[] = filter.planId !== undefined ? [`plan-${filter.planId}`] : await this.store.keys();
    const seen = new Set<string>();
    const all: JobInfo[] = [];
    for (const key of keys) {
      if (!/^(plan|repo)-[a-z0-9][a-z0-9_-]{0,63}$/.test(key)) continue; // an id that is no id: no such file
      for (const e of await this.store.list(key)) {
        if (repositoryId !== undefined && !e.repositoryIds.includes(repositoryId)) continue;
        if (!seen.has(e.id) && seen.add(e.id)) all.push(e);
      }
    }
    all.sort((a, b) => (b.finishedAt ?? b.queuedAt) - (a.finishedAt ?? a.queuedAt));
    return all.slice(0, filter.limit ?? all.length);
  }

  async log(jobId: string): Promise<LogLine[]> {
    const job = this.jobs.get(jobId);
    if (job) return job.log.lines();
    const file = logFile(this.opts.dataDir, jobId);
    const lines = file ? await readJobLog(file) : null;
    if (!lines) throw new CairnError('NOT_FOUND', `there is no log for job ${jobId}: it may be older than the last ${RECENT_LIMIT} runs`);
    return lines;
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async wait(jobId: string): Promise<JobInfo> {
    const job = this.jobs.get(jobId);
    if (job) return job.done;
    const info = this.recent.get(jobId);
    if (info) return structuredClone(info);
    throw new CairnError('NOT_FOUND', `there is no job ${jobId} in this session: look it up in the history`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.jobs.values()];
    for (const job of pending) await this.cancel(job.info.id);
    await Promise.all(pending.map((j) => j.done));
  }

  // ---------------------------------------------------------------------------------------------

  private validate(request: JobRequest): { repositoryIds: string[]; planId?: string } {
    const parsed = JobRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CairnError('INVALID_ARGUMENT', `invalid job request: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'unreadable'}`);
    }
    const r = parsed.data;
    const repo = (id: string) => {
      if (!this.opts.profiles.repository(id)) throw new CairnError('NOT_FOUND', `there is no repository "${id}": choose one from the repositories list`);
      return id;
    };
    switch (r.kind) {
      case 'backup':
      case 'forget-prune': {
        const plan = this.opts.profiles.plan(r.planId);
        if (!plan) throw new CairnError('NOT_FOUND', `there is no plan "${r.planId}": choose one from the plans list`);
        const ids = [repo(plan.repositoryId)];
        // The copy after a backup runs inside the same job, so the job holds both repositories.
        if (r.kind === 'backup' && plan.copyToRepositoryId && plan.copyToRepositoryId !== plan.repositoryId) ids.push(repo(plan.copyToRepositoryId));
        return { repositoryIds: ids, planId: plan.id };
      }
      case 'check':
        if (r.readDataSubset !== undefined) checkSubsetSyntax(r.readDataSubset);
        return { repositoryIds: [repo(r.repositoryId)] };
      case 'copy':
        if (r.fromRepositoryId === r.toRepositoryId) throw new CairnError('INVALID_ARGUMENT', 'a copy needs two different repositories: choose another destination');
        return { repositoryIds: [repo(r.fromRepositoryId), repo(r.toRepositoryId)] };
      case 'restore':
        if (!path.isAbsolute(r.target)) throw new CairnError('INVALID_ARGUMENT', `the restore target "${r.target}" is not an absolute path: choose a folder by its full path`);
        return { repositoryIds: [repo(r.repositoryId)] };
    }
  }

  private async run(job: Job): Promise<void> {
    const { info, log } = job;
    info.state = 'running';
    info.startedAt = this.now();
    this.emit({ type: 'job-started', job: this.snapshot(job) });
    log.add('info', 'started');
    const reporter = new ProgressReporter({
      now: this.now,
      minIntervalMs: this.opts.progressIntervalMs,
      emit: (p) => this.emit({ type: 'job-progress', jobId: info.id, progress: p }),
    });
    const summary: JobSummary = {};
    const snapshotIds: string[] = [];
    const ctx: JobContext = {
      signal: job.controller.signal,
      log: (level: LogLevel, message: string) => { log.add(level, message); },
      progress: (p) => {
        reporter.update(p);
        info.progress = reporter.latest;
      },
      open: (id, options) => job.repos.open(id, options),
      cacheDir: job.repos.cacheDir,
      summary,
      snapshotIds,
    };
    try {
      job.controller.signal.throwIfAborted();
      await this.operation(ctx, info.request);
      info.state = 'succeeded';
      log.add('info', 'finished');
    } catch (err) {
      if (job.controller.signal.aborted) {
        info.state = 'cancelled';
        info.error = 'cancelled by the user; the repository is unchanged apart from data a later prune removes';
        info.errorCode = 'ABORTED';
        log.add('warning', 'cancelled');
      } else {
        const f = describeFailure(err, job.repos.secrets);
        info.state = 'failed';
        info.error = f.message;
        info.errorCode = f.code;
        log.add('error', f.message);
      }
    } finally {
      reporter.flush();
      info.progress = reporter.latest;
      if (Object.keys(summary).length > 0) info.summary = summary;
      if (snapshotIds.length > 0) info.snapshotIds = snapshotIds;
      await job.repos.close();
      // Released only once the job is recorded and announced, so events read in order: the next
      // job on this repository starts after this one finished.
      await this.finish(job);
      this.queue.release(info.repositoryIds);
    }
  }

  private async operation(ctx: JobContext, r: JobRequest): Promise<void> {
    const env = this.opts.environment ?? systemEnvironment();
    const plan = (id: string) => {
      // Read again at start: the plan may have changed (or gone) while the job was queued.
      const p = this.opts.profiles.plan(id);
      if (!p) throw new CairnError('NOT_FOUND', `the plan "${id}" was deleted before its job started`);
      return p;
    };
    switch (r.kind) {
      case 'backup':
        return backupPlan(ctx, plan(r.planId), env);
      case 'forget-prune': {
        const p = plan(r.planId);
        return applyRetention(ctx, await ctx.open(p.repositoryId), p, env, r.dryRun === true);
      }
      case 'check':
        return checkRepository(ctx, await ctx.open(r.repositoryId, { cache: false }), r.readDataSubset);
      case 'copy': {
        const src = await ctx.open(r.fromRepositoryId);
        const dst = await ctx.open(r.toRepositoryId);
        ctx.snapshotIds.push(...(await copySnapshots(ctx, src, dst, r.snapshotIds)));
        return;
      }
      case 'restore':
        return restoreSnapshot(ctx, await ctx.open(r.repositoryId), r);
    }
  }

  /** Records the finished job (log file, history), then tells listeners and waiters. */
  private async finish(job: Job): Promise<void> {
    const { info } = job;
    info.finishedAt = this.now();
    const final = this.snapshot(job);
    try {
      const file = logFile(this.opts.dataDir, info.id);
      if (file) await job.log.save(file);
      const keys: HistoryKey[] = job.planId !== undefined ? [`plan-${job.planId}`] : info.repositoryIds.map((r): HistoryKey => `repo-${r}`);
      for (const key of keys) {
        const dropped = await this.store.append(key, final);
        for (const d of dropped) {
          const old = logFile(this.opts.dataDir, d.id);
          if (old) await fs.rm(old, { force: true });
        }
      }
    } catch (err) {
      // The job itself is over either way; a full disk must not leave its waiters hanging.
      this.problem(`the history of job ${info.id} could not be saved: ${(err as Error).message.split('\n')[0]}`);
    }
    this.jobs.delete(info.id);
    this.recent.set(info.id, final);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value!);
    this.emit({ type: 'job-finished', job: structuredClone(final) });
    job.resolve(structuredClone(final));
  }

  private snapshot(job: Job): JobInfo {
    return structuredClone(job.info);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not stop a backup.
      }
    }
  }

  private problem(message: string): void {
    this.problemList.push(message);
    this.opts.onProblem?.(message);
  }
}

function describeRequest(r: JobRequest): string {
  switch (r.kind) {
    case 'backup': return `backup of plan ${r.planId}${r.reason ? ` (${r.reason})` : ''}`;
    case 'forget-prune': return `forget and prune for plan ${r.planId}${r.dryRun ? ' (dry run)' : ''}`;
    case 'check': return `check of repository ${r.repositoryId}${r.readDataSubset ? ` reading ${r.readDataSubset} of the data` : ''}`;
    case 'copy': return `copy from repository ${r.fromRepositoryId} to ${r.toRepositoryId}`;
    case 'restore': return `restore of snapshot ${r.snapshotId} from repository ${r.repositoryId} to ${r.target}`;
  }
}

export function createJobService(opts: JobServiceOptions): LocalJobService {
  return new LocalJobService(opts);
}
