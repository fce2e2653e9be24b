// "Show in folder" after a restore may open only what a restore of this session wrote: the caller
// names the job and the path, and the path must be the job's target or where one of its chosen
// paths landed. Any other path (a typo, or a page trying to make the OS open something of its
// choosing) is refused. Shared by the browser host's operation and the desktop app's.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../../src-worker/index.ts';
import type { JobService } from '../jobs/types.ts';

/** Where a snapshot path lands under a restore target (restores keep the snapshot's path). */
export function landingPath(target: string, snapshotPath: string): string {
  return path.join(target, ...snapshotPath.split('/').filter(Boolean));
}

/** The path, checked: a finished, successful restore job of this session wrote it, and it exists. */
export async function restoredPath(jobs: JobService, jobId: string, wanted: string): Promise<{ path: string; isDirectory: boolean }> {
  // jobs.get knows this session's jobs only: a job id from an earlier run is not found.
  const job = jobs.get(jobId);
  if (!job || job.request.kind !== 'restore') throw new CairnError('NOT_FOUND', `there is no restore ${jobId} in this session: restore the files again to show them`);
  if (job.state !== 'succeeded') throw new CairnError('INVALID_ARGUMENT', `restore ${jobId} has not finished successfully (${job.state}): only restored files can be shown`);
  const { target, include } = job.request;
  const allowed = new Set([path.resolve(target), ...(include ?? []).map((p) => landingPath(target, p))]);
  if (target === path.parse(target).root) allowed.delete(path.resolve(target)); // never the whole disk
  const resolved = path.resolve(wanted);
  if (!path.isAbsolute(wanted) || !allowed.has(resolved)) {
    throw new CairnError('INVALID_ARGUMENT', `${wanted} is not a path restore ${jobId} wrote: only its target folder or the restored items can be shown`);
  }
  const st = await fs.lstat(resolved).catch(() => null);
  if (!st) throw new CairnError('NOT_FOUND', `${resolved} is gone: it was moved or deleted after the restore`);
  return { path: resolved, isDirectory: st.isDirectory() };
}
