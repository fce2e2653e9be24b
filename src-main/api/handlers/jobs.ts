// Jobs through the injected JobService: start (with restores as their own operation, so the UI's
// restore form has a precise contract), cancel, list, history, log.
import { CairnError, findSnapshot, restore } from '../../../src-worker/index.ts';
import type { JobInfo } from '../../jobs/types.ts';
import type { ApiContext } from '../context.ts';
import type { HandlerTable } from './types.ts';

function requireRepository(ctx: ApiContext, id: string): void {
  if (!ctx.profiles.repository(id)) throw new CairnError('NOT_FOUND', `repository "${id}" does not exist`);
}

/** One page of a newest-first history: up to `limit` jobs after the job `before` (from the start
 * without it), and whether older ones follow. A cursor job that is gone (it fell off the end of
 * the history since the page before) is an error the user can act on, not a silent empty page. */
function historyPage(jobs: readonly JobInfo[], opts: { limit: number; before?: string }): { jobs: JobInfo[]; more: boolean } {
  let start = 0;
  if (opts.before !== undefined) {
    const at = jobs.findIndex((j) => j.id === opts.before);
    if (at < 0) throw new CairnError('NOT_FOUND', `job ${opts.before} is no longer in the history (only the newest runs are kept): reload the history`);
    start = at + 1;
  }
  return { jobs: jobs.slice(start, start + opts.limit), more: jobs.length > start + opts.limit };
}

/** Enough conflicts to show the user what is in the way; the count says how many there are. */
const MAX_CONFLICTS = 200;

export const jobHandlers: HandlerTable<'jobs.start' | 'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.log' | 'jobs.history' | 'restores.start' | 'restores.preview'> = {
  async 'jobs.start'(input, ctx) {
    return ctx.jobs().start(input);
  },

  async 'restores.start'(input, ctx) {
    // The schema already refused relative targets and ".." in the target and the include paths;
    // the engine refuses hostile names inside the repository while it restores.
    requireRepository(ctx, input.repositoryId);
    return ctx.jobs().start({ kind: 'restore', ...input });
  },

  async 'restores.preview'(input, ctx) {
    // The engine's dry run plans the restore from the trees and looks at the target, writing
    // nothing: the UI can show the conflicts before "never" would refuse the whole restore.
    requireRepository(ctx, input.repositoryId);
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const snapshot = await findSnapshot(repo, input.snapshotId);
      const summary = await restore(repo, { snapshot, target: input.target, include: input.include, overwrite: input.overwrite, dryRun: true });
      return {
        totalFiles: summary.totalFiles,
        totalBytes: summary.totalBytes,
        conflicts: summary.conflicts.slice(0, MAX_CONFLICTS),
        conflictsTruncated: summary.conflicts.length > MAX_CONFLICTS,
      };
    });
  },

  async 'jobs.list'(_input, ctx) {
    return { jobs: ctx.jobs().active() };
  },

  async 'jobs.get'(input, ctx) {
    const job = ctx.jobs().get(input.jobId);
    if (!job) throw new CairnError('NOT_FOUND', `job "${input.jobId}" is not known (finished jobs are in the history)`);
    return job;
  },

  async 'jobs.cancel'(input, ctx) {
    const jobs = ctx.jobs();
    if (!jobs.get(input.jobId)) throw new CairnError('NOT_FOUND', `job "${input.jobId}" is not known`);
    return { cancelled: await jobs.cancel(input.jobId) };
  },

  async 'jobs.log'(input, ctx) {
    return { lines: await ctx.jobs().log(input.jobId) };
  },

  async 'jobs.history'(input, ctx) {
    const all = await ctx.jobs().history({ planId: input.planId, repositoryId: input.repositoryId });
    return historyPage(all, { limit: input.limit, before: input.before });
  },
};
