// A small, honest JobService for the API's tests: it really runs the engine's backup and restore
// on local repositories, one job at a time per repository, with the events, log and history the
// contract describes. Only those two kinds: the real runner (src-main/jobs) replaces it in the app.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { backup, CairnError, findSnapshot, isCairnError, openBackend, Repository, restore } from '../../src-worker/index.ts';
import type { JobEvent, JobInfo, JobProgress, JobRequest, JobService } from '../../src-main/jobs/types.ts';
import type { ProfilesService } from '../../src-main/profiles/index.ts';
import { secretAccount, type SecretStore } from '../../src-main/secrets/index.ts';

type LogLine = { level: 'info' | 'warning' | 'error'; message: string; at: number };

export class LocalJobService implements JobService {
  private readonly profiles: ProfilesService;
  private readonly secrets: SecretStore;
  private readonly jobs = new Map<string, JobInfo>();
  private readonly logs = new Map<string, LogLine[]>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly done = new Map<string, Promise<JobInfo>>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly finished: JobInfo[] = [];
  /** One job at a time per repository, as the contract requires. */
  private readonly repoQueue = new Map<string, Promise<unknown>>();

  constructor(profiles: ProfilesService, secrets: SecretStore) {
    this.profiles = profiles;
    this.secrets = secrets;
  }

  async start(request: JobRequest): Promise<JobInfo> {
    let repositoryId: string;
    if (request.kind === 'backup') {
      const plan = this.profiles.plan(request.planId);
      if (!plan) throw new CairnError('NOT_FOUND', `plan "${request.planId}" does not exist`);
      repositoryId = plan.repositoryId;
    } else if (request.kind === 'restore') {
      if (!path.isAbsolute(request.target)) throw new CairnError('INVALID_ARGUMENT', 'the restore target must be absolute');
      repositoryId = request.repositoryId;
    } else {
      throw new CairnError('INVALID_ARGUMENT', `the test job service runs backups and restores only, not ${request.kind}`);
    }
    if (!this.profiles.repository(repositoryId)) throw new CairnError('NOT_FOUND', `repository "${repositoryId}" does not exist`);
    const job: JobInfo = { id: randomUUID(), request, repositoryIds: [repositoryId], state: 'queued', queuedAt: Date.now() };
    this.jobs.set(job.id, job);
    this.logs.set(job.id, []);
    const abort = new AbortController();
    this.aborts.set(job.id, abort);
    this.emit({ type: 'job-queued', job: { ...job } });
    const before = this.repoQueue.get(repositoryId) ?? Promise.resolve();
    const run = before.then(() => this.run(job, repositoryId, abort.signal));
    this.repoQueue.set(repositoryId, run.catch(() => {}));
    this.done.set(job.id, run);
    return { ...job };
  }

  async cancel(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job || job.finishedAt !== undefined) return false;
    this.aborts.get(jobId)?.abort();
    return true;
  }

  get(jobId: string): JobInfo | undefined {
    const j = this.jobs.get(jobId);
    return j ? { ...j } : undefined;
  }

  active(): JobInfo[] {
    return [...this.jobs.values()].filter((j) => j.state === 'queued' || j.state === 'running').map((j) => ({ ...j }));
  }

  async history(filter: { planId?: string; repositoryId?: string; limit?: number }): Promise<JobInfo[]> {
    const list = this.finished.filter((j) => {
      if (filter.planId !== undefined) return j.request.kind === 'backup' && j.request.planId === filter.planId;
      return j.request.kind !== 'backup' && filter.repositoryId !== undefined && j.repositoryIds.includes(filter.repositoryId);
    });
    return list.reverse().slice(0, filter.limit ?? 200);
  }

  async log(jobId: string): Promise<LogLine[]> {
    return [...(this.logs.get(jobId) ?? [])];
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  wait(jobId: string): Promise<JobInfo> {
    const p = this.done.get(jobId);
    if (!p) return Promise.reject(new CairnError('NOT_FOUND', `job ${jobId} is not known`));
    return p;
  }

  async close(): Promise<void> {
    for (const a of this.aborts.values()) a.abort();
    await Promise.all([...this.done.values()].map((p) => p.catch(() => {})));
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }

  private log_(job: JobInfo, level: LogLine['level'], message: string): void {
    const line = { level, message, at: Date.now() };
    this.logs.get(job.id)!.push(line);
    this.emit({ type: 'job-log', jobId: job.id, ...line });
  }

  private progress(job: JobInfo, p: JobProgress): void {
    job.progress = p;
    this.emit({ type: 'job-progress', jobId: job.id, progress: p });
  }

  private async run(job: JobInfo, repositoryId: string, signal: AbortSignal): Promise<JobInfo> {
    job.state = 'running';
    job.startedAt = Date.now();
    this.emit({ type: 'job-started', job: { ...job } });
    const profile = this.profiles.repository(repositoryId)!;
    const backend = openBackend(profile.location, profile.options);
    try {
      const password = await this.secrets.get(secretAccount(repositoryId, 'password'));
      if (password === null) throw new CairnError('WRONG_PASSWORD', 'no password stored');
      const repo = await Repository.open(backend, password);
      const request = job.request;
      if (request.kind === 'backup') {
        const plan = this.profiles.plan(request.planId)!;
        this.log_(job, 'info', `backing up ${plan.sources.join(', ')}`);
        const s = await backup(repo, {
          paths: plan.sources, tags: plan.tags, exclude: plan.excludes, signal,
          onProgress: (p) => this.progress(job, { phase: 'backing up', filesDone: p.filesDone, bytesDone: p.bytesDone, filesTotal: p.totalFiles ?? undefined, bytesTotal: p.totalBytes ?? undefined }),
        });
        job.summary = { filesNew: s.filesNew, filesChanged: s.filesChanged, dataAdded: s.dataAdded, totalBytesProcessed: s.totalBytesProcessed };
        if (s.snapshotId) job.snapshotIds = [s.snapshotId];
      } else if (request.kind === 'restore') {
        const sn = await findSnapshot(repo, request.snapshotId);
        this.log_(job, 'info', `restoring ${sn.id.slice(0, 8)} to ${request.target}`);
        const s = await restore(repo, {
          snapshot: sn, target: request.target, include: request.include, overwrite: request.overwrite, signal,
          onProgress: (p) => this.progress(job, { phase: 'restoring', filesDone: p.filesDone, filesTotal: p.totalFiles, bytesDone: p.bytesDone, bytesTotal: p.totalBytes }),
        });
        job.summary = { filesRestored: s.filesRestored, bytesRestored: s.bytesRestored, errors: s.errors.length };
      }
      job.state = 'succeeded';
    } catch (err) {
      job.state = signal.aborted ? 'cancelled' : 'failed';
      job.error = (err as Error).message;
      if (isCairnError(err)) job.errorCode = err.code;
      this.log_(job, 'error', job.error);
    } finally {
      await backend.close().catch(() => {});
    }
    job.finishedAt = Date.now();
    this.finished.push({ ...job });
    this.emit({ type: 'job-finished', job: { ...job } });
    return { ...job };
  }
}
