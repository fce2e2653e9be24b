// A job's log: lines with level and time, kept in memory while the job runs and written to
// <dataDir>/logs/<job id>.log (JSON lines) when it ends. Bounded: a job over a million files
// must not grow the app's memory or disk without limit, so beyond `maxLines` only the first and
// the last lines are kept (the end says how the job finished, the start what it set out to do).
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { oneLine } from './failure.ts';

export type LogLevel = 'info' | 'warning' | 'error';

export interface LogLine {
  level: LogLevel;
  message: string;
  at: number;
}

const LogLineSchema = z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), at: z.number() });

export interface JobLogOptions {
  now: () => number;
  /** Lines kept in all; half from the start, half from the end. */
  maxLines?: number;
  /** Secrets in play (filled in as passwords are fetched); removed from every line. */
  secrets: readonly string[];
  onLine?: (line: LogLine) => void;
}

export const DEFAULT_MAX_LOG_LINES = 2000;

export class JobLog {
  private readonly head: LogLine[] = [];
  private tail: LogLine[] = [];
  private dropped = 0;
  private readonly opts: JobLogOptions;
  private readonly maxLines: number;

  constructor(opts: JobLogOptions) {
    this.opts = opts;
    this.maxLines = Math.max(4, opts.maxLines ?? DEFAULT_MAX_LOG_LINES);
  }

  add(level: LogLevel, message: string): LogLine {
    // Each line is one line (a message with newlines would forge log lines) and never a secret.
    const line: LogLine = { level, message: oneLine(message, this.opts.secrets), at: this.opts.now() };
    const half = Math.floor(this.maxLines / 2);
    if (this.head.length < half) {
      this.head.push(line);
    } else {
      this.tail.push(line);
      if (this.tail.length > this.maxLines - half) {
        this.tail.shift();
        this.dropped++;
      }
    }
    this.opts.onLine?.(line);
    return line;
  }

  lines(): LogLine[] {
    if (this.dropped === 0) return [...this.head, ...this.tail];
    const gap: LogLine = { level: 'warning', message: `${this.dropped} log lines left out here (the log keeps its first and last lines)`, at: this.tail[0]?.at ?? 0 };
    return [...this.head, gap, ...this.tail];
  }

  async save(file: string): Promise<void> {
    await writeFileAtomic(file, this.lines().map((l) => JSON.stringify(l)).join('\n') + '\n', 0o600);
  }
}

/** A saved log; lines that do not parse (a torn or edited file) are skipped, never fatal. */
export async function readJobLog(file: string): Promise<LogLine[] | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      const parsed = LogLineSchema.safeParse(JSON.parse(raw));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // not JSON: skip the line
    }
  }
  return out;
}

/** Job ids become file names: only what createJobId makes is accepted, so no id escapes the folder. */
export function logFile(dataDir: string, jobId: string): string | null {
  if (!/^[a-z0-9-]{1,80}$/.test(jobId)) return null;
  return path.join(dataDir, 'logs', `${jobId}.log`);
}
