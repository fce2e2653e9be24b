import type { Command } from 'commander';
import { repairIndex, RepositoryLock, type RepairIndexEvent } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { formatDuration } from '../format.ts';
import { ProgressLine } from '../progress-line.ts';

function eventText(e: RepairIndexEvent): string {
  switch (e.kind) {
    case 'invalid-index': return `removing invalid index ${e.id}: ${e.message}`;
    case 'pack-added': return `adding pack file to index ${e.id}`;
    case 'pack-size-changed': return `reindexing pack file ${e.id} with unexpected size ${e.size} instead of ${e.expected}`;
    case 'pack-not-found': return `removing not found pack file ${e.id}`;
    case 'pack-unreadable': return `skipped incomplete pack file: ${e.id}: ${e.message}`;
  }
}

async function runRepairIndex(c: Cli, opts: { readAllPacks?: boolean }): Promise<void> {
  // The repository's own files, not the cache: the point is to find out what is really there.
  const repo = await c.openRepository({ cache: false });
  const lock = await RepositoryLock.acquire(repo, true);
  c.onCleanup(() => lock.release());
  const tty = process.stderr.isTTY && !c.json && !c.globals.quiet;
  const line = tty ? new ProgressLine(process.stderr) : null;
  const started = performance.now();
  let lastPhase = '';
  c.verbose(opts.readAllPacks ? 'reading all pack files' : 'loading indexes...');
  const result = await repairIndex(repo, {
    readAllPacks: opts.readAllPacks, signal: c.signal,
    onProgress: (p) => {
      if (!line && p.phase !== lastPhase && p.phase === 'packs' && p.total) c.verbose('reading pack files');
      lastPhase = p.phase;
      line?.update(`[${formatDuration(performance.now() - started)}] ${p.total ? ((p.done / p.total) * 100).toFixed(2) : '100.00'}%  ${p.done} / ${p.total} ${p.phase === 'index' ? 'index files' : 'packs'}`);
    },
    onEvent: (e) => {
      line?.clear();
      if (c.json) c.printJson({ message_type: 'verbose_status', action: e.kind, item: e.id, ...('message' in e ? { error: e.message } : {}) });
      else c.warn(eventText(e));
    },
  });
  line?.clear();
  if (c.json) {
    c.printJson({
      message_type: 'summary', packs: result.packs, blobs: result.blobs, packs_reused: result.packsReused, packs_read: result.packsRead,
      packs_not_found: result.packsNotFound, unreadable_packs: result.unreadablePacks, new_indexes: result.newIndexes,
      removed_indexes: result.removedIndexes, invalid_indexes: result.invalidIndexes,
    });
  } else {
    c.print(`saved new index of ${result.packs} packs (${result.blobs} blobs) as ${result.newIndexes.length} file${result.newIndexes.length === 1 ? '' : 's'}; read ${result.packsRead} pack headers, reused ${result.packsReused} index entries`);
    c.print(`deleted ${result.removedIndexes.length} obsolete index file${result.removedIndexes.length === 1 ? '' : 's'}`);
    c.print('done');
  }
}

export function registerRepair(program: Command, cli: () => Cli): void {
  const repair = program.command('repair').description('repair the repository');
  const readAll = '--read-all-packs';
  const readAllHelp = 'read all pack files to generate the new index from scratch';
  repair.command('index')
    .description('build a new index from the pack files')
    .option(readAll, readAllHelp)
    .action(async (opts: { readAllPacks?: boolean }) => runRepairIndex(cli(), opts));
  // restic 0.14's name for the same command.
  program.command('rebuild-index')
    .description('build a new index from the pack files (same as "repair index")')
    .option(readAll, readAllHelp)
    .action(async (opts: { readAllPacks?: boolean }) => runRepairIndex(cli(), opts));
}
