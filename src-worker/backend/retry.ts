// Retries a remote backend's operations when the failure is transient (a dropped connection, a
// timeout, HTTP 5xx or 429): exponential backoff with jitter, then the last error. Every operation
// of the Backend interface may be repeated safely: files are named by their content, uploads are
// atomic on the server, and removing a file twice is not an error.
import { CairnError, isCairnError } from '../errors.ts';
import type { Backend, FileInfo, FileType, Range } from './backend.ts';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6: about half a minute of waiting). */
  attempts?: number;
  /** First wait in ms, doubled each time (default 500). */
  baseDelayMs?: number;
  /** Told about each retry (for a "retrying" message). */
  onRetry?: (what: string, attempt: number, err: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** An error a retry may cure: the connection broke, the server was busy or failed for a moment. */
export class TransientError extends CairnError {
  readonly transient = true;
}

export function isTransient(err: unknown): boolean {
  return (err as { transient?: boolean } | null)?.transient === true;
}

export class RetryBackend implements Backend {
  readonly location: string;
  readonly isLocal: boolean;
  readonly connections?: number;
  private readonly inner: Backend;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly onRetry?: RetryOptions['onRetry'];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(inner: Backend, options: RetryOptions = {}) {
    this.inner = inner;
    this.location = inner.location;
    this.isLocal = inner.isLocal;
    this.connections = inner.connections;
    this.attempts = Math.max(1, options.attempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? Number(process.env.CAIRN_RETRY_BASE_MS ?? 500);
    this.onRetry = options.onRetry;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private async retry<T>(what: string, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!isTransient(err) || attempt >= this.attempts) throw err;
        this.onRetry?.(what, attempt, err);
        // Full jitter: a random wait up to the exponential bound, so many clients do not retry in step.
        const bound = this.baseDelayMs * 2 ** (attempt - 1);
        await this.sleep(Math.round(bound / 2 + (Math.random() * bound) / 2));
      }
    }
  }

  create(): Promise<void> {
    // Not repeated: a create that reached the server and then lost its answer must not turn into
    // "a repository already exists".
    return this.inner.create();
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    // Collected first, so a retry never yields an entry twice.
    const all = await this.retry(`listing ${type}`, async () => {
      const out: FileInfo[] = [];
      for await (const f of this.inner.list(type)) out.push(f);
      return out;
    });
    yield* all;
  }

  stat(type: FileType, name: string): Promise<FileInfo> {
    return this.retry(`stat ${type}/${name}`, () => this.inner.stat(type, name));
  }

  load(type: FileType, name: string, range?: Range): Promise<Buffer> {
    return this.retry(`reading ${type}/${name}`, () => this.inner.load(type, name, range));
  }

  save(type: FileType, name: string, data: Uint8Array): Promise<void> {
    return this.retry(`saving ${type}/${name}`, () => this.inner.save(type, name, data));
  }

  saveFile(type: FileType, name: string, file: string): Promise<void> {
    return this.retry(`uploading ${type}/${name}`, () => this.inner.saveFile(type, name, file));
  }

  async remove(type: FileType, name: string): Promise<void> {
    try {
      await this.retry(`removing ${type}/${name}`, () => this.inner.remove(type, name));
    } catch (err) {
      if (!isCairnError(err, 'NOT_FOUND')) throw err;
    }
  }

  stagingDir(): Promise<string> {
    return this.inner.stagingDir();
  }

  clearStaging(): Promise<number> {
    return this.inner.clearStaging?.() ?? Promise.resolve(0);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
