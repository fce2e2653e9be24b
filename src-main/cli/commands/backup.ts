import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { backup, CairnError, parseSize, shortId, BackupHeadStart, type BackupProgress, type BackupSummary } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect } from '../filters.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { ProgressLine } from '../progress-line.ts';
import { reserveStdin } from '../password.ts';

interface BackupFlags {
  tag: string[];
  host?: string;
  time?: string;
  exclude: string[];
  iexclude: string[];
  excludeFile: string[];
  iexcludeFile: string[];
  excludeCaches?: boolean;
  excludeIfPresent: string[];
  excludeLargerThan?: string;
  oneFileSystem?: boolean;
  withAtime?: boolean;
  dryRun?: boolean;
  filesFrom: string[];
  filesFromVerbatim: string[];
  filesFromRaw: string[];
  parent?: string;
  force?: boolean;
  ignoreInode?: boolean;
  ignoreCtime?: boolean;
}

/** restic's --time format: "2006-01-02 15:04:05" in local time. */
function parseBackupTime(text: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new CairnError('INVALID_ARGUMENT', `--time "${text}": use the form "2006-01-02 15:04:05"`);
  const [y, mo, day, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const d = new Date(y, mo - 1, day, h, mi, sec);
  // Date rolls 2024-13-45 over into 2025; a wrong date must be an error, not a different date.
  if (d.getFullYear() !== y || d.getMonth() !== mo - 1 || d.getDate() !== day || d.getHours() !== h || d.getMinutes() !== mi || d.getSeconds() !== sec) {
    throw new CairnError('INVALID_ARGUMENT', `--time "${text}" is not a valid date and time`);
  }
  return BigInt(d.getTime()) * 1_000_000n;
}

async function readFilesFrom(flags: BackupFlags): Promise<string[]> {
  const out: string[] = [];
  const read = async (file: string) => {
    if (file === '-') {
      reserveStdin('the list of files (--files-from -)');
      return new Response(process.stdin as unknown as ReadableStream).text();
    }
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new CairnError('INVALID_ARGUMENT', `cannot read the list of files ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`);
    }
  };
  for (const file of flags.filesFrom) {
    for (const raw of (await read(file)).split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      // Lines may be glob patterns, as in restic; a line that matches nothing is kept as a path.
      const matches: string[] = [];
      if (/[*?[]/.test(line)) for await (const m of fs.glob(line)) matches.push(m);
      out.push(...(matches.length ? matches.sort() : [line]));
    }
  }
  for (const file of flags.filesFromVerbatim) {
    for (const line of (await read(file)).split(/\r?\n/)) if (line !== '') out.push(line);
  }
  for (const file of flags.filesFromRaw) {
    for (const entry of (await read(file)).split('\0')) if (entry !== '') out.push(entry);
  }
  return out;
}

function statusJson(p: BackupProgress): Record<string, unknown> {
  return {
    message_type: 'status',
    seconds_elapsed: Math.floor(p.elapsedMs / 1000) || undefined,
    seconds_remaining: p.etaMs !== null ? Math.floor(p.etaMs / 1000) || undefined : undefined,
    percent_done: p.percent ?? 0,
    total_files: p.totalFiles ?? p.scannedFiles,
    files_done: p.filesDone || undefined,
    total_bytes: p.totalBytes ?? p.scannedBytes,
    bytes_done: p.bytesDone || undefined,
    error_count: p.errors || undefined,
    current_files: p.currentFiles.length ? p.currentFiles : undefined,
  };
}

/**
 * One terminal line, most important first so a narrow terminal cuts only the file name:
 * "[0:12] 36.7%  21/1101 files  81.8 MiB/222.8 MiB  96.8 MiB/s  ETA 0:21  0 errors  /path/now"
 */
function statusLine(p: BackupProgress): string {
  const parts = [`[${formatDuration(p.elapsedMs)}]`];
  if (p.percent !== null) parts.push(`${(p.percent * 100).toFixed(1)}%`);
  parts.push(p.totalFiles !== null ? `${p.filesDone}/${p.totalFiles} files` : `${p.filesDone} files`);
  parts.push(p.totalBytes !== null ? `${formatBytes(p.bytesDone, 1)}/${formatBytes(p.totalBytes, 1)}` : formatBytes(p.bytesDone, 1));
  if (p.rate > 0) parts.push(`${formatBytes(Math.round(p.rate), 1)}/s`);
  if (p.etaMs !== null) parts.push(`ETA ${formatDuration(p.etaMs)}`);
  parts.push(`${p.errors} errors`);
  if (p.currentFiles[0]) parts.push(p.currentFiles[0]);
  return parts.join('  ');
}

export function summaryJson(s: BackupSummary, dryRun: boolean): Record<string, unknown> {
  return {
    message_type: 'summary',
    files_new: s.filesNew, files_changed: s.filesChanged, files_unmodified: s.filesUnmodified,
    dirs_new: s.dirsNew, dirs_changed: s.dirsChanged, dirs_unmodified: s.dirsUnmodified,
    data_blobs: s.dataBlobs, tree_blobs: s.treeBlobs, data_added: s.dataAdded, data_added_packed: s.dataAddedPacked,
    total_files_processed: s.totalFilesProcessed, total_bytes_processed: s.totalBytesProcessed,
    total_duration: s.durationMs / 1000,
    snapshot_id: s.snapshotId ? shortId(s.snapshotId) : undefined,
    dry_run: dryRun || undefined,
  };
}

export function registerBackup(program: Command, cli: () => Cli): void {
  program.command('backup')
    .description('create a new snapshot of files and directories')
    .argument('[paths...]', 'files and directories to back up')
    .option('--tag <tags>', 'add tags to the snapshot (comma-separated, repeatable)', collect, [])
    .option('-H, --host <host>', 'hostname recorded in the snapshot')
    .option('--time <time>', 'time of the snapshot ("2006-01-02 15:04:05")')
    .option('-e, --exclude <pattern>', 'exclude a pattern (repeatable)', collect, [])
    .option('--iexclude <pattern>', 'like --exclude, ignoring case', collect, [])
    .option('--exclude-file <file>', 'read exclude patterns from a file (repeatable)', collect, [])
    .option('--iexclude-file <file>', 'like --exclude-file, ignoring case', collect, [])
    .option('--exclude-caches', 'exclude directories holding a CACHEDIR.TAG')
    .option('--exclude-if-present <name[:header]>', 'exclude directories holding this file (repeatable)', collect, [])
    .option('--exclude-larger-than <size>', 'exclude files larger than this (e.g. 100M)')
    .option('-x, --one-file-system', 'do not cross file system boundaries')
    .option('--with-atime', 'store the access times of files and directories (default: their modification times, as restic does)')
    .option('-n, --dry-run', 'do not write anything, only show what would be done')
    .option('--files-from <file>', 'read paths (or globs) to back up from a file (repeatable, "-" for stdin)', collect, [])
    .option('--files-from-verbatim <file>', 'read paths to back up from a file, one per line, no globbing', collect, [])
    .option('--files-from-raw <file>', 'read NUL-separated paths to back up from a file', collect, [])
    .option('--parent <snapshot>', 'use this parent snapshot instead of the latest matching one')
    .option('-f, --force', 'read every file, do not trust the parent snapshot')
    .option('--ignore-inode', 'ignore inode changes when finding unchanged files')
    .option('--ignore-ctime', 'ignore ctime changes when finding unchanged files')
    .action(async (args: string[], flags: BackupFlags) => {
      const c = cli();
      const paths = [...args, ...(await readFilesFrom(flags))];
      if (paths.length === 0) throw new CairnError('INVALID_ARGUMENT', 'nothing to back up: give files or directories, or --files-from');
      // The sources' metadata is read while the repository opens (key derivation leaves the main thread idle).
      const headStart = new BackupHeadStart(paths, { repository: c.repoLocation(), cacheRoot: c.cacheRoot() });
      c.onCleanup(() => headStart.stop());
      const repo = await c.openRepository();
      const tty = process.stderr.isTTY && !c.json && !c.globals.quiet;
      const line = tty ? new ProgressLine(process.stderr) : null;
      let lastJson = 0;
      const summary = await backup(repo, {
        paths,
        tags: flags.tag.flatMap((t) => t.split(',')).filter((t) => t !== ''),
        host: flags.host || undefined, // restic: an empty --host means this machine's name
        time: flags.time ? parseBackupTime(flags.time) : undefined,
        exclude: flags.exclude, iexclude: flags.iexclude, excludeFiles: flags.excludeFile, iexcludeFiles: flags.iexcludeFile,
        excludeCaches: flags.excludeCaches, excludeIfPresent: flags.excludeIfPresent,
        excludeLargerThan: flags.excludeLargerThan,
        oneFileSystem: flags.oneFileSystem, withAtime: flags.withAtime, dryRun: flags.dryRun, parent: flags.parent, force: flags.force,
        ignoreInode: flags.ignoreInode, ignoreCtime: flags.ignoreCtime,
        headStart,
        signal: c.signal,
        onProgress: c.json || tty ? (p) => {
          if (line) line.update(statusLine(p));
          else if (c.json && !c.globals.quiet && p.elapsedMs - lastJson >= 1000) {
            lastJson = p.elapsedMs;
            c.printJson(statusJson(p));
          }
        } : undefined,
        onWarning: (p, message) => {
          line?.clear();
          if (c.json) c.printJson({ message_type: 'error', error: { message }, during: 'archival', item: p });
          else c.warn(`error: ${p}: ${message}`);
        },
        // A tag file whose header does not match, and the like: said, as restic says it, but
        // not an error of the backup (the folder is simply not excluded).
        onExcludeWarning: (message) => {
          line?.clear();
          c.warn(message);
        },
      });
      line?.clear();
      if (c.json) {
        c.printJson(summaryJson(summary, flags.dryRun === true));
      } else {
        if (summary.parent) c.verbose(`using parent snapshot ${shortId(summary.parent)}`);
        c.print('');
        c.print(`Files:       ${String(summary.filesNew).padStart(5)} new, ${String(summary.filesChanged).padStart(5)} changed, ${String(summary.filesUnmodified).padStart(5)} unmodified`);
        c.print(`Dirs:        ${String(summary.dirsNew).padStart(5)} new, ${String(summary.dirsChanged).padStart(5)} changed, ${String(summary.dirsUnmodified).padStart(5)} unmodified`);
        c.print(`${flags.dryRun ? 'Would add' : 'Added'} to the repository: ${formatBytes(summary.dataAdded)} (${formatBytes(summary.dataAddedPacked)} stored)`);
        c.print('');
        c.print(`processed ${summary.totalFilesProcessed} files, ${formatBytes(summary.totalBytesProcessed)} in ${formatDuration(summary.durationMs)}`);
        if (summary.snapshotId) c.print(`snapshot ${shortId(summary.snapshotId)} saved`);
      }
      // The signal came when nothing was left to stop: the snapshot is whole (the exit code is still 130).
      if (summary.snapshotId && c.signal.aborted && !c.json) c.warn(`the interruption came after snapshot ${shortId(summary.snapshotId)} was saved: it is complete`);
      if (summary.warnings.length > 0) {
        if (!c.json) c.warn(`Warning: at least one source file could not be read (${summary.warnings.length} in all, named above)`);
        process.exitCode = 3;
      }
    });
}
