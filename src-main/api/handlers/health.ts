// A repository's health for the dashboard: the last backup, check and copy from the job history,
// and the 3-2-1 rule (three copies of the data, on two kinds of storage, one of them elsewhere).
// Cairn sees the original on this computer plus the repositories holding it, so it asks for two
// repositories (this one and a successful copy) and one of them off this computer.
import type { JobInfo } from '../../jobs/types.ts';
import type { ApiContext } from '../context.ts';
import type { HandlerTable } from './types.ts';

const REMOTE = /^(sftp|s3|rest|rclone|b2|azure|gs|swift):/;

function brief(job: JobInfo | undefined) {
  if (!job || (job.state !== 'succeeded' && job.state !== 'failed' && job.state !== 'cancelled')) return null;
  return { jobId: job.id, state: job.state, finishedAt: job.finishedAt ?? null, error: job.error ?? null };
}

function newest(jobs: JobInfo[]): JobInfo | undefined {
  return [...jobs].sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0))[0];
}

export const healthHandlers: HandlerTable<'repositories.health'> = {
  async 'repositories.health'(input, ctx) {
    const id = input.repositoryId;
    const repo = ctx.profiles.repository(id);
    const jobs = ctx.jobs();
    const own = await jobs.history({ repositoryId: id, limit: 200 });
    const planJobs = (await Promise.all(ctx.profiles.profiles.plans
      .filter((p) => p.repositoryId === id)
      .map((p) => jobs.history({ planId: p.id, limit: 200 })))).flat();
    const all = [...new Map([...own, ...planJobs].map((j) => [j.id, j])).values()];

    const checks = all.filter((j) => j.request.kind === 'check' && j.request.repositoryId === id);
    const backups = all.filter((j) => j.request.kind === 'backup');
    // A plan with a second copy copies inside its backup job (a follow-up step, which fails the
    // job when it fails): such a job names the copy's repository next to its own.
    const copiedBy = (j: JobInfo) => j.request.kind === 'backup' && j.repositoryIds[0] === id && j.repositoryIds.length > 1;
    const copies = all.filter((j) => (j.request.kind === 'copy' && (j.request.fromRepositoryId === id || j.request.toRepositoryId === id)) || copiedBy(j));
    const holders = new Set([id]);
    for (const j of copies) {
      if (j.state !== 'succeeded') continue;
      if (j.request.kind === 'copy' && j.request.fromRepositoryId === id) holders.add(j.request.toRepositoryId);
      if (copiedBy(j)) for (const other of j.repositoryIds.slice(1)) holders.add(other);
    }
    const offsite = [...holders].some((h) => REMOTE.test(ctx.profiles.repository(h)?.location ?? ''));

    const lastSuccessByPlan: Record<string, number> = {};
    for (const j of backups) {
      if (j.state !== 'succeeded' || j.request.kind !== 'backup' || j.finishedAt === undefined) continue;
      lastSuccessByPlan[j.request.planId] = Math.max(lastSuccessByPlan[j.request.planId] ?? 0, j.finishedAt);
    }
    const lastCheck = newest(checks);
    const problems: string[] = [];
    if (!repo) problems.push(`The repository "${id}" is no longer set up in Cairn.`);
    if (holders.size < 2) problems.push('Your backups are in one place only: keep a second copy, as the "Offsite copy" step of a new backup plan offers.');
    if (!offsite) problems.push('No copy is away from this computer: make the second copy on an SFTP server, S3-compatible storage, a REST server or an rclone remote.');
    if (!lastCheck) problems.push('The backups were never checked: run a check (Settings → Maintenance).');
    else if (lastCheck.state !== 'succeeded') problems.push('The last check did not succeed: read its log (Settings → Job history) and run it again.');
    return {
      repositoryId: id,
      lastBackup: brief(newest(backups)),
      lastSuccessByPlan,
      lastCheck: brief(lastCheck),
      lastCopy: brief(newest(copies)),
      copies: holders.size,
      offsite,
      rule321: { ok: problems.length === 0, problems },
    };
  },
};
