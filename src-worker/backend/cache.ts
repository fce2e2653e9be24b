// A local cache of the repository files every command needs (snapshots, index files, and the packs
// that hold tree blobs), as restic keeps one: later runs, and remote backends, read them from disk
// instead of the repository. Repository files are named by the SHA-256 of their content and never
// change, so a cached file is valid for as long as the repository still lists it; each file is
// checked against its name before it is cached. The cache is an optimisation only: if it cannot be
// written, commands go on without it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAtSync } from '../format/read-at.ts';
import type { Backend, FileInfo, FileType, Range } from './backend.ts';

const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by Cairn.\n# For information about cache directory tags, see https://bford.info/cachedir/\n';

/** The per-user cache folder: CAIRN_CACHE_DIR, else the platform's cache location. */
export function defaultCacheRoot(): string {
  if (process.env.CAIRN_CACHE_DIR) return process.env.CAIRN_CACHE_DIR;
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'cairn');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'cairn');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cairn');
}

export class CachedBackend implements Backend {
  readonly location: string;
  readonly isLocal: boolean;
  readonly connections?: number;
  /** Packs that hold tree blobs; only these data files are cached. Filled from the index. */
  readonly treePacks = new Set<string>();
  private readonly inner: Backend;
  private readonly dir: string;
  private broken = false;

  constructor(inner: Backend, cacheRoot: string, repositoryId: string) {
    this.inner = inner;
    this.location = inner.location;
    this.isLocal = inner.isLocal;
    this.connections = inner.connections;
    this.dir = path.join(cacheRoot, repositoryId);
    if (inner.localPath) this.localPath = (type, name) => inner.localPath!(type, name);
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tag = path.join(cacheRoot, 'CACHEDIR.TAG');
      if (!fs.existsSync(tag)) fs.writeFileSync(tag, CACHEDIR_TAG);
    } catch {
      this.broken = true;
    }
  }

  localPath?: (type: FileType, name: string) => string;

  private cacheable(type: FileType, name: string): boolean {
    if (this.broken) return false;
    return type === 'snapshots' || type === 'index' || (type === 'data' && this.treePacks.has(name));
  }

  private fileOf(type: FileType, name: string): string {
    return path.join(this.dir, type, name.slice(0, 2), name);
  }

  private readCached(type: FileType, name: string, range?: Range): Buffer | null {
    const file = this.fileOf(type, name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    try {
      const size = fs.fstatSync(fd).size;
      // Shorter than the range asks (or a damaged index asks for too much): fetch from the repository.
      if (range && range.offset + range.length > size) return null;
      const length = range ? range.length : size;
      const out = Buffer.allocUnsafe(length);
      // Shorter than expected: not ours to trust, fetch again.
      return readAtSync(fd, out, 0, length, range?.offset ?? 0) === length ? out : null;
    } finally {
      fs.closeSync(fd);
    }
  }

  private writeCached(type: FileType, name: string, data: Uint8Array): void {
    if (this.broken) return;
    if (crypto.createHash('sha256').update(data).digest('hex') !== name) return; // damaged in transit: never cache it
    const file = this.fileOf(type, name);
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(tmp, data, { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (err) {
      // The cache is an optimisation: a folder we cannot write (wrong owner, full disk) must
      // never fail the command, and is not tried again in this run.
      try { fs.rmSync(tmp, { force: true }); } catch { /* not even readable */ }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') this.broken = true;
    }
  }

  async load(type: FileType, name: string, range?: Range): Promise<Buffer> {
    if (!this.cacheable(type, name)) return this.inner.load(type, name, range);
    const hit = this.readCached(type, name, range);
    if (hit) return hit;
    const whole = await this.inner.load(type, name);
    this.writeCached(type, name, whole);
    return range ? whole.subarray(range.offset, range.offset + range.length) : whole;
  }

  /** Lists from the repository; cached files the repository no longer has are removed afterwards. */
  async *list(type: FileType): AsyncIterable<FileInfo> {
    const seen = new Set<string>();
    for await (const f of this.inner.list(type)) {
      seen.add(f.name);
      yield f;
    }
    if (this.broken || (type !== 'snapshots' && type !== 'index' && type !== 'data')) return;
    const base = path.join(this.dir, type);
    let subdirs: string[] = [];
    try { subdirs = fs.readdirSync(base); } catch { return; }
    for (const sub of subdirs) {
      let names: string[] = [];
      try { names = fs.readdirSync(path.join(base, sub)); } catch { continue; }
      for (const n of names) if (!seen.has(n)) removeQuietly(path.join(base, sub, n));
    }
  }

  async save(type: FileType, name: string, data: Uint8Array): Promise<void> {
    await this.inner.save(type, name, data);
    if (type === 'snapshots' || type === 'index') this.writeCached(type, name, data);
  }

  /** Removes a cached copy (found damaged); true if there was one. */
  evict(type: FileType, name: string): boolean {
    if (this.broken) return false;
    const file = this.fileOf(type, name);
    if (!fs.existsSync(file)) return false;
    removeQuietly(file);
    return true;
  }

  async remove(type: FileType, name: string): Promise<void> {
    await this.inner.remove(type, name);
    if (!this.broken) removeQuietly(this.fileOf(type, name));
  }

  stat(type: FileType, name: string): Promise<FileInfo> { return this.inner.stat(type, name); }
  create(): Promise<void> { return this.inner.create(); }
  saveFile(type: FileType, name: string, file: string): Promise<void> { return this.inner.saveFile(type, name, file); }
  stagingDir(): Promise<string> { return this.inner.stagingDir(); }
  clearStaging(): Promise<number> { return this.inner.clearStaging?.() ?? Promise.resolve(0); }
  close(): Promise<void> { return this.inner.close(); }
}

/** Deletes a cached file; a cache we may not change is left as it is (it is only a cache). */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // EACCES/EPERM on someone else's cache folder: nothing to do
  }
}
