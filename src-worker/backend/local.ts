// A repository in a directory on a local (or mounted) file system, in restic's layout.
// Writes go to a temporary name in the same directory, are fsynced and renamed, so a crash never
// leaves a partial file under a final name; files are made read-only as restic makes them.
import crypto from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError, fromSystemError } from '../errors.ts';
import { isId } from '../format/id.ts';
import { readAtSync } from '../format/read-at.ts';
import type { Backend, FileInfo, FileType, Range } from './backend.ts';
import { makeDirs } from './make-dirs.ts';

const DIR_MODE = 0o700;
const FILE_MODE = 0o400;
/**
 * Ranges up to this size are read with the synchronous calls. A range read is four system calls
 * (open, fstat, read, close) of a few microseconds each; through the promise API each also hops to
 * libuv's thread pool and back, which costs more than the call. Trees are such reads, thousands per
 * command: check --read-data of 1 GiB spent ~270 ms of main-thread CPU in them. Larger ranges
 * (restore's pack ranges over a remote-like mount) keep the event loop free.
 */
const SYNC_RANGE_MAX = 1 << 20;

export class LocalBackend implements Backend {
  readonly location: string;
  readonly isLocal = true;
  private readonly root: string;
  /** This instance's own folder under tmp/: packs the workers assemble before they are renamed. */
  private staging: string | null = null;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.location = this.root;
  }

  private dirOf(type: FileType, name: string): string {
    if (type === 'config') return this.root;
    if (type === 'data') return path.join(this.root, 'data', name.slice(0, 2));
    return path.join(this.root, type);
  }

  localPath(type: FileType, name: string): string {
    return this.pathOf(type, name);
  }

  private pathOf(type: FileType, name: string): string {
    if (type === 'config') return path.join(this.root, 'config');
    return path.join(this.dirOf(type, name), name);
  }

  private describe(type: FileType, name: string): string {
    return type === 'config' ? `${this.root}/config` : `${type}/${name.slice(0, 8)} in ${this.root}`;
  }

  async create(): Promise<void> {
    try {
      await fs.access(path.join(this.root, 'config'));
      throw new CairnError('REPO_EXISTS', `a repository already exists at ${this.root}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, this.root);
    }
    try {
      await makeDirs(this.root, DIR_MODE);
      for (const sub of ['keys', 'locks', 'snapshots', 'index', 'tmp']) await fs.mkdir(path.join(this.root, sub), { recursive: true, mode: DIR_MODE });
      const data = path.join(this.root, 'data');
      await fs.mkdir(data, { recursive: true, mode: DIR_MODE });
      await Promise.all(Array.from({ length: 256 }, (_, i) =>
        fs.mkdir(path.join(data, i.toString(16).padStart(2, '0')), { recursive: true, mode: DIR_MODE })));
    } catch (err) {
      throw fromSystemError(err, `repository directory ${this.root}`);
    }
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    if (type === 'config') {
      try {
        const st = await fs.stat(path.join(this.root, 'config'));
        yield { name: 'config', size: st.size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, `${this.root}/config`);
      }
      return;
    }
    const dirs = type === 'data' ? await this.dataDirs() : [path.join(this.root, type)];
    for (const dir of dirs) {
      let entries: string[];
      try {
        entries = await fs.readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw fromSystemError(err, dir);
      }
      for (const name of entries) {
        if (!isId(name)) continue;
        try {
          const st = await fs.stat(path.join(dir, name));
          if (st.isFile()) yield { name, size: st.size };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, path.join(dir, name));
        }
      }
    }
  }

  private async dataDirs(): Promise<string[]> {
    const data = path.join(this.root, 'data');
    try {
      const entries = await fs.readdir(data, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && /^[0-9a-f]{2}$/.test(e.name)).map((e) => path.join(data, e.name)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fromSystemError(err, data);
    }
  }

  async stat(type: FileType, name: string): Promise<FileInfo> {
    try {
      const st = await fs.stat(this.pathOf(type, name));
      return { name, size: st.size };
    } catch (err) {
      throw fromSystemError(err, this.describe(type, name));
    }
  }

  async load(type: FileType, name: string, range?: Range): Promise<Buffer> {
    const file = this.pathOf(type, name);
    try {
      if (!range) return await fs.readFile(file);
      if (range.length <= SYNC_RANGE_MAX) return this.loadRangeSync(type, name, file, range);
      const handle = await fs.open(file, 'r');
      try {
        // A range past the file's end (a damaged or hostile index) is refused before anything is
        // allocated for it: its length is what the index claims, not what the file holds.
        const size = (await handle.stat()).size;
        const want = Math.min(range.length, Math.max(0, size - range.offset));
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(buf, got, want - got, range.offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        if (got !== range.length) throw this.shortRange(type, name, range, got);
        return buf;
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw fromSystemError(err, this.describe(type, name));
    }
  }

  /** load() of a small range, with the synchronous calls (see SYNC_RANGE_MAX). */
  private loadRangeSync(type: FileType, name: string, file: string, range: Range): Buffer {
    const fd = fsSync.openSync(file, 'r');
    try {
      // As in load(): never allocate more than the file holds, whatever the index claims.
      const want = Math.min(range.length, Math.max(0, fsSync.fstatSync(fd).size - range.offset));
      const buf = Buffer.allocUnsafe(want);
      const got = readAtSync(fd, buf, 0, want, range.offset);
      if (got !== range.length) throw this.shortRange(type, name, range, got);
      return buf;
    } finally {
      fsSync.closeSync(fd);
    }
  }

  private shortRange(type: FileType, name: string, range: Range, got: number): CairnError {
    return new CairnError('CORRUPT_PACK', `${this.describe(type, name)} is shorter than expected (wanted ${range.length} bytes at ${range.offset}, got ${got}): run "cairn check"`);
  }

  async save(type: FileType, name: string, data: Uint8Array): Promise<void> {
    const dir = this.dirOf(type, name);
    const tmp = path.join(dir, `.${name}-tmp-${crypto.randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
      const handle = await fs.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.install(tmp, type, name);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw fromSystemError(err, this.describe(type, name));
    }
  }

  async saveFile(type: FileType, name: string, source: string): Promise<void> {
    const dir = this.dirOf(type, name);
    try {
      await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
      const staging = await this.stagingDir();
      if (path.dirname(source) !== staging) {
        // A file from elsewhere (another file system, maybe): copy next to its final place first.
        const tmp = path.join(dir, `.${name}-tmp-${crypto.randomBytes(6).toString('hex')}`);
        await fs.copyFile(source, tmp);
        const h = await fs.open(tmp, 'r+');
        try { await h.sync(); } finally { await h.close(); }
        await this.install(tmp, type, name);
        await fs.rm(source, { force: true });
        return;
      }
      // Staged inside the repository: the worker already fsynced it, a rename is enough.
      await this.install(source, type, name);
    } catch (err) {
      throw fromSystemError(err, this.describe(type, name));
    }
  }

  private async install(tmp: string, type: FileType, name: string): Promise<void> {
    await fs.chmod(tmp, FILE_MODE);
    const final = this.pathOf(type, name);
    await fs.rename(tmp, final);
    await syncDir(path.dirname(final));
  }

  async remove(type: FileType, name: string): Promise<void> {
    const file = this.pathOf(type, name);
    try {
      await fs.chmod(file, 0o600).catch(() => {});
      await fs.unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw fromSystemError(err, this.describe(type, name));
    }
  }

  /**
   * Packs are staged inside the repository so that storing one is a rename on the same file system.
   * Each backend instance stages in a folder of its own under tmp/, which close() removes: a backup
   * that fails or is interrupted leaves no half-made or uncommitted packs behind, and two processes
   * writing one repository never touch each other's files.
   */
  async stagingDir(): Promise<string> {
    if (this.staging) return this.staging;
    const tmp = path.join(this.root, 'tmp');
    try {
      await fs.mkdir(tmp, { recursive: true, mode: DIR_MODE });
      this.staging = await fs.mkdtemp(path.join(tmp, 'run-'));
    } catch (err) {
      throw fromSystemError(err, `tmp in ${this.root}`);
    }
    return this.staging;
  }

  async clearStaging(): Promise<number> {
    const tmp = path.join(this.root, 'tmp');
    let names: string[];
    try {
      names = await fs.readdir(tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw fromSystemError(err, `${tmp}`);
    }
    const own = this.staging ? path.basename(this.staging) : null;
    let removed = 0;
    for (const name of names) {
      if (name === own) continue;
      await fs.rm(path.join(tmp, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    const dir = this.staging;
    this.staging = null;
    if (dir) await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some file systems (and Windows) cannot fsync a directory; the rename is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
  } finally {
    await handle?.close();
  }
}
