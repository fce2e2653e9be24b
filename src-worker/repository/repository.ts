// An open repository: master key, config, the in-memory index, and the operations every command
// builds on (unpacked files, snapshots, blobs, writing packs and index files in a safe order).
import crypto from 'node:crypto';
import os from 'node:os';
import type { ZstdOptions } from 'node:zlib';
import { CachedBackend } from '../backend/cache.ts';
import { release } from '../format/release.ts';
import type { Backend, FileType } from '../backend/backend.ts';
import { CairnError, fromSystemError, isCairnError } from '../errors.ts';
import type { BlobType } from '../format/blob.ts';
import { compressionFor, openBlob, sealBlob, type Compression } from '../format/blob-codec.ts';
import { decodeConfig, encodeConfig, type RepoConfig } from '../format/config.ts';
import { generateMasterKey, open, seal, type MasterKey } from '../format/crypto.ts';
import { hashId, type Id } from '../format/id.ts';
import { decodeIndexFile, encodeIndexFile, type IndexPack } from '../format/index-file.ts';
import { calibrateKdf, createKeyFile, decodeKeyFile, encodeKeyFile, unlockKeyFile, type KdfParams } from '../format/key.ts';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../format/snapshot.ts';
import { nowNs, parseTime } from '../format/time.ts';
import { decodeTree, type Tree } from '../format/tree.ts';
import { decodeUnpacked, encodeUnpacked, parseJson } from '../format/unpacked.ts';
import { randomPolynomial } from '../chunker/chunker.ts';
import { MasterIndex } from './master-index.ts';
import { PackWriter, TARGET_PACK_SIZE, type FinishedPack } from './pack-writer.ts';
import { mapLimit } from './concurrency.ts';

/** restic keeps index files below ~8 MiB by limiting the blobs listed in each. */
const INDEX_MAX_BLOBS = 50_000;
const LOAD_CONCURRENCY = 8;

export interface SnapshotEntry {
  id: Id;
  snapshot: Snapshot;
}

export interface InitOptions {
  version?: 1 | 2;
  chunkerPolynomial?: bigint;
  kdf?: KdfParams;
}

export interface OpenOptions {
  /** Try this key file first (an id or prefix), as restic's --key-hint. */
  keyHint?: string;
  compression?: Compression;
  /** Folder for the local metadata cache (see backend/cache.ts); none when omitted. */
  cacheDir?: string;
}

export function currentUser(): { username: string; hostname: string; uid: number; gid: number } {
  let username = '';
  try { username = os.userInfo().username; } catch { /* no passwd entry */ }
  return {
    username,
    hostname: os.hostname(),
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    gid: typeof process.getgid === 'function' ? process.getgid() : 0,
  };
}

export class Repository {
  readonly backend: Backend;
  private currentConfig: RepoConfig;
  readonly key: MasterKey;
  readonly keyId: Id;
  readonly index = new MasterIndex();
  compression: Compression;

  private indexLoaded = false;
  /** Packs written since the last index file, waiting to be listed in the next one. */
  private pendingPacks: IndexPack[] = [];
  private pendingBlobCount = 0;
  /** Blobs claimed for writing whose pack is not finished yet: (type + id) → true. */
  private inFlight = new Set<string>();
  /** Packs being filled by saveBlob, one per blob type. */
  private openPacks = new Map<BlobType, PackWriter>();
  private stagingDir: string | null = null;
  /** Writes into the repository wait for this first (see holdWritesUntil). */
  private writeGate: Promise<unknown> | null = null;
  private treeCache = new Map<Id, Tree>();

  private constructor(backend: Backend, config: RepoConfig, key: MasterKey, keyId: Id, compression: Compression) {
    this.backend = backend;
    this.currentConfig = config;
    this.key = key;
    this.keyId = keyId;
    this.compression = compression;
  }

  get config(): RepoConfig {
    return this.currentConfig;
  }

  get version(): number {
    return this.currentConfig.version;
  }

  /**
   * Replaces the config file (only `migrate` does: the format version). Backends that cannot
   * overwrite a file get it removed first; if writing the new one fails, the old bytes are put
   * back. Later writes of this object follow the new config (a new version compresses).
   */
  async replaceConfig(next: RepoConfig): Promise<void> {
    const old = await this.backend.load('config', 'config');
    const sealed = seal(this.key, Buffer.from(encodeConfig(next), 'utf8'));
    try {
      await this.backend.save('config', 'config', sealed);
    } catch {
      try {
        await this.backend.remove('config', 'config');
        await this.backend.save('config', 'config', sealed);
      } catch (err) {
        await this.backend.save('config', 'config', old).catch((again: unknown) => {
          throw new CairnError('BACKEND_ERROR', `writing the new config of ${this.backend.location} failed and the old one could not be put back (${(again as Error).message}): save the old config from a backup before anything else`, { cause: err });
        });
        throw fromSystemError(err, `the config of ${this.backend.location}`);
      }
    }
    this.currentConfig = next;
  }

  /** Creates a new repository: layout, master key, the first key file and the config. */
  static async init(backend: Backend, password: string, options: InitOptions = {}): Promise<Repository> {
    if (password.length === 0) throw new CairnError('INVALID_ARGUMENT', 'an empty password is not allowed: choose a password for the repository');
    const version = options.version ?? 2;
    const exists = await backend.stat('config', 'config').then(() => true, (err) => {
      if (isCairnError(err, 'NOT_FOUND')) return false;
      throw err;
    });
    if (exists) throw new CairnError('REPO_EXISTS', `a repository already exists at ${backend.location}`);
    await backend.create();
    const master = generateMasterKey();
    const params = options.kdf ?? (await calibrateKdf());
    const keyFile = await createKeyFile(master, password, params, currentUser(), nowNs());
    const keyBytes = Buffer.from(encodeKeyFile(keyFile), 'utf8');
    const keyId = hashId(keyBytes);
    await backend.save('keys', keyId, keyBytes);
    const config: RepoConfig = {
      version,
      id: crypto.randomBytes(32).toString('hex'),
      chunkerPolynomial: options.chunkerPolynomial ?? randomPolynomial(),
    };
    // The config is sealed but never compressed, in every version.
    await backend.save('config', 'config', seal(master, Buffer.from(encodeConfig(config), 'utf8')));
    return new Repository(backend, config, master, keyId, 'auto');
  }

  /** Opens an existing repository with a password; WRONG_PASSWORD when no key file accepts it. */
  static async open(backend: Backend, password: string, options: OpenOptions = {}): Promise<Repository> {
    let sealedConfig: Buffer;
    try {
      sealedConfig = await backend.load('config', 'config');
    } catch (err) {
      if (isCairnError(err, 'NOT_FOUND')) {
        throw new CairnError('NOT_A_REPOSITORY', `there is no repository at ${backend.location} (no config file): check the path, or create one with "cairn init"`, { cause: err });
      }
      throw err;
    }
    const keyNames: string[] = [];
    for await (const f of backend.list('keys')) keyNames.push(f.name);
    if (keyNames.length === 0) throw new CairnError('NOT_A_REPOSITORY', `the repository at ${backend.location} has no key files: it is damaged or not a repository`);
    if (options.keyHint) {
      const hint = options.keyHint;
      keyNames.sort((a, b) => Number(b.startsWith(hint)) - Number(a.startsWith(hint)));
    }
    let master: MasterKey | null = null;
    let keyId = '';
    /**
     * Key files that are malformed, or whose content no longer hashes to their name (a key file's
     * name is the SHA-256 of its bytes): named in the error, since a damaged key looks like a
     * wrong password.
     */
    const damaged: string[] = [];
    for (const name of keyNames) {
      const raw = await backend.load('keys', name);
      let keyFile;
      try {
        keyFile = decodeKeyFile(JSON.parse(raw.toString('utf8')), name);
      } catch {
        damaged.push(name);
        continue; // an unreadable key file cannot be ours; restic skips such files too
      }
      master = await unlockKeyFile(keyFile, password, name);
      if (master) {
        keyId = name;
        break;
      }
      if (hashId(raw) !== name) damaged.push(name);
    }
    if (!master) {
      const tried = keyNames.filter((n) => !damaged.includes(n)).map((n) => `keys/${n.slice(0, 8)}`);
      const detail = [tried.length ? `tried ${tried.join(', ')}` : '', damaged.length ? `damaged: ${damaged.map((n) => `keys/${n.slice(0, 8)}`).join(', ')}` : ''].filter(Boolean).join('; ');
      throw new CairnError('WRONG_PASSWORD', `wrong password or no key found for the repository at ${backend.location} (${detail}): check the password; a damaged key file cannot be repaired, use another key`);
    }
    let configText: string;
    try {
      configText = decodeUnpacked(open(master, sealedConfig), 'repository config');
    } catch (err) {
      throw new CairnError('CORRUPT_OBJECT', `the config file of ${backend.location} is damaged: ${(err as Error).message}`, { cause: err });
    }
    const config = decodeConfig(parseJson(configText, 'repository config'));
    const cached = options.cacheDir ? new CachedBackend(backend, options.cacheDir, config.id) : backend;
    return new Repository(cached, config, master, keyId, options.compression ?? 'auto');
  }

  // ---- unpacked files -------------------------------------------------------------------

  async loadUnpacked(type: FileType, id: Id): Promise<unknown> {
    const what = `${type === 'snapshots' ? 'snapshot' : type} ${id.slice(0, 8)}`;
    let raw = await this.backend.load(type, id);
    if (hashId(raw) !== id && this.backend instanceof CachedBackend && this.backend.evict(type, id)) {
      raw = await this.backend.load(type, id); // the cached copy was damaged: read the repository's
    }
    if (hashId(raw) !== id) {
      throw new CairnError('CORRUPT_OBJECT', `${what} is damaged (its content does not match its name): run "cairn check"`);
    }
    let plain: Buffer;
    try {
      plain = open(this.key, raw);
    } catch (err) {
      throw new CairnError('CORRUPT_OBJECT', `${what} is damaged (MAC mismatch): run "cairn check"`, { cause: err });
    }
    release(raw);
    const text = decodeUnpacked(plain, what, this.version);
    release(plain);
    return parseJson(text, what);
  }

  /** Stores a JSON object (text, or its UTF-8 bytes) sealed, compressed in version 2 (`zstd`: other settings). */
  async saveUnpacked(type: FileType, json: string | Buffer, zstd?: ZstdOptions): Promise<Id> {
    if (type !== 'locks') await this.writeGate; // the lock being settled is itself a write
    const sealed = seal(this.key, encodeUnpacked(json, this.version, zstd));
    const id = hashId(sealed);
    await this.backend.save(type, id, sealed);
    return id;
  }

  /**
   * Until `settled` resolves, packs, index files and snapshots wait before they go into the
   * repository (packs stay in the staging folder); if it rejects, those writes fail with its
   * error. A backup reads and stages while its lock waits out the check for a racing exclusive
   * lock, and nothing reaches the repository unless the lock holds. `null` lifts the hold.
   */
  holdWritesUntil(settled: Promise<unknown> | null): void {
    this.writeGate = settled;
  }

  // ---- snapshots ------------------------------------------------------------------------

  async listSnapshotIds(): Promise<Id[]> {
    const ids: Id[] = [];
    for await (const f of this.backend.list('snapshots')) ids.push(f.name);
    return ids;
  }

  async loadSnapshot(id: Id): Promise<Snapshot> {
    return decodeSnapshot(await this.loadUnpacked('snapshots', id), id);
  }

  /** All snapshots, oldest first. Unreadable snapshot files are reported through `onError`. */
  async listSnapshots(onError?: (id: Id, err: unknown) => void): Promise<SnapshotEntry[]> {
    const ids = await this.listSnapshotIds();
    const loaded = await mapLimit(ids, LOAD_CONCURRENCY, async (id) => {
      try {
        return { id, snapshot: await this.loadSnapshot(id) };
      } catch (err) {
        if (!onError) throw err;
        onError(id, err);
        return null;
      }
    });
    const entries = loaded.filter((e): e is SnapshotEntry => e !== null);
    // By instant, not by text: snapshots written in different time zones must still sort right.
    const at = new Map(entries.map((e) => [e, safeTime(e.snapshot.time)]));
    return entries.sort((a, b) => {
      const ta = at.get(a)!, tb = at.get(b)!;
      return ta < tb ? -1 : ta > tb ? 1 : a.id < b.id ? -1 : 1;
    });
  }

  async saveSnapshot(sn: Snapshot): Promise<Id> {
    return this.saveUnpacked('snapshots', encodeSnapshot(sn));
  }

  // ---- index ----------------------------------------------------------------------------

  /**
   * Loads every index file. A damaged one fails the load, unless `onDamaged` is given: then it is
   * reported there and skipped (for readers such as restore, which must still get what the other
   * index files find; never for writers that delete, which need the whole index).
   */
  async loadIndex(onProgress?: (done: number, total: number) => void, onDamaged?: (id: Id, err: CairnError) => void): Promise<void> {
    if (this.indexLoaded) return;
    const names: Id[] = [];
    for await (const f of this.backend.list('index')) names.push(f.name);
    let done = 0;
    await mapLimit(names, LOAD_CONCURRENCY, async (name) => {
      let doc;
      try {
        doc = decodeIndexFile(await this.loadUnpacked('index', name), name, this.version >= 2);
      } catch (err) {
        if (!onDamaged || !isCairnError(err) || (err.code !== 'CORRUPT_OBJECT' && err.code !== 'NOT_FOUND')) throw err;
        onDamaged(name, err);
        onProgress?.(++done, names.length);
        return;
      }
      for (const p of doc.packs) {
        this.index.addPack(p.id, p.blobs);
        if (this.backend instanceof CachedBackend && p.blobs.some((b) => b.type === 'tree')) this.backend.treePacks.add(p.id);
      }
      onProgress?.(++done, names.length);
    });
    this.indexLoaded = true;
  }

  // ---- reading blobs --------------------------------------------------------------------

  async loadBlob(type: BlobType, id: Id): Promise<Buffer> {
    const loc = this.index.lookup(type, id);
    if (!loc) throw new CairnError('MISSING_OBJECT', `${type} blob ${id.slice(0, 8)} is not in the index: run "cairn check"`);
    const range = { offset: loc.offset, length: loc.length };
    const attempt = async () => {
      const sealed = await this.backend.load('data', loc.packId, range);
      try {
        return openBlob(this.key, sealed, id, type, loc.uncompressedLength, loc.packId);
      } finally {
        release(sealed);
      }
    };
    try {
      return await attempt();
    } catch (err) {
      // A damaged cached pack must not hide a good one in the repository: drop it and read again.
      if (!(this.backend instanceof CachedBackend) || !this.backend.evict('data', loc.packId)) throw err;
      return attempt();
    }
  }

  /**
   * A tree, kept in memory for later calls unless `keep` is false: backup reads each parent tree
   * once, and keeping them all made every one of its many young-generation GCs copy them again.
   */
  async loadTree(id: Id, keep = true): Promise<Tree> {
    const cached = this.treeCache.get(id);
    if (cached) return cached;
    const plain = await this.loadBlob('tree', id);
    const text = plain.toString('utf8');
    release(plain);
    const tree = decodeTree(parseJson(text, `tree ${id.slice(0, 8)}`), id);
    if (!keep) return tree;
    if (this.treeCache.size >= 4096) this.treeCache.delete(this.treeCache.keys().next().value as Id);
    this.treeCache.set(id, tree);
    return tree;
  }

  // ---- writing blobs and packs ----------------------------------------------------------

  /**
   * Reserves a blob for writing. Returns false when the repository already has it or another
   * writer is storing it right now; true means the caller must store it.
   */
  claimBlob(type: BlobType, id: Id): boolean {
    if (this.index.has(type, id)) return false;
    const k = type[0] + id;
    if (this.inFlight.has(k)) return false;
    this.inFlight.add(k);
    return true;
  }

  /** Releases claims of blobs that will not be written after all (a cancelled file). */
  releaseClaims(type: BlobType, ids: Iterable<Id>): void {
    for (const id of ids) this.inFlight.delete(type[0] + id);
  }

  async getStagingDir(): Promise<string> {
    this.stagingDir ??= await this.backend.stagingDir();
    return this.stagingDir;
  }

  /**
   * Stores a blob (deduplicated) in the main thread and returns its id and stored size (0 when the
   * repository already had it). Data and tree blobs go to separate packs, as version 2 requires.
   * Backups send file data through the worker pool instead; this is for trees and for maintenance
   * (repacking, copying between repositories), where blobs arrive one at a time.
   */
  async saveBlob(type: BlobType, plain: Buffer): Promise<{ id: Id; stored: number }> {
    try {
      return await this.saveBlobUnchecked(type, plain);
    } catch (err) {
      throw fromSystemError(err, `the repository at ${this.backend.location}`);
    }
  }

  /** How a blob of this type is stored here: never compressed in a version 1 repository. */
  blobCompression(type: BlobType): Compression | null {
    return compressionFor(type, this.version < 2 ? null : this.compression);
  }

  private async saveBlobUnchecked(type: BlobType, plain: Buffer): Promise<{ id: Id; stored: number }> {
    const id = hashId(plain);
    if (!this.claimBlob(type, id)) return { id, stored: 0 };
    const { sealed, uncompressedLength } = sealBlob(this.key, plain, this.blobCompression(type));
    let writer = this.openPacks.get(type);
    if (!writer) {
      const dir = await this.getStagingDir();
      // Another call may have opened a pack while this one waited: use it, or that call's blobs
      // (already claimed) would be dropped with the pack it opened, and a snapshot would name them.
      writer = this.openPacks.get(type);
      if (!writer) {
        writer = new PackWriter(this.key, dir, this.backend.isLocal);
        this.openPacks.set(type, writer);
      }
    }
    writer.add(id, type, sealed, uncompressedLength);
    if (writer.size >= TARGET_PACK_SIZE) {
      this.openPacks.delete(type);
      await this.commitPack(writer.finish());
    }
    return { id, stored: sealed.length };
  }

  /**
   * Moves a finished pack into the repository and records its blobs for the next index file.
   * The pack is stored before any index names it, as the format's write order requires.
   */
  async commitPack(pack: FinishedPack): Promise<void> {
    await this.writeGate;
    await this.backend.saveFile('data', pack.packId, pack.path);
    this.index.addPack(pack.packId, pack.blobs);
    for (const b of pack.blobs) this.inFlight.delete(b.type[0] + b.id);
    this.pendingPacks.push({ id: pack.packId, blobs: pack.blobs });
    this.pendingBlobCount += pack.blobs.length;
    if (this.pendingBlobCount >= INDEX_MAX_BLOBS) await this.writePendingIndex();
  }

  /** Finishes the open packs and writes an index file for everything written so far. */
  async flush(): Promise<void> {
    try {
      await this.flushUnchecked();
    } catch (err) {
      throw fromSystemError(err, `the repository at ${this.backend.location}`);
    }
  }

  private async flushUnchecked(): Promise<void> {
    for (const [type, pack] of [...this.openPacks]) {
      this.openPacks.delete(type);
      if (pack.blobCount > 0) await this.commitPack(pack.finish());
      else pack.abandon();
    }
    await this.writePendingIndex();
  }

  private async writePendingIndex(): Promise<void> {
    if (this.pendingPacks.length === 0) return;
    const packs = this.pendingPacks;
    this.pendingPacks = [];
    this.pendingBlobCount = 0;
    await this.saveUnpacked('index', encodeIndexFile({ supersedes: [], packs }));
  }

  /** Drops unfinished work after a cancel or failure; finished packs stay (unreferenced is fine). */
  abandonWrites(): void {
    for (const pack of this.openPacks.values()) pack.abandon();
    this.openPacks.clear();
    this.inFlight.clear();
  }
}

function safeTime(text: string): bigint {
  try {
    return parseTime(text);
  } catch {
    return 0n; // an unreadable time sorts first rather than breaking the listing
  }
}
