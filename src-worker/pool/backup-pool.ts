// The main-thread side of the backup workers: hands out files, answers claims from the
// repository's index, commits the packs workers finish, and keeps the number of files in flight
// bounded so memory does not grow with the size of the source.
import os from 'node:os';
import { MessageChannel, Worker, type Transferable } from 'node:worker_threads';
import { WORKER_LIMITS } from './worker-limits.ts';
import { siblingModule } from './module-url.ts';
import { CairnError, fromSystemError } from '../errors.ts';
import type { Repository } from '../repository/repository.ts';
import type { FinishedPack } from '../repository/pack-writer.ts';
import type { FileResult, FromWorker, ToWorker, WorkerInit } from './protocol.ts';

export interface FileFailure {
  code: string;
  message: string;
}

interface Pending {
  /** The file's size as the walk saw it, and the bytes already reported through onBytes. */
  size: number;
  reported: number;
  resolve: (r: FileResult) => void;
  reject: (e: FileFailure) => void;
  onBytes?: (n: number) => void;
  worker: number;
}

interface Slot {
  worker: Worker;
  inFlight: number;
  /** Bytes of its queued files not yet read: new files go to the worker with the least. */
  unread: number;
  flushed?: (treeStoredBytes: number) => void;
}

/** Trees waiting to go to a worker in one message (see saveTree). */
interface PendingTrees {
  ids: string[];
  parts: Uint8Array[];
  bytes: number;
}

/** A batch of trees goes out once this big, or at the next turn of the event loop. */
const TREE_BATCH_BYTES = 256 * 1024;

export interface BackupPoolOptions {
  workers?: number;
  /** Files queued per worker; enough to hide the claim round trip, small enough to bound memory. */
  perWorker?: number;
  dryRun?: boolean;
  /** Workers started before the repository was open, taken on first use. */
  warm?: WarmWorkerSource;
}

/** Where a pool may find workers started ahead (WarmBackupWorkers, or what holds them). */
export interface WarmWorkerSource {
  /** The live workers, once (none if there are none yet: no more will be started then). */
  take(): Worker[] | null;
  /** Ends workers no pool took. */
  close(): Promise<void>;
}

/** Pack uploads in flight at once on a remote backend that does not say how many it serves. */
const UPLOAD_CONCURRENCY = 4;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8));
}

export class BackupPool {
  private readonly repo: Repository;
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly perWorker: number;
  private nextJob = 1;
  private capacityWaiters: (() => void)[] = [];
  /** Pack uploads in progress. A local commit is a rename; remote ones overlap, several at a time. */
  private readonly commits = new Set<Promise<void>>();
  private readonly waitingPacks: FinishedPack[] = [];
  private failure: Error | null = null;
  private readonly init: WorkerInit;
  private readonly size: number;
  private treeBatch: PendingTrees | null = null;
  private readonly warm: WarmWorkerSource | null;

  constructor(repo: Repository, stagingDir: string, options: BackupPoolOptions = {}) {
    this.repo = repo;
    this.warm = options.warm ?? null;
    this.size = options.workers ?? defaultWorkerCount();
    this.perWorker = options.perWorker ?? 8;
    this.init = {
      key: { encrypt: repo.key.encrypt, macK: repo.key.macK, macR: repo.key.macR },
      polynomial: repo.config.chunkerPolynomial.toString(16),
      compression: repo.version >= 2 ? repo.compression : null,
      stagingDir,
      durablePacks: repo.backend.isLocal,
      dryRun: options.dryRun ?? false,
    };
  }

  /**
   * Workers start on first use (a backup where nothing changed never pays for them), or were
   * started ahead (WarmBackupWorkers) and get their settings now.
   */
  private ensureStarted(): void {
    if (this.slots.length) return;
    // V8's --optimize-for-size (set here until 2026-12-04) saved ~25 MiB of peak memory and cost
    // 5-9% of the time: 1 GiB, 3-4 runs each, initial backup 6.17 -> 5.96 s (CPU 10.5 -> 10.0 s,
    // peak 157 -> 182 MiB) and incremental 1.85 -> 1.68 s (CPU 2.81 -> 2.57 s, 140 -> 166 MiB)
    // without it. Off: time is what restic can be matched on; Node's floor keeps memory above it.
    const warm = this.warm?.take() ?? [];
    for (let i = 0; i < this.size; i++) {
      const worker = warm[i] ?? startWorker();
      const slot: Slot = { worker, inFlight: 0, unread: 0 };
      worker.on('message', (msg: FromWorker) => this.onMessage(i, msg));
      worker.on('error', (err) => this.fail(new CairnError('INTERNAL', `backup worker crashed: ${err.message}`, { cause: err })));
      worker.ref();
      this.slots.push(slot);
      this.post(i, { t: 'init', init: this.init });
    }
    for (const extra of warm.slice(this.size)) void extra.terminate();
    // Every two workers get a channel of their own, over which one with nothing to do seals
    // chunks of a big file the other is cutting (protocol.ts, PeerMessage).
    for (let i = 0; i < this.size; i++) {
      for (let j = i + 1; j < this.size; j++) {
        const { port1, port2 } = new MessageChannel();
        this.post(i, { t: 'peer', port: port1 }, [port1]);
        this.post(j, { t: 'peer', port: port2 }, [port2]);
      }
    }
  }

  private post(i: number, msg: ToWorker, transfer?: Transferable[]): void {
    this.slots[i].worker.postMessage(msg, transfer ?? []);
  }

  private onMessage(i: number, msg: FromWorker): void {
    switch (msg.t) {
      case 'claim': {
        const need = new Uint8Array(msg.ids.length);
        msg.ids.forEach((id, k) => { need[k] = this.repo.claimBlob('data', id) ? 1 : 0; });
        this.post(i, { t: 'claims', claim: msg.claim, need }, [need.buffer]);
        return;
      }
      case 'pack':
        this.commit(msg.pack);
        return;
      case 'progress': {
        const p = this.pending.get(msg.job);
        if (p) {
          this.slots[p.worker].unread -= Math.max(0, Math.min(msg.bytes, p.size - p.reported));
          p.reported += msg.bytes;
          p.onBytes?.(msg.bytes);
        }
        return;
      }
      case 'done':
      case 'failed': {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.slots[p.worker].inFlight--;
        this.slots[p.worker].unread -= Math.max(0, p.size - p.reported);
        if (msg.t === 'done') {
          if (msg.result.size > p.reported) p.onBytes?.(msg.result.size - p.reported);
          p.resolve(msg.result);
        }
        else p.reject({ code: msg.code, message: msg.message });
        this.capacityWaiters.shift()?.();
        return;
      }
      case 'flushed':
        this.slots[i].flushed?.(msg.treeStoredBytes);
        return;
      case 'fatal':
        this.fail(/^E[A-Z]+$/.test(msg.code)
          ? fromSystemError(Object.assign(new Error(msg.message), { code: msg.code }), `the repository at ${this.repo.backend.location}`)
          : new CairnError('INTERNAL', msg.message));
        return;
    }
  }

  private commit(pack: FinishedPack): void {
    // A failure (disk full, backend down) stops the backup; the index only ever names stored packs.
    this.waitingPacks.push(pack);
    this.startCommits();
  }

  private startCommits(): void {
    const limit = this.repo.backend.isLocal ? 1 : this.repo.backend.connections ?? UPLOAD_CONCURRENCY;
    while (this.commits.size < limit && this.waitingPacks.length > 0) {
      const pack = this.waitingPacks.shift()!;
      const p: Promise<void> = (this.failure ? Promise.resolve() : this.repo.commitPack(pack))
        .catch((err) => this.fail(err as Error))
        .finally(() => {
          this.commits.delete(p);
          this.startCommits();
        });
      this.commits.add(p);
    }
  }

  /** Resolves when every pack handed over so far is committed (or the pool failed). */
  private async allCommitted(): Promise<void> {
    while (this.commits.size > 0 || this.waitingPacks.length > 0) {
      if (this.failure) return;
      await Promise.race(this.commits);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject({ code: 'FATAL', message: err.message });
    this.pending.clear();
    for (const w of this.capacityWaiters.splice(0)) w();
    // A worker that died will never say "flushed": release anyone waiting for it.
    for (const slot of this.slots) slot.flushed?.(0);
  }

  /**
   * Stops handing out work: every file in flight fails with `reason` (the walk then throws it), so
   * a cancel does not wait for a worker to finish reading a 64 GB disk image. close() then ends
   * the workers mid-file.
   */
  abort(reason: Error): void {
    this.fail(reason);
  }

  get error(): Error | null {
    return this.failure;
  }

  /** Waits until a worker has room; this is the backpressure on the directory walk. */
  async waitForCapacity(): Promise<void> {
    this.ensureStarted();
    while (!this.failure && this.slots.every((s) => s.inFlight >= this.perWorker)) {
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Backs up one file's content. Rejects with a FileFailure when the file cannot be read. */
  async saveFile(path: string, size: number, onBytes?: (n: number) => void): Promise<FileResult> {
    await this.waitForCapacity();
    // The worker with the fewest bytes still to read, among those with room: by count alone, two
    // big files could queue behind each other on one worker while the other ran out of files.
    let best = -1;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s.inFlight < this.perWorker && (best < 0 || s.unread < this.slots[best].unread)) best = i;
    }
    const job = this.nextJob++;
    this.slots[best].inFlight++;
    this.slots[best].unread += size;
    return new Promise<FileResult>((resolve, reject) => {
      this.pending.set(job, { size, reported: 0, resolve, reject, onBytes, worker: best });
      this.post(best, { t: 'file', job, path, size });
    });
  }

  /** Whether the workers run: only then does saveTree take trees. */
  get started(): boolean {
    return this.slots.length > 0;
  }

  /**
   * Hands a tree blob, claimed by the caller (repository.claimBlob), to a worker to seal into its
   * tree pack: the main thread walks the source and feeds the workers, and sealing ~1,500 trees
   * there took ~150 ms of an incremental backup's critical path while the workers waited for files.
   * Trees are copied into one buffer per batch, so a thousand trees cost a few messages, not a
   * thousand. Their stored size comes back with flush().
   */
  saveTree(id: string, plain: Uint8Array): void {
    if (!this.treeBatch) {
      this.treeBatch = { ids: [], parts: [], bytes: 0 };
      setImmediate(() => this.sendTrees());
    }
    this.treeBatch.ids.push(id);
    this.treeBatch.parts.push(plain);
    this.treeBatch.bytes += plain.length;
    if (this.treeBatch.bytes >= TREE_BATCH_BYTES) this.sendTrees();
  }

  private sendTrees(): void {
    const batch = this.treeBatch;
    this.treeBatch = null;
    if (!batch || batch.ids.length === 0 || this.failure) return;
    const data = new Uint8Array(batch.bytes);
    let at = 0;
    for (const part of batch.parts) {
      data.set(part, at);
      at += part.length;
    }
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i].unread < this.slots[best].unread) best = i;
    this.post(best, { t: 'trees', ids: batch.ids, lengths: batch.parts.map((p) => p.length), data: data.buffer }, [data.buffer]);
  }

  /**
   * Finishes every worker's open packs and commits all packs; resolves to what the trees handed to
   * saveTree took in the repository.
   */
  async flush(): Promise<number> {
    if (this.failure) throw this.failure;
    this.sendTrees();
    const stored = await Promise.all(this.slots.map((slot, i) => new Promise<number>((resolve) => {
      if (this.failure) return resolve(0);
      slot.flushed = resolve;
      this.post(i, { t: 'flush' });
    })));
    await this.allCommitted();
    if (this.failure) throw this.failure;
    return stored.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
    await this.warm?.close();
  }
}

function startWorker(): Worker {
  return new Worker(siblingModule('backup-worker'), { resourceLimits: WORKER_LIMITS });
}

/**
 * Backup workers started while the repository is being opened: a worker takes 100-150 ms of CPU
 * to load its modules, and key derivation leaves a core idle for about half a second, so a
 * backup that will read files starts them there instead of after the unlock (the caller decides:
 * a backup that changes nothing is better off without them). They wait, unreferenced (the
 * process may exit under them), until a pool takes them and sends their settings.
 */
export class WarmBackupWorkers implements WarmWorkerSource {
  private workers: Worker[] | null;
  /** Workers that failed or ended while waiting: a pool starts others in their place. */
  private readonly dead = new Set<Worker>();

  constructor(count = defaultWorkerCount()) {
    this.workers = Array.from({ length: count }, () => {
      const worker = startWorker();
      worker.unref();
      // Until a pool listens: an error of an idle worker must not be an unhandled 'error' event.
      worker.on('error', () => this.dead.add(worker));
      worker.on('exit', () => this.dead.add(worker));
      return worker;
    });
  }

  /** The live workers, once; null when taken or closed. */
  take(): Worker[] | null {
    const w = this.workers;
    this.workers = null;
    return w && w.filter((x) => !this.dead.has(x));
  }

  /** Ends workers no pool took. */
  async close(): Promise<void> {
    const w = this.take();
    if (w) await Promise.all(w.map((x) => x.terminate()));
  }
}
