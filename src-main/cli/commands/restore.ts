import type { Command } from 'commander';
import { CairnError, findSnapshot, restore, shortId, type OverwritePolicy } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect, filterFrom, withLatestFilters, type FilterFlags } from '../filters.ts';
import { formatBytes, formatDuration, goTimeString } from '../format.ts';
import { ProgressLine } from '../progress-line.ts';

interface RestoreFlags extends FilterFlags {
  target?: string;
  include: string[];
  exclude: string[];
  iinclude: string[];
  iexclude: string[];
  overwrite: string;
  verify?: boolean;
  sparse?: boolean;
  dryRun?: boolean;
}

export function registerRestore(program: Command, cli: () => Cli): void {
  withLatestFilters(program.command('restore'))
    .description('restore a snapshot (or part of it) into a directory')
    .argument('<snapshot>', 'snapshot id or "latest", optionally with ":subfolder"')
    .option('-t, --target <dir>', 'directory to restore into')
    .option('-i, --include <pattern>', 'restore only matching paths (repeatable)', collect, [])
    .option('-e, --exclude <pattern>', 'do not restore matching paths (repeatable)', collect, [])
    .option('--iinclude <pattern>', 'like --include, ignoring case', collect, [])
    .option('--iexclude <pattern>', 'like --exclude, ignoring case', collect, [])
    .option('--overwrite <policy>', 'existing files: never (stop before writing), if-changed, always', 'never')
    .option('--verify', 'read the restored files back and verify their content')
    .option('--sparse', 'restore all-zero regions as holes (sparse files)')
    .option('-n, --dry-run', 'only show what would be restored and what already exists')
    .action(async (ref: string, flags: RestoreFlags) => {
      const c = cli();
      if (!flags.target) throw new CairnError('INVALID_ARGUMENT', 'please give a directory to restore into with --target');
      if (!['never', 'always', 'if-changed'].includes(flags.overwrite)) throw new CairnError('INVALID_ARGUMENT', `--overwrite ${flags.overwrite}: use never, if-changed or always`);
      const colon = ref.indexOf(':');
      const snapRef = colon >= 0 ? ref.slice(0, colon) : ref;
      const subpath = colon >= 0 ? ref.slice(colon + 1) : undefined;
      const repo = await c.openRepository();
      // A shared lock, as restic's restore takes: a prune cannot delete packs from under it.
      const { confirmed } = await c.lockForReading(repo);
      const sn = await findSnapshot(repo, snapRef, filterFrom(flags));
      if (!c.json) c.print(`restoring <Snapshot ${shortId(sn.id)} of [${sn.snapshot.paths.join(" ")}] at ${goTimeString(sn.snapshot.time)} by ${sn.snapshot.username ?? ""}@${sn.snapshot.hostname ?? ""}> to ${flags.target}`);
      const tty = process.stderr.isTTY && !c.json && !c.globals.quiet;
      const line = tty ? new ProgressLine(process.stderr) : null;
      const summary = await restore(repo, {
        snapshot: sn, subpath, target: flags.target,
        include: flags.include, exclude: flags.exclude, iinclude: flags.iinclude, iexclude: flags.iexclude,
        overwrite: flags.overwrite as OverwritePolicy, verify: flags.verify, sparse: flags.sparse, dryRun: flags.dryRun,
        signal: c.signal,
        lockConfirmed: confirmed,
        onProgress: line ? (p) => line.update(`[${formatDuration(p.elapsedMs)}] ${p.totalBytes ? ((p.bytesDone / p.totalBytes) * 100).toFixed(2) : '100.00'}%  ${p.filesDone} / ${p.totalFiles} files ${formatBytes(p.bytesDone)} / ${formatBytes(p.totalBytes)}`) : undefined,
        onWarning: (p, message) => {
          line?.clear();
          if (c.json) c.printJson({ message_type: 'error', error: { message }, during: 'restore', item: p });
          else c.warn(`ignoring error for ${p}: ${message}`);
        },
      });
      line?.clear();
      if (c.json) {
        c.printJson({
          message_type: 'summary', seconds_elapsed: Math.round(summary.durationMs / 1000), total_files: summary.totalFiles,
          files_restored: summary.filesRestored, files_skipped: summary.filesUnchanged, total_bytes: summary.totalBytes,
          bytes_restored: summary.bytesRestored, errors: summary.errors.length, dry_run: flags.dryRun || undefined,
          conflicts: flags.dryRun ? summary.conflicts : undefined,
        });
      } else if (flags.dryRun) {
        c.print(`would restore ${summary.totalFiles} files (${formatBytes(summary.totalBytes)})`);
        if (summary.conflicts.length) {
          c.print(`${summary.conflicts.length} of the paths exist already in the target:`);
          for (const p of summary.conflicts.slice(0, 50)) c.print(`  ${p}`);
          if (summary.conflicts.length > 50) c.print(`  ... and ${summary.conflicts.length - 50} more`);
        }
      } else {
        c.print(`Summary: Restored ${summary.filesRestored} files (${formatBytes(summary.bytesRestored)})${summary.filesUnchanged ? `, ${summary.filesUnchanged} unchanged files skipped` : ''} in ${formatDuration(summary.durationMs)}`);
        if (flags.verify) c.print(`verified ${summary.verified} files`);
      }
      const filtered = [...(flags.include ?? []), ...(flags.iinclude ?? [])];
      if (summary.totalFiles === 0 && filtered.length > 0 && !c.json) {
        // Exit 0 as restic's, but say so: a typo in a pattern looks like an empty restore otherwise.
        c.warn(`nothing in snapshot ${shortId(sn.id)} matches ${filtered.map((p) => `"${p}"`).join(', ')}: "cairn ls ${shortId(sn.id)}" lists what it holds`);
      }
      if (summary.errors.length > 0) {
        if (!c.json) c.warn(`There were ${summary.errors.length} errors`);
        process.exitCode = 1;
      }
    });
}
