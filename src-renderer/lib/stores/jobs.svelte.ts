// Jobs, live: the active ones from jobs.list, kept current by the job events, and the most recent
// finished job of each plan seen since the page opened (for "last backup failed: ...").
import { call, type ApiEvent, type JobInfo } from '../api/index.ts';

class JobsStore {
  /** Queued and running jobs by id. */
  active = $state<Record<string, JobInfo>>({});
  /** The newest finished job per plan id (backup and forget-prune jobs carry a plan). */
  finishedByPlan = $state<Record<string, JobInfo>>({});
  /** Jobs that finished since the page opened, by id: a view that started one shows its result. */
  finished = $state<Record<string, JobInfo>>({});

  forPlan(planId: string): JobInfo | undefined {
    return Object.values(this.active).find((j) => 'planId' in j.request && j.request.planId === planId);
  }

  async refresh(): Promise<void> {
    const { jobs } = await call('jobs.list', {});
    this.active = Object.fromEntries(jobs.map((j) => [j.id, j]));
  }

  apply(e: ApiEvent): void {
    switch (e.type) {
      case 'job-queued':
      case 'job-started':
        this.active[e.job.id] = e.job;
        break;
      case 'job-progress': {
        const job = this.active[e.jobId];
        if (job) job.progress = e.progress;
        break;
      }
      case 'job-finished':
        delete this.active[e.job.id];
        this.finished[e.job.id] = e.job;
        // What a plan's card shows as its last backup: backups only, not its checks or retention runs.
        if (e.job.request.kind === 'backup') this.finishedByPlan[e.job.request.planId] = e.job;
        break;
    }
  }
}

export const jobs = new JobsStore();
