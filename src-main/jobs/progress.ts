// Progress of a running job, as people see it: a rate over the last few seconds (not since the
// start, which hides a stall), an ETA from it, and events rate-limited so a UI over HTTP is not
// flooded. Time comes from the injected clock.
import type { JobProgress } from './types.ts';

export type ProgressInput = Omit<JobProgress, 'rate' | 'etaSeconds'>;

export interface ProgressReporterOptions {
  now: () => number;
  emit: (p: JobProgress) => void;
  /** At most one event per this many ms (a phase change is always sent). */
  minIntervalMs?: number;
  /** The window the rate is measured over. */
  windowMs?: number;
}

export class ProgressReporter {
  private readonly opts: ProgressReporterOptions;
  private samples: { at: number; bytes: number }[] = [];
  private current: JobProgress | undefined;
  private lastEmit = -Infinity;
  private pending = false;

  constructor(opts: ProgressReporterOptions) {
    this.opts = opts;
  }

  get latest(): JobProgress | undefined {
    return this.current;
  }

  update(input: ProgressInput): void {
    const now = this.opts.now();
    const phaseChanged = this.current?.phase !== input.phase;
    if (phaseChanged) this.samples = [];
    this.samples.push({ at: now, bytes: input.bytesDone });
    const windowMs = this.opts.windowMs ?? 5000;
    while (this.samples.length > 2 && now - this.samples[1].at >= windowMs) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.at) / 1000;
    const p: JobProgress = { ...input };
    if (seconds > 0) p.rate = Math.max(0, (input.bytesDone - first.bytes) / seconds);
    if (p.rate && p.bytesTotal !== undefined && p.bytesTotal >= input.bytesDone) p.etaSeconds = Math.round((p.bytesTotal - input.bytesDone) / p.rate);
    this.current = p;
    this.pending = true;
    if (phaseChanged || now - this.lastEmit >= (this.opts.minIntervalMs ?? 250)) this.send(now);
  }

  /** Sends the latest state if it has not been sent (at the end of a phase or a job). */
  flush(): void {
    if (this.pending) this.send(this.opts.now());
  }

  private send(now: number): void {
    if (!this.current) return;
    this.lastEmit = now;
    this.pending = false;
    this.opts.emit({ ...this.current });
  }
}
