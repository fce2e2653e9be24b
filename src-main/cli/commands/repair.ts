import type { Command } from 'commander';
import { repairIndex, repairSnapshots, RepositoryLock, splitTagList, type RepairIndexEvent, type RepairSnapshotsEvent } from '../../../src-worker/index.ts';
import { collect } from '../filters.ts';
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

function snapshotEventText(e: RepairSnapshotsEvent): string {
  switch (e.kind) {
    case 'file-content-removed': return `  file "${e.path}": removed missing content`;
    case 'file-size-fixed': return `  file "${e.path}": fixed incorrect size`;
    case 'dir-emptied': return `  dir "${e.path}": replaced with empty directory`;
    case 'root-unreadable': return '  dir "/": not readable';
  }
}

interface RepairSnapshotsFlags { forget?: boolean; dryRun?: boolean; host: string[]; tag: string[]; path: string[] }

async function runRepairSnapshots(c: Cli, ids: string[], f: RepairSnapshotsFlags): Promise<void> {
  const repo = await c.openRepository({ cache: false });
  // A dry run changes nothing, so (as restic) it needs no lock.
  if (!f.dryRun) {
    const lock = await RepositoryLock.acquire(repo, true);
    c.onCleanup(() => lock.release());
  }
  const result = await repairSnapshots(repo, {
    selection: { ids, hosts: f.host, tags: f.tag.map(splitTagList), paths: f.path },
    forget: f.forget, dryRun: f.dryRun, signal: c.signal, warn: (m) => c.warn(m),
    onEvent: (e) => {
      if (c.json) c.printJson({ message_type: 'verbose_status', action: e.kind, snapshot: e.snapshot, item: 'path' in e ? e.path : '/' });
      else c.print(`snapshot ${e.snapshot.slice(0, 8)}:${snapshotEventText(e)}`);
    },
  });
  if (c.json) {
    c.printJson({ message_type: 'summary', dry_run: result.dryRun, unchanged: result.unchanged, repaired: result.repaired.map((r) => ({ old_id: r.oldId, new_id: r.newId, removed: r.removed, damaged_paths: r.damagedPaths })) });
    return;
  }
  for (const r of result.repaired) {
    if (r.removed) c.print(`${f.dryRun ? 'would delete' : 'removed'} snapshot ${r.oldId.slice(0, 8)}: its root tree cannot be read`);
    else if (f.dryRun) c.print(`would save a new snapshot for ${r.oldId.slice(0, 8)}${f.forget ? ' and remove the old one' : ''}`);
    else c.print(`saved new snapshot ${r.newId!.slice(0, 8)} for ${r.oldId.slice(0, 8)}${f.forget ? `, removed old snapshot ${r.oldId.slice(0, 8)}` : ''}`);
  }
  const n = result.repaired.length;
  c.print(n === 0 ? `no snapshots ${f.dryRun ? 'would be' : 'were'} modified` : `${f.dryRun ? 'would modify' : 'modified'} ${n} snapshot${n === 1 ? '' : 's'}`);
}

export function registerRepair(program: Command, cli: () => Cli): void {
  const repair = program.command('repair').description('repair the repository');
  const readAll = '--read-all-packs';
  const readAllHelp = 'read all pack files to generate the new index from scratch';
  repair.command('index')
    .description('build a new index from the pack files')
    .option(readAll, readAllHelp)
    .action(async (opts: { readAllPacks?: boolean }) => runRepairIndex(cli(), opts));
  repair.command('snapshots')
    .description('write new snapshots without the lost files and directories (run "repair index" first)')
    .argument('[id...]', 'snapshots to repair (default: all)')
    .option('--forget', 'remove the original snapshots after saving the repaired ones')
    .option('-n, --dry-run', 'only print what would be done')
    .option('-H, --host <host>', 'only snapshots of this host, when no id is given (repeatable)', collect, [])
    .option('--tag <taglist>', 'only snapshots with all these comma-separated tags, when no id is given (repeatable)', collect, [])
    .option('--path <path>', 'only snapshots including this path, when no id is given (repeatable)', collect, [])
    .action(async (ids: string[], f: RepairSnapshotsFlags) => runRepairSnapshots(cli(), ids, f));
  // restic 0.14's name for the same command.
  program.command('rebuild-index')
    .description('build a new index from the pack files (same as "repair index")')
    .option(readAll, readAllHelp)
    .action(async (opts: { readAllPacks?: boolean }) => runRepairIndex(cli(), opts));
}
