// A plan's backup, then its follow-ups: the retention policy (forget + prune) and the copy to a
// second repository. A follow-up that fails fails the job (the user asked for it and it did not
// happen), but the message and the summary say the snapshot itself was saved.
import { backup, CairnError, isCairnError, shortId, BackupHeadStart, type Repository } from '../../../src-worker/index.ts';
import type { Plan } from '../../profiles/index.ts';
import type { JobContext } from '../context.ts';
import { planExcludes, planSources, type PlanEnvironment } from '../../profiles/plan-options.ts';
import { copySnapshots } from './copy.ts';
import { applyRetention } from './retention.ts';

export async function backupPlan(ctx: JobContext, plan: Plan, env: PlanEnvironment): Promise<void> {
  const paths = planSources(plan, env);
  // The sources' metadata is read (and workers started) while the repository opens: key
  // derivation leaves the main thread idle.
  const headStart = new BackupHeadStart(paths, { repository: `profile:${plan.repositoryId}`, cacheRoot: ctx.cacheDir ?? null });
  let repo: Repository;
  try {
    repo = await ctx.open(plan.repositoryId);
  } catch (err) {
    await headStart.stop();
    throw err;
  }
  ctx.log('info', `backing up ${paths.join(', ')}`);
  ctx.progress({ phase: 'backing up', filesDone: 0, bytesDone: 0 });
  const s = await backup(repo, {
    paths,
    exclude: planExcludes(plan, env),
    tags: plan.tags,
    headStart,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({
      phase: 'backing up',
      filesDone: p.filesDone,
      filesTotal: p.totalFiles ?? undefined,
      bytesDone: p.bytesDone,
      bytesTotal: p.totalBytes ?? undefined,
      currentPath: p.currentFiles[0],
    }),
    onWarning: (p, m) => ctx.log('warning', `${p}: ${m}`),
  });
  Object.assign(ctx.summary, {
    snapshotId: s.snapshotId, parent: s.parent, filesNew: s.filesNew, filesChanged: s.filesChanged, filesUnmodified: s.filesUnmodified,
    dirsNew: s.dirsNew, dirsChanged: s.dirsChanged, dataAdded: s.dataAdded, dataAddedPacked: s.dataAddedPacked,
    totalFilesProcessed: s.totalFilesProcessed, totalBytesProcessed: s.totalBytesProcessed, warnings: s.warnings.length,
  });
  if (!s.snapshotId) throw new CairnError('INTERNAL', 'the backup finished without a snapshot: run it again and report this if it repeats');
  ctx.snapshotIds.push(s.snapshotId);
  ctx.log('info', `snapshot ${shortId(s.snapshotId)} saved: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified files; ${s.dataAdded} bytes added`);
  if (s.warnings.length > 0) ctx.log('warning', `${s.warnings.length} source files could not be read; the snapshot is complete without them`);

  await followUp(ctx, s.snapshotId, 'applying the retention policy', () => applyRetention(ctx, repo, plan, env, false));
  const copyTo = plan.copyToRepositoryId;
  if (copyTo) {
    await followUp(ctx, s.snapshotId, `copying to repository ${copyTo}`, async () => {
      ctx.log('info', `copying snapshot ${shortId(s.snapshotId!)} to repository ${copyTo}`);
      const dst = await ctx.open(copyTo);
      const copies = await copySnapshots(ctx, repo as Repository, dst, [s.snapshotId!]);
      ctx.snapshotIds.push(...copies);
    });
  }
}

async function followUp(ctx: JobContext, snapshotId: string, step: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // A cancel stays a cancel; anything else is said in terms of what the user has and has not got.
    if (isCairnError(err, 'ABORTED') || ctx.signal.aborted) throw err;
    const code = isCairnError(err) ? err.code : 'INTERNAL';
    const why = err instanceof Error ? err.message : String(err);
    throw new CairnError(code, `snapshot ${shortId(snapshotId)} was saved, but ${step} failed: ${why}`, { cause: err });
  }
}
