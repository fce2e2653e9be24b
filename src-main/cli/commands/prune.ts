import type { Command } from 'commander';
import { CairnError, prune, RepositoryLock, validatePruneOptions, type PruneMutation, type PruneProgress, type PruneResult, type Repository } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { formatBytes } from '../format.ts';
import { ProgressLine } from '../progress-line.ts';

export interface PruneFlags {
  dryRun?: boolean;
  maxUnused: string;
  maxRepackSize?: string;
  repackCacheableOnly?: boolean;
  repackSmall?: boolean;
  repackUncompressed?: boolean;
}

const PHASE_TEXT: Record<PruneProgress['phase'], string> = {
  index: 'index files loaded',
  snapshots: 'snapshots',
  plan: 'planned',
  'delete-unreferenced': 'unreferenced packs deleted',
  repack: 'packs repacked',
  'write-index': 'index files written',
  'delete-index': 'old index files deleted',
  'delete-packs': 'old packs deleted',
};

export function registerPrune(program: Command, cli: () => Cli): void {
  program.command('prune')
    .description('remove data no snapshot needs any more')
    .option('-n, --dry-run', 'do not modify the repository, just print what would be done')
    .option('--max-unused <limit>', 'tolerate this much unused data: a size (k/K, m/M, g/G, t/T), a percentage, or "unlimited"', '5%')
    .option('--max-repack-size <size>', 'repack at most this many bytes (k/K, m/M, g/G, t/T)')
    .option('--repack-cacheable-only', 'only repack packs that hold trees')
    .option('--repack-small', 'repack packs below 80% of the target pack size')
    .option('--repack-uncompressed', 'repack all uncompressed data')
    .action(async (opts: PruneFlags) => {
      const c = cli();
      checkPruneFlags(c, opts);
      const repo = await c.openRepository();
      // Like restic, even a dry run takes the exclusive lock: its numbers are only true while nobody writes.
      const lock = await RepositoryLock.acquire(repo, true);
      c.onCleanup(() => lock.release());
      await pruneLocked(c, repo, opts);
    });
}

/** Checks prune's flags before anything is opened (prune, and forget --prune). */
export function checkPruneFlags(c: Cli, opts: PruneFlags): void {
  validatePruneOptions({ maxUnused: opts.maxUnused, maxRepackSize: opts.maxRepackSize });
  if (opts.repackUncompressed && c.compression() === 'off') {
    throw new CairnError('INVALID_ARGUMENT', '--repack-uncompressed compresses data: it cannot be combined with --compression off');
  }
}

/** Prunes with progress and the summary printed; the caller holds the exclusive lock. */
/** `ignoreSnapshots`: what a dry-run forget would have removed (see PruneOptions). */
export async function pruneLocked(c: Cli, repo: Repository, opts: PruneFlags, ignoreSnapshots?: ReadonlySet<string>): Promise<void> {
  const line = process.stderr.isTTY && !c.json && !c.globals.quiet ? new ProgressLine(process.stderr) : null;
  let phase: PruneProgress['phase'] | null = null;
  const onProgress = (p: PruneProgress) => {
    if (!c.json && p.phase !== phase) {
      line?.clear();
      phase = p.phase;
      const announce = PHASE_ANNOUNCE[p.phase];
      if (announce) c.print(announce);
    }
    line?.update(`${p.done} / ${p.total} ${PHASE_TEXT[p.phase]}`);
  };
  const result = await prune(repo, {
    maxUnused: opts.maxUnused, maxRepackSize: opts.maxRepackSize, dryRun: opts.dryRun, ignoreSnapshots, signal: c.signal,
    repackCacheableOnly: opts.repackCacheableOnly, repackSmall: opts.repackSmall, repackUncompressed: opts.repackUncompressed,
    onMutation: testKillSwitch(),
  }, onProgress);
  line?.clear();
  if (c.json) c.printJson(summaryJson(result));
  else printSummary(c, result);
}

const PHASE_ANNOUNCE: Partial<Record<PruneProgress['phase'], string>> = {
  index: 'loading indexes...',
  snapshots: 'loading all snapshots and finding data that is still in use...',
  plan: 'collecting packs for deletion and repacking',
  'delete-unreferenced': 'deleting unreferenced packs',
  repack: 'repacking packs',
  'write-index': 'rebuilding index',
  'delete-index': 'deleting obsolete index files',
  'delete-packs': 'removing old packs',
};

/**
 * Test-only: with CAIRN_TEST_KILL_AFTER_MUTATIONS=N the process kills itself (SIGKILL, no clean-up)
 * right after its Nth change to the repository, so tests can stop a prune at every step. Unset, it
 * does nothing.
 */
function testKillSwitch(): ((m: PruneMutation) => void) | undefined {
  const n = Number(process.env.CAIRN_TEST_KILL_AFTER_MUTATIONS ?? '');
  if (!Number.isInteger(n) || n <= 0) return undefined;
  let count = 0;
  return () => {
    if (++count >= n) process.kill(process.pid, 'SIGKILL');
  };
}

function totals(r: PruneResult) {
  const s = r.stats;
  const totalBlobs = s.blobs.used + s.blobs.unused + s.blobs.duplicate;
  const totalSize = s.size.used + s.size.duplicate + s.size.unused + s.size.unref;
  const unusedSize = s.size.duplicate + s.size.unused;
  const pruneBlobs = s.blobs.remove + s.blobs.repackrm;
  const pruneSize = s.size.remove + s.size.repackrm + s.size.unref;
  return { totalBlobs, totalSize, unusedSize, pruneBlobs, pruneSize, unusedAfter: unusedSize - s.size.remove - s.size.repackrm };
}

function percent(n: number, d: number): string {
  if (d === 0) return '';
  return `${Math.min(100, (100 * n) / d).toFixed(2)}%`;
}

function printSummary(c: Cli, r: PruneResult): void {
  const s = r.stats;
  const t = totals(r);
  const row = (label: string, blobs: number, bytes: number) => c.print(`${label.padEnd(14)}${String(blobs).padStart(10)} blobs / ${formatBytes(bytes)}`);
  c.print('');
  row('used:', s.blobs.used, s.size.used);
  if (s.blobs.duplicate > 0) row('duplicates:', s.blobs.duplicate, s.size.duplicate);
  row('unused:', s.blobs.unused, s.size.unused);
  if (s.size.unref > 0) c.print(`${'unreferenced:'.padEnd(14)}${' '.repeat(18)}${formatBytes(s.size.unref)}`);
  row('total:', t.totalBlobs, t.totalSize);
  c.print(`unused size: ${percent(t.unusedSize, t.totalSize)} of total size`);
  c.print('');
  row('to repack:', s.blobs.repack, s.size.repack);
  row('this removes:', s.blobs.repackrm, s.size.repackrm);
  row('to delete:', s.blobs.remove, s.size.remove + s.size.unref);
  row('total prune:', t.pruneBlobs, t.pruneSize);
  row('remaining:', t.totalBlobs - t.pruneBlobs, t.totalSize - t.pruneSize);
  c.print(`unused size after prune: ${formatBytes(t.unusedAfter)} (${percent(t.unusedAfter, t.totalSize - t.pruneSize)} of remaining size)`);
  c.print('');
  c.print(`totally used packs: ${String(s.packs.used).padStart(10)}`);
  c.print(`partly used packs:  ${String(s.packs.partlyUsed).padStart(10)}`);
  c.print(`unused packs:       ${String(s.packs.unused).padStart(10)}`);
  c.print('');
  c.print(`to keep:      ${String(s.packs.keep).padStart(10)} packs`);
  c.print(`to repack:    ${String(s.packs.repack).padStart(10)} packs`);
  c.print(`to delete:    ${String(s.packs.remove).padStart(10)} packs`);
  if (s.packs.unref > 0) c.print(`to delete:    ${String(s.packs.unref).padStart(10)} unreferenced packs`);
  c.print('');
  const approx = r.exact ? '' : 'about ';
  if (r.dryRun) {
    c.print(`dry run: nothing was changed; pruning would free ${approx}${formatBytes(r.bytesFreed)} of pack files ` +
      `(delete ${r.unreferencedPacks.length + r.removedPacks.length + r.repackedPacks.length} packs, write ${r.newPacks} new)`);
  } else {
    c.print(`freed ${formatBytes(r.bytesFreed)} of pack files (deleted ${r.unreferencedPacks.length + r.removedPacks.length + r.repackedPacks.length} packs, wrote ${r.newPacks} new)`);
    c.print('done');
  }
}

function summaryJson(r: PruneResult): Record<string, unknown> {
  const s = r.stats;
  const t = totals(r);
  return {
    message_type: 'summary',
    dry_run: r.dryRun,
    used_blobs: s.blobs.used, used_size: s.size.used,
    duplicate_blobs: s.blobs.duplicate, duplicate_size: s.size.duplicate,
    unused_blobs: s.blobs.unused, unused_size: s.size.unused,
    unreferenced_size: s.size.unref,
    total_blobs: t.totalBlobs, total_size: t.totalSize,
    repack_blobs: s.blobs.repack, repack_size: s.size.repack,
    repack_removes_blobs: s.blobs.repackrm, repack_removes_size: s.size.repackrm,
    delete_blobs: s.blobs.remove, delete_size: s.size.remove + s.size.unref,
    total_prune_blobs: t.pruneBlobs, total_prune_size: t.pruneSize,
    remaining_blobs: t.totalBlobs - t.pruneBlobs, remaining_size: t.totalSize - t.pruneSize,
    unused_size_after_prune: t.unusedAfter,
    packs: {
      totally_used: s.packs.used, partly_used: s.packs.partlyUsed, unused: s.packs.unused,
      keep: s.packs.keep, repack: s.packs.repack, delete: s.packs.remove, unreferenced: s.packs.unref,
    },
    unreferenced_packs: r.unreferencedPacks,
    removed_packs: r.removedPacks,
    repacked_packs: r.repackedPacks,
    forgotten_missing_packs: r.forgottenPacks,
    new_packs: r.newPacks,
    pack_bytes_deleted: r.packBytesDeleted,
    pack_bytes_written: r.packBytesWritten,
    bytes_freed: r.bytesFreed,
    bytes_freed_exact: r.exact,
    index_files_replaced: r.indexFilesReplaced,
    index_files_written: r.indexFilesWritten,
  };
}
