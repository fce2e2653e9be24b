// What a backup starts while its repository is being opened (key derivation keeps a core busy and
// the main thread idle for about half a second): the source prefetch (prefetch.ts), and the
// workers, but only when files will likely be read. A worker costs 100-150 ms of CPU to load and
// ~13 MiB; started after the unlock, that load sat on the backup's critical path (1 GiB initial
// backup, 3 runs each: 7.46 -> 7.04 s), while a backup that reads no file would pay it for nothing
// (no-change backup: +0.3 s CPU, +27 MiB).
//
// "Likely": a regular file of the source changed (its ctime) since the last backup of the same
// paths to the same repository started, as the prefetch sees it; or there is no record of such a
// backup. The record is one time per repository and paths, kept under the cache folder in a file
// named by a hash (a location may hold a user name). A wrong guess costs only time: the pool
// starts workers on its first file either way.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { WarmBackupWorkers, type WarmWorkerSource } from '../../pool/backup-pool.ts';
import { SourcePrefetch } from './prefetch.ts';

export interface HeadStartOptions {
  /** The repository as the user named it (a path or URL); with the paths it names the record. */
  repository: string;
  /** Cache root (defaultCacheRoot()); null: keep no record, and start workers every time. */
  cacheRoot: string | null;
}

export class BackupHeadStart implements WarmWorkerSource {
  readonly prefetch: SourcePrefetch;
  private warm: WarmBackupWorkers | null = null;
  private stopped = false;
  private readonly record: string | null;
  /** Wall-clock time (ns) before the first entry was read: the next backup's baseline. */
  private readonly startedNs = BigInt(Date.now()) * 1_000_000n;

  constructor(paths: readonly string[], options: HeadStartOptions) {
    this.record = options.cacheRoot && recordFile(options.cacheRoot, options.repository, paths);
    const since = this.record ? readRecord(this.record) : null;
    if (since === null) this.startWorkers();
    this.prefetch = new SourcePrefetch(paths, {
      onFileChangedSince: since === null ? undefined : { since, callback: () => this.startWorkers() },
    });
  }

  private startWorkers(): void {
    if (!this.stopped) this.warm ??= new WarmBackupWorkers();
  }

  /** Whether workers were started ahead (so far). */
  get workersStarted(): boolean {
    return this.warm !== null;
  }

  /** The workers started so far, once: from now on none are started ahead. */
  take(): Worker[] | null {
    this.stopped = true;
    return this.warm?.take() ?? null;
  }

  /** Ends workers nobody took. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.warm?.close();
  }

  /** Stops the prefetch and ends workers nobody took (the repository did not open, say). */
  async stop(): Promise<void> {
    this.prefetch.stop();
    await this.close();
  }

  /** After a snapshot was saved: the next backup of these paths compares with this start. */
  saveRecord(): void {
    if (!this.record) return;
    try {
      fs.mkdirSync(path.dirname(this.record), { recursive: true, mode: 0o700 });
      const tmp = `${this.record}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ backupStartedNs: String(this.startedNs) }) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, this.record);
    } catch {
      // Only a hint: without it the next backup starts its workers early, as a first one does.
    }
  }
}

/** The same local repository however it was named (relative, absolute, local:); others as given. */
function canonicalLocation(location: string): string {
  const scheme = /^([a-z0-9]+):/.exec(location)?.[1];
  if (!scheme || scheme.length === 1) return path.resolve(location); // a path (or C:\...)
  if (scheme === 'local') return path.resolve(location.slice('local:'.length));
  return location;
}

function recordFile(cacheRoot: string, repository: string, paths: readonly string[]): string {
  const key = crypto.createHash('sha256').update(canonicalLocation(repository)).update('\0').update(paths.map((p) => path.resolve(p)).sort().join('\0')).digest('hex');
  return path.join(cacheRoot, 'backup-starts', key);
}

function readRecord(file: string): bigint | null {
  try {
    const value = (JSON.parse(fs.readFileSync(file, 'utf8')) as { backupStartedNs?: unknown }).backupStartedNs;
    return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : null;
  } catch {
    return null;
  }
}
