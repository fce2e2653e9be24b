// Restore a snapshot (or some of its paths) into an absolute target folder. The engine refuses to
// write outside the target whatever the snapshot or the include patterns say.
import { CairnError, findSnapshot, RepositoryLock, restore, shortId, type OverwritePolicy, type Repository } from '../../../src-worker/index.ts';
import type { JobContext } from '../context.ts';

export interface RestoreRequest {
  snapshotId: string;
  target: string;
  include?: string[];
  overwrite?: OverwritePolicy;
}

export async function restoreSnapshot(ctx: JobContext, repo: Repository, r: RestoreRequest): Promise<void> {
  // A shared lock, as restic's restore takes: a prune cannot delete packs from under it.
  const { lock, confirmed } = await RepositoryLock.begin(repo, false);
  try {
    await restoreLocked(ctx, repo, r, confirmed);
  } finally {
    await lock.release();
  }
}

async function restoreLocked(ctx: JobContext, repo: Repository, r: RestoreRequest, lockConfirmed: Promise<void>): Promise<void> {
  const sn = await findSnapshot(repo, r.snapshotId);
  ctx.log('info', `restoring snapshot ${shortId(sn.id)} of ${sn.snapshot.paths.join(', ')} to ${r.target}`);
  const summary = await restore(repo, {
    snapshot: sn,
    target: r.target,
    include: r.include,
    // Never replace the user's files unless asked to.
    overwrite: r.overwrite ?? 'never',
    signal: ctx.signal,
    lockConfirmed,
    onProgress: (p) => ctx.progress({ phase: 'restoring', filesDone: p.filesDone, filesTotal: p.totalFiles, bytesDone: p.bytesDone, bytesTotal: p.totalBytes }),
    onWarning: (p, m) => ctx.log('warning', `${p}: ${m}`),
  });
  ctx.snapshotIds.push(sn.id);
  Object.assign(ctx.summary, {
    filesRestored: summary.filesRestored, filesUnchanged: summary.filesUnchanged, bytesRestored: summary.bytesRestored,
    totalFiles: summary.totalFiles, totalBytes: summary.totalBytes, errors: summary.errors.length,
  });
  ctx.log('info', `restored ${summary.filesRestored} files (${summary.bytesRestored} bytes)`);
  if (summary.errors.length > 0) {
    throw new CairnError('PERMISSION_DENIED', `${summary.errors.length} files could not be restored (listed in the job's log): check the target folder's permissions and free space, then restore again`);
  }
}
