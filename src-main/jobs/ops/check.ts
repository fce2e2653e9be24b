// Check a repository, as `cairn check`: no cache (check the repository, not our copy of it) and an
// exclusive lock (a backup finishing mid-check would look like missing data).
import { CairnError, check, readWhileConfirming, RepositoryLock, type Repository } from '../../../src-worker/index.ts';
import type { JobContext } from '../context.ts';

export async function checkRepository(ctx: JobContext, repo: Repository, readDataSubset: string | undefined): Promise<void> {
  const { lock, confirmed } = await RepositoryLock.begin(repo, true);
  try {
    // Checking starts while the lock waits for a racing one (check only reads) and stops if one came.
    const result = await readWhileConfirming(confirmed, ctx.signal, (signal) => check(repo, {
      readDataSubset,
      signal,
      onProgress: (p) => ctx.progress({ phase: `checking ${p.phase}`, filesDone: p.done, filesTotal: p.total, bytesDone: p.bytesDone ?? 0, bytesTotal: p.bytesTotal }),
    }));
    for (const h of result.hints) ctx.log('info', h.message);
    for (const p of result.problems) ctx.log('error', p.message);
    Object.assign(ctx.summary, {
      problems: result.problems.length, snapshots: result.snapshots, packs: result.packs, trees: result.trees,
      packsRead: result.packsRead, bytesRead: result.bytesRead, unreferencedPacks: result.unreferencedPacks.length,
    });
    if (result.problems.length > 0) {
      throw new CairnError('CORRUPT_OBJECT', `the repository has ${result.problems.length} errors (listed in the job's log): run "cairn repair index", then check again`);
    }
    ctx.log('info', 'no errors were found');
  } finally {
    await lock.release();
  }
}
