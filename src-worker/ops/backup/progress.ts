// Live numbers of a running backup: what is done, what is in progress, and (from a concurrent scan
// of the sources) how much there is in total, for a percentage and an ETA.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsPath } from '../../format/raw-names.ts';
import { readDirNames } from './dir-names.ts';

export interface BackupProgress {
  elapsedMs: number;
  filesDone: number;
  bytesDone: number;
  /** Totals from the scan; null until the scan has finished. */
  totalFiles: number | null;
  totalBytes: number | null;
  /** Files seen by the scan so far (grows until the scan finishes). */
  scannedFiles: number;
  scannedBytes: number;
  currentFiles: string[];
  errors: number;
  /** Bytes per second over the whole run. */
  rate: number;
  /** Estimated milliseconds left, when the totals are known. */
  etaMs: number | null;
  percent: number | null;
}

const EMIT_EVERY_MS = 250;

export class BackupProgressTracker {
  private readonly started = performance.now();
  private readonly emit?: (p: BackupProgress) => void;
  filesDone = 0;
  bytesDone = 0;
  errors = 0;
  private scannedFiles = 0;
  private scannedBytes = 0;
  private scanDone = false;
  private readonly current = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(emit?: (p: BackupProgress) => void) {
    this.emit = emit;
    if (emit) {
      this.timer = setInterval(() => emit(this.snapshot()), EMIT_EVERY_MS);
      this.timer.unref();
    }
  }

  startFile(p: string): void {
    this.current.add(p);
  }

  addBytes(n: number): void {
    this.bytesDone += n;
  }

  fileDone(p: string, bytes: number): void {
    this.current.delete(p);
    this.filesDone++;
    this.bytesDone += bytes;
  }

  snapshot(): BackupProgress {
    const elapsedMs = performance.now() - this.started;
    const rate = elapsedMs > 0 ? (this.bytesDone * 1000) / elapsedMs : 0;
    const totalBytes = this.scanDone ? this.scannedBytes : null;
    const percent = totalBytes ? Math.min(1, this.bytesDone / totalBytes) : totalBytes === 0 ? 1 : null;
    const etaMs = totalBytes !== null && rate > 0 ? Math.max(0, ((totalBytes - this.bytesDone) * 1000) / rate) : null;
    return {
      elapsedMs,
      filesDone: this.filesDone,
      bytesDone: this.bytesDone,
      totalFiles: this.scanDone ? this.scannedFiles : null,
      totalBytes,
      scannedFiles: this.scannedFiles,
      scannedBytes: this.scannedBytes,
      currentFiles: [...this.current].slice(0, 4),
      errors: this.errors,
      rate,
      etaMs,
      percent,
    };
  }

  /**
   * Counts files and bytes under the targets in the background, with the same exclusions as the
   * backup, as restic's scanner does. Only runs when someone listens to progress.
   */
  startScan(targets: string[], isExcluded: (p: string, st: { isDirectory: boolean; size: number }) => boolean | Promise<boolean>, signal?: AbortSignal): void {
    if (!this.emit) return;
    const walk = async (p: string): Promise<void> => {
      if (signal?.aborted || this.timer === null) return;
      let st;
      try { st = await fsp.lstat(fsPath(p)); } catch { return; }
      if (await isExcluded(p, { isDirectory: st.isDirectory(), size: st.size })) return;
      if (st.isDirectory()) {
        let names: string[] = [];
        try { names = await readDirNames(p); } catch { return; }
        for (const n of names) await walk(path.join(p, n));
      } else {
        this.scannedFiles++;
        if (st.isFile()) this.scannedBytes += st.size;
      }
    };
    (async () => {
      for (const t of targets) await walk(t);
      this.scanDone = true;
    })().catch(() => {});
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.emit?.(this.snapshot());
  }
}
