import type { Command } from 'commander';
import { CairnError, isStatsMode, selectSnapshots, stats, STATS_MODES } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect, selectionFrom, type FilterFlags } from '../filters.ts';
import { resticBytes } from '../gofmt.ts';

export function registerStats(program: Command, cli: () => Cli): void {
  program.command('stats')
    .description('scan the repository and show basic statistics')
    .argument('[snapshot-ids...]', 'only these snapshots (ids or "latest"); all by default')
    .option('--mode <mode>', `counting mode: ${STATS_MODES.join(', ')}`, 'restore-size')
    .option('-H, --host <host>', 'only snapshots of this host (repeatable)', collect)
    .option('--tag <taglist>', 'only snapshots with these comma-separated tags (repeatable)', collect)
    .option('--path <path>', 'only snapshots including this path (repeatable)', collect)
    .action(async (ids: string[], opts: FilterFlags & { mode: string }) => {
      const c = cli();
      if (!isStatsMode(opts.mode)) throw new CairnError('INVALID_ARGUMENT', `unknown counting mode: ${opts.mode} (use one of ${STATS_MODES.join(', ')})`);
      const repo = await c.openRepository();
      await (await c.lockForReading(repo)).confirmed;
      await repo.loadIndex();
      if (!c.json) c.output('scanning...');
      const snapshots = await selectSnapshots(repo, selectionFrom(ids, opts), (m) => c.warn(m));
      const r = await stats(repo, snapshots, { mode: opts.mode, signal: c.signal });
      if (c.json) {
        c.printJson({ total_size: r.totalSize, total_file_count: r.totalFileCount, total_blob_count: r.totalBlobCount || undefined, snapshots_count: r.snapshotsCount });
        return;
      }
      c.output(`Stats in ${opts.mode} mode:`);
      c.output(`Snapshots processed:   ${r.snapshotsCount}`);
      if (r.totalBlobCount > 0) c.output(`   Total Blob Count:   ${r.totalBlobCount}`);
      if (r.totalFileCount > 0) c.output(`   Total File Count:   ${r.totalFileCount}`);
      c.output(`         Total Size:   ${resticBytes(r.totalSize).padEnd(5)}`);
    });
}
