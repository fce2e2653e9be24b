import type { Command } from 'commander';
import { copy, shortId } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect, filterFrom, type FilterFlags } from '../filters.ts';
import { formatBytes, formatDuration, goTimeString } from '../format.ts';
import { openFromRepository, withFromRepoOptions, type FromRepoFlags } from '../from-repo.ts';
import { ProgressLine } from '../progress-line.ts';

/*
 * `cairn -r DST copy --from-repo SRC [ids...]`. With --json, one line at the end:
 *   { "message_type": "summary",
 *     "snapshots_processed": n, "snapshots_copied": n, "snapshots_skipped": n,
 *     "snapshots": [ { "source": id, "destination": id, "skipped": bool } ],   // in the order processed
 *     "tree_blobs": n, "data_blobs": n,           // blobs newly stored in the destination
 *     "bytes_copied": n,                          // their plaintext size
 *     "bytes_stored": n,                          // what they take in the destination's packs
 *     "packs_read": n, "seconds_elapsed": x }
 * ("destination" of a skipped snapshot is the destination's existing copy.)
 */
export function registerCopy(program: Command, cli: () => Cli): void {
  const cmd = program.command('copy')
    .description('copy snapshots from another repository (--from-repo) into this one')
    .argument('[ids...]', 'snapshots to copy (ids or "latest"); all when none is given')
    .option('-H, --host <host>', 'only snapshots of this host, when no id is given (repeatable)', collect, [])
    .option('--tag <taglist>', 'only snapshots with all these comma-separated tags, when no id is given (repeatable)', collect, [])
    .option('--path <path>', 'only snapshots including this (absolute) path, when no id is given (repeatable)', collect, []);
  withFromRepoOptions(cmd, 'to copy snapshots from')
    .action(async (ids: string[], flags: FilterFlags & FromRepoFlags) => {
      const c = cli();
      // Both passwords are checked before anything is written to either repository.
      const src = await openFromRepository(c, flags);
      const dst = await c.openRepository();
      const tty = process.stderr.isTTY && !c.json && !c.globals.quiet;
      const line = tty ? new ProgressLine(process.stderr) : null;
      const summary = await copy(src, dst, {
        snapshots: ids,
        filter: filterFrom(flags),
        signal: c.signal,
        onWarning: (message) => {
          line?.clear();
          c.warn(message);
        },
        onEvent: (e) => {
          if (c.json) return;
          line?.clear();
          const sn = e.source.snapshot;
          switch (e.type) {
            case 'start':
              c.print('');
              c.print(`snapshot ${shortId(e.source.id)} of [${sn.paths.join(' ')}] at ${goTimeString(sn.time)})`);
              break;
            case 'skipped':
              c.print(`skipping source snapshot ${shortId(e.source.id)}, was already copied to snapshot ${shortId(e.existing)}`);
              break;
            case 'copying':
              c.print('  copy started, this may take a while...');
              break;
            case 'saved':
              c.print(`snapshot ${shortId(e.destination)} saved`);
              break;
          }
        },
        onProgress: line ? (p) => line.update(`[${formatDuration(p.elapsedMs)}] ${p.packsDone} / ${p.packsTotal} packs copied, ${p.blobsDone} / ${p.blobsTotal} blobs, ${formatBytes(p.bytesDone)}`) : undefined,
      });
      line?.clear();
      if (c.json) {
        c.printJson({
          message_type: 'summary',
          snapshots_processed: summary.snapshots.length, snapshots_copied: summary.copied, snapshots_skipped: summary.skipped,
          snapshots: summary.snapshots,
          tree_blobs: summary.treeBlobs, data_blobs: summary.dataBlobs, bytes_copied: summary.bytesCopied, bytes_stored: summary.bytesStored,
          packs_read: summary.packsRead, seconds_elapsed: Math.round(summary.durationMs) / 1000,
        });
      }
    });
}
