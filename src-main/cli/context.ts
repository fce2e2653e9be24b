// What every command shares: global options, opening the repository, printing, cancellation.
import { CairnError, defaultCacheRoot, encodeName, openBackend, Repository, RepositoryLock, type Compression } from '../../src-worker/index.ts';
import { readPassword, type PasswordSources } from './password.ts';

export interface GlobalOptions extends PasswordSources {
  repo?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: number;
  keyHint?: string;
  compression?: string;
  /** commander's --no-cache gives cache: false; --cache-dir gives cacheDir. */
  cache?: boolean;
  cacheDir?: string;
  option?: string[];
  /** commander's --no-lock gives lock: false. */
  lock?: boolean;
}

export class Cli {
  readonly globals: GlobalOptions;
  readonly abort = new AbortController();
  /** Set by commands that run until a signal (serve): SIGINT/SIGTERM then end them cleanly, exit 0. */
  stopsOnSignal = false;
  private cleanups: (() => Promise<void>)[] = [];

  constructor(globals: GlobalOptions) {
    this.globals = globals;
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  repoLocation(): string {
    const loc = this.globals.repo ?? process.env.CAIRN_REPOSITORY ?? process.env.RESTIC_REPOSITORY;
    if (!loc) throw new CairnError('INVALID_ARGUMENT', 'no repository given: use -r/--repo or set CAIRN_REPOSITORY');
    return loc;
  }

  compression(): Compression {
    const c = this.globals.compression ?? process.env.CAIRN_COMPRESSION ?? process.env.RESTIC_COMPRESSION ?? 'auto';
    if (c !== 'auto' && c !== 'off' && c !== 'max') throw new CairnError('INVALID_ARGUMENT', `--compression ${c}: use auto, off or max`);
    return c;
  }

  /** `-o key=value` pairs. */
  backendOptions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const o of this.globals.option ?? []) {
      const at = o.indexOf('=');
      if (at <= 0) throw new CairnError('INVALID_ARGUMENT', `-o ${o}: use -o key=value, e.g. -o sftp.key=~/.ssh/backup_key`);
      out[o.slice(0, at)] = o.slice(at + 1);
    }
    return out;
  }

  /** Opens the repository; `cache: false` reads everything from the repository itself (check). */
  async openRepository(options: { cache?: boolean } = {}): Promise<Repository> {
    const backend = openBackend(this.repoLocation(), this.backendOptions());
    this.onCleanup(() => backend.close());
    const password = await readPassword(this.globals);
    const cacheDir = options.cache === false ? undefined : this.cacheRoot() ?? undefined;
    const repo = await Repository.open(backend, password, { keyHint: this.globals.keyHint, compression: this.compression(), cacheDir });
    if (!this.json && (this.globals.verbose ?? 0) > 0) this.verbose(`repository ${repo.config.id.slice(0, 8)} opened (repository version ${repo.version}) successfully, password is correct`);
    return repo;
  }

  /**
   * The lock of a command that only reads (restore, check, cat, diff, find, stats), held until
   * the command ends; `confirmed` settles once restic's wait for a racing lock is over. With
   * --no-lock, as restic's, none is taken: a read-only repository (a mount, a snapshot, a WORM
   * bucket) can still be read. Commands that change the repository always lock.
   */
  async lockForReading(repo: Repository, exclusive = false): Promise<{ confirmed: Promise<void> }> {
    if (this.globals.lock === false) return { confirmed: Promise.resolve() };
    const { lock, confirmed } = await RepositoryLock.begin(repo, exclusive);
    this.onCleanup(() => lock.release());
    return { confirmed };
  }

  /** The cache folder, or null with --no-cache. */
  cacheRoot(): string | null {
    return this.globals.cache === false ? null : this.globals.cacheDir ?? defaultCacheRoot();
  }

  onCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    const fns = this.cleanups.splice(0).reverse();
    for (const fn of fns) await fn().catch(() => {});
  }

  /** Informational output (stdout), silenced by --quiet. */
  print(line: string): void {
    if (!this.globals.quiet) process.stdout.write(asBytes(line));
  }

  /** The command's result (a table, a listing): printed even with --quiet, as restic does. */
  output(line: string): void {
    process.stdout.write(asBytes(line));
  }

  /** Chatter restic prints by default but --quiet hides; goes to stderr so stdout stays clean for data. */
  verbose(line: string): void {
    if (!this.globals.quiet) process.stderr.write(asBytes(line));
  }

  warn(line: string): void {
    process.stderr.write(asBytes(line));
  }

  printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }
}

/**
 * A text line as the bytes to print. A file name that is not valid UTF-8 is printed with its own
 * bytes, as restic prints it, so `ls`, `find` and `diff` output names the file on disk; writing the
 * string would turn each such byte into U+FFFD.
 */
function asBytes(line: string): Buffer {
  return encodeName(line + '\n');
}
