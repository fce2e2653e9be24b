// Watches one plan's sources and asks for a backup when something changed: excludes honoured with
// the engine's own matcher (what the backup skips must not trigger one), the repository folder
// and the app's data folder ignored (a backup into a watched folder, or its log, would otherwise
// trigger the next backup forever), debounced, and falling back to the schedule when the tree is
// too big to watch or the system runs out of watches.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { createExcluder, type Excluder } from '../../src-worker/index.ts';
import type { Clock } from '../scheduler/clock.ts';
import { countDirectories } from './count-dirs.ts';
import { Debouncer } from './debounce.ts';

export type WatchEventDecision = 'change' | 'excluded' | 'ignored';

export interface PlanWatcherOptions {
  planId: string;
  /** Absolute source paths. */
  sources: string[];
  /** The engine's exclude patterns, as the backup gets them. */
  excludes: string[];
  /** Folders whose changes never count (the repository, the app's data and cache folders). */
  ignorePaths: string[];
  debounceMs: number;
  clock: Clock;
  /** More folders than this: do not watch, fall back to the schedule. */
  maxDirectories: number;
  trigger: (planId: string) => void;
  /** The watch is off for this plan (too big, out of watches); the schedule still runs. */
  onFallback: (planId: string, message: string) => void;
  /** Every file event and what was decided (for logs and tests). */
  onEvent?: (path: string, decision: WatchEventDecision) => void;
}

export type WatcherState = 'starting' | 'watching' | 'fallback' | 'closed';

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** '/'-separated, as the engine's excluder expects snapshot paths. */
function toSnapshotPath(p: string): string {
  return path.sep === '/' ? p : '/' + p.replaceAll(path.sep, '/').replace(/^([A-Za-z]):/, '$1');
}

export class PlanWatcher {
  private readonly opts: PlanWatcherOptions;
  private readonly debouncer: Debouncer;
  private readonly ignoreRoots: string[];
  private watcher: FSWatcher | null = null;
  private excluder: Excluder | null = null;
  state: WatcherState = 'starting';

  constructor(opts: PlanWatcherOptions) {
    this.opts = opts;
    this.ignoreRoots = opts.ignorePaths.map((p) => path.resolve(p));
    this.debouncer = new Debouncer(opts.clock, opts.debounceMs, () => {
      if (this.state === 'watching') opts.trigger(opts.planId);
    });
  }

  /** Resolves once the watch is in place (or the fallback was taken). */
  async start(): Promise<void> {
    this.excluder = await createExcluder({ exclude: this.opts.excludes });
    const dirs = await countDirectories(this.opts.sources, this.opts.maxDirectories, (d) => this.ignoredDir(d));
    if (this.state === 'closed') return;
    if (dirs > this.opts.maxDirectories) {
      this.fallback(`the sources hold more than ${this.opts.maxDirectories} folders, too many to watch: backups run on the schedule only`);
      return;
    }
    const watcher = watch(this.opts.sources, {
      ignoreInitial: true,
      followSymlinks: false,
      // Excluded folders are not watched at all: that saves watches on big excluded trees.
      ignored: (p, stats) => this.ignoredPath(p) || (stats?.isDirectory() === true && this.excluded(p, true)),
    });
    this.watcher = watcher;
    watcher.on('all', (_event, p) => this.onChange(p));
    watcher.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') {
        this.fallback('the system ran out of file watches for this plan\'s folders: backups run on the schedule only (raise fs.inotify.max_user_watches to watch them)');
      }
    });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    if (this.state === 'starting') this.state = 'watching';
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.debouncer.cancel();
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }

  private onChange(p: string): void {
    if (this.state !== 'watching') return;
    const decision: WatchEventDecision = this.ignoredPath(p) ? 'ignored' : this.excluded(p, false) ? 'excluded' : 'change';
    this.opts.onEvent?.(p, decision);
    if (decision === 'change') this.debouncer.trigger();
  }

  private ignoredPath(p: string): boolean {
    const abs = path.resolve(p);
    return this.ignoreRoots.some((r) => isUnder(abs, r));
  }

  private ignoredDir(d: string): boolean {
    return this.ignoredPath(d) || this.excluded(d, true);
  }

  private excluded(p: string, isDirectory: boolean): boolean {
    // Patterns only (no tag files, no sizes): the answer is synchronous.
    return this.excluder?.isExcluded(toSnapshotPath(path.resolve(p)), { isDirectory, size: 0 }) === true;
  }

  private fallback(message: string): void {
    if (this.state === 'fallback' || this.state === 'closed') return;
    this.state = 'fallback';
    this.debouncer.cancel();
    const w = this.watcher;
    this.watcher = null;
    void w?.close();
    this.opts.onFallback(this.opts.planId, message);
  }
}
