// Bounded garbage for the worker threads. Every blob leaves a few short-lived buffers behind
// (compressor and cipher output) that live outside V8's heap; V8 only collects them after tens of
// MiB have piled up per thread, which multiplied by the threads made peak memory several times
// restic's. The pools turn on V8's `gc` for the workers (exposeGcToWorkers), and each worker
// calls `spent` with the bytes it dropped; past a small budget it collects.
import v8 from 'node:v8';

let exposed = false;

/** Must run in the main thread before the workers start; only worker isolates created afterwards get `gc`. */
export function exposeGcToWorkers(): void {
  if (exposed) return;
  exposed = true;
  v8.setFlagsFromString('--expose-gc');
}

const collect = (globalThis as { gc?: () => void }).gc;

export class GarbageBudget {
  private readonly limit: number;
  private pending = 0;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
  }

  spent(bytes: number): void {
    this.pending += bytes;
    if (this.pending >= this.limit) {
      this.pending = 0;
      collect?.();
    }
  }
}


/**
 * Workers allocate little on the JS heap (file data lives in buffers), so a small young generation
 * is enough; V8's default grows to tens of MiB per thread.
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };
