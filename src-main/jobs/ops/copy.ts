// Copy snapshots between repositories (3-2-1): all of them, or the given ones.
import { copy, shortId, type Repository } from '../../../src-worker/index.ts';
import type { JobContext } from '../context.ts';

export async function copySnapshots(ctx: JobContext, src: Repository, dst: Repository, snapshotIds: string[] | undefined): Promise<string[]> {
  const destinations: string[] = [];
  const summary = await copy(src, dst, {
    snapshots: snapshotIds ?? [],
    signal: ctx.signal,
    onWarning: (m) => ctx.log('warning', m),
    onEvent: (e) => {
      if (e.type === 'skipped') ctx.log('info', `snapshot ${shortId(e.source.id)} was already copied (as ${shortId(e.existing)})`);
      if (e.type === 'saved') ctx.log('info', `snapshot ${shortId(e.source.id)} copied as ${shortId(e.destination)}`);
    },
    onProgress: (p) => ctx.progress({ phase: 'copying', filesDone: p.snapshotsDone, filesTotal: p.snapshotsTotal, bytesDone: p.bytesDone }),
  });
  for (const s of summary.snapshots) if (!s.skipped) destinations.push(s.destination);
  ctx.summary.snapshotsCopied = summary.copied;
  ctx.summary.snapshotsSkipped = summary.skipped;
  ctx.summary.bytesCopied = summary.bytesCopied;
  ctx.summary.bytesStoredInCopy = summary.bytesStored;
  return destinations;
}
