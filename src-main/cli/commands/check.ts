import type { Command } from 'commander';
import { CairnError, check, checkSubsetSyntax, readWhileConfirming, type CheckProblem, type CheckProgress } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { ProgressLine } from '../progress-line.ts';

const PHASE_NAMES: Record<CheckProgress['phase'], string> = { index: 'index files', packs: 'packs', 'read-data': 'packs read', snapshots: 'snapshots' };

function statusLine(p: CheckProgress, elapsedMs: number): string {
  let s = `[${formatDuration(elapsedMs)}] ${p.total ? ((p.done / p.total) * 100).toFixed(2) : '100.00'}%  ${p.done} / ${p.total} ${PHASE_NAMES[p.phase]}`;
  if (p.phase === 'read-data') s += `  ${formatBytes(p.bytesDone ?? 0)} / ${formatBytes(p.bytesTotal ?? 0)}`;
  if (p.phase === 'snapshots') s += `  ${p.trees ?? 0} trees`;
  return s;
}

function affected(p: CheckProblem): string {
  let out = p.snapshots?.length ? `\n  affects snapshot${p.snapshots.length === 1 ? '' : 's'} ${p.snapshots.map((s) => s.slice(0, 8)).join(', ')}` : '';
  for (const f of p.files ?? []) out += `\n  affects ${f}`;
  if ((p.filesTotal ?? 0) > (p.files?.length ?? 0)) out += `\n  and ${p.filesTotal! - p.files!.length} more files`;
  return out;
}

export function registerCheck(program: Command, cli: () => Cli): void {
  program.command('check')
    .description('check the repository for errors')
    .option('--read-data', 'read and verify all data')
    .option('--read-data-subset <subset>', 'read a subset of the data: "n/t" or "x%"')
    .option('--check-unused', 'report blobs no snapshot uses, as errors')
    .action(async (opts: { readData?: boolean; readDataSubset?: string; checkUnused?: boolean }) => {
      const c = cli();
      if (opts.readData && opts.readDataSubset) throw new CairnError('INVALID_ARGUMENT', 'check flags --read-data and --read-data-subset cannot be used together');
      if (opts.readDataSubset) checkSubsetSyntax(opts.readDataSubset);
      // Like restic, check never trusts the local cache: it reads what the repository holds.
      const repo = await c.openRepository({ cache: false });
      // Exclusive, as restic 0.14: a backup finishing mid-check would look like missing blobs.
      if (c.globals.lock !== false) c.verbose('create exclusive lock for repository');
      const { confirmed } = await c.lockForReading(repo, true);
      c.verbose('load indexes');
      const tty = process.stderr.isTTY && !c.json && !c.globals.quiet;
      const line = tty ? new ProgressLine(process.stderr) : null;
      const started = performance.now();
      let lastJson = 0;
      let lastPhase = '';
      // Checking starts while the lock waits for a racing one (check only reads) and stops if one came.
      const result = await readWhileConfirming(confirmed, c.signal, (signal) => check(repo, {
        readData: opts.readData, readDataSubset: opts.readDataSubset, checkUnused: opts.checkUnused, signal,
        onProgress: (p) => {
          const now = performance.now();
          if (line) line.update(statusLine(p, now - started));
          // JSON status: the first and last of each phase always, in between at most once a second.
          else if (c.json && !c.globals.quiet && (p.phase !== lastPhase || p.done === p.total || now - lastJson >= 1000)) {
            lastJson = now;
            lastPhase = p.phase;
            c.printJson({
              message_type: 'status', phase: p.phase, done: p.done, total: p.total, seconds_elapsed: Math.round((now - started) / 1000),
              ...(p.bytesTotal !== undefined ? { bytes_done: p.bytesDone, bytes_total: p.bytesTotal } : {}),
              ...(p.trees !== undefined ? { trees: p.trees } : {}),
            });
          }
        },
      }));
      line?.clear();
      const errors = result.problems;
      if (c.json) {
        c.printJson({
          message_type: 'summary', num_errors: errors.length, index_files: result.indexFiles, packs: result.packs,
          snapshots: result.snapshots, trees: result.trees, packs_read: result.packsRead, bytes_read: result.bytesRead,
          unreferenced_packs: result.unreferencedPacks, duplicate_blobs: result.duplicateBlobs.length, hints: result.hints,
          problems: errors,
        });
      } else {
        for (const h of result.hints) c.print(h.message);
        if (result.hints.some((h) => h.kind === 'duplicate-pack' || h.kind === 'old-index')) c.print('This is non-critical, you can run `cairn repair index` to correct this');
        if (result.hints.some((h) => h.kind === 'mixed-pack')) c.print('Mixed packs with tree and data blobs are non-critical, you can run `cairn prune` to correct this.');
        const verbose = (c.globals.verbose ?? 0) > 0;
        // Named one by one, as restic does at its default verbosity (not errors: prune removes them).
        for (const id of result.unreferencedPacks) c.verbose(`pack ${id}: not referenced in any index`);
        if (result.unreferencedPacks.length) c.verbose(`${result.unreferencedPacks.length} additional files were found in the repo, which likely contain duplicate data.\nThis is non-critical, you can run \`cairn prune\` to correct this.`);
        if (result.duplicateBlobs.length) {
          c.print(`${result.duplicateBlobs.length} blobs are stored in more than one pack. This is non-critical, \`cairn prune\` removes the extra copies.`);
          if (verbose) for (const d of result.duplicateBlobs) c.verbose(`  ${d.type} blob ${d.id} in packs ${d.packs.map((p) => p.slice(0, 8)).join(', ')}`);
        }
        for (const p of errors) c.warn(`error: ${p.message}${affected(p)}`);
        if (errors.some((p) => p.kind === 'corrupt-index')) c.warn('run `cairn repair index` to rebuild the index from the packs');
        c.verbose(`checked ${result.indexFiles} index files, ${result.packs} packs, ${result.snapshots} snapshots, ${result.trees} trees` +
          (result.packsRead ? `, read ${result.packsRead} packs (${formatBytes(result.bytesRead)})` : ''));
        if (!errors.length) c.print('no errors were found');
      }
      if (errors.length) throw new CairnError('CORRUPT_OBJECT', `repository contains errors (${errors.length} found)`);
    });
}
