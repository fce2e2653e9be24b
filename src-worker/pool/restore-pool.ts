// Main-thread side of the restore workers: a fixed set of threads, each task a pack range.
import { Worker } from 'node:worker_threads';
import { CairnError } from '../errors.ts';
import { WORKER_LIMITS } from './worker-limits.ts';
import { siblingModule } from './module-url.ts';
import type { MasterKey } from '../format/crypto.ts';
import type { RestoreTask, RestoreTaskResult, RestoreWorkerInit } from './restore-protocol.ts';

/** The bytes of `b` as an ArrayBuffer of their own, for transferring to a worker (copied only if shared). */
export function ownedArrayBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new ArrayBuffer(b.byteLength);
  new Uint8Array(copy).set(b);
  return copy;
}

export class RestorePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly waiting = new Map<number, { resolve: (r: RestoreTaskResult) => void; reject: (e: Error) => void; worker: number }>();
  private nextTask = 1;

  constructor(key: MasterKey, size: number) {
    const init: RestoreWorkerInit = { key: { encrypt: key.encrypt, macK: key.macK, macR: key.macR } };
    for (let i = 0; i < size; i++) {
      const w = new Worker(siblingModule('restore-worker'), { workerData: init, resourceLimits: WORKER_LIMITS });
      w.on('message', (r: RestoreTaskResult) => {
        const p = this.waiting.get(r.task);
        if (!p) return;
        this.waiting.delete(r.task);
        this.load[p.worker]--;
        p.resolve(r);
      });
      w.on('error', (err) => {
        for (const [task, p] of this.waiting) {
          if (p.worker !== i) continue;
          this.waiting.delete(task);
          p.reject(new CairnError('INTERNAL', `restore worker crashed: ${err.message}`, { cause: err }));
        }
      });
      this.workers.push(w);
      this.load.push(0);
    }
  }

  run(task: Omit<RestoreTask, 't' | 'task'>): Promise<RestoreTaskResult> {
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[best]) best = i;
    const id = this.nextTask++;
    this.load[best]++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker: best });
      const msg: RestoreTask = { t: 'restore', task: id, ...task };
      this.workers[best].postMessage(msg, task.buffer ? [task.buffer] : []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
