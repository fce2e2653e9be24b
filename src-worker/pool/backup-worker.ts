// Worker thread of the backup pipeline: reads a file, cuts it into chunks (restic-compatible),
// hashes each chunk, asks the main thread which chunks the repository lacks, then compresses,
// encrypts and appends those to this worker's own pack file. What goes back to the main thread is
// ids, sizes, and finished packs (as files in the staging directory). File data stays in its
// worker but for one case: a worker that runs out of files seals chunks of a big file another
// worker is cutting (see PeerMessage), so the last big files of a backup do not leave a core idle.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { Chunker, MAX_SIZE, MIN_SIZE } from '../chunker/chunker.ts';
import { compressionFor, sealBlobInWorkArea } from '../format/blob-codec.ts';
import type { BlobType } from '../format/blob.ts';
import type { MasterKey } from '../format/crypto.ts';
import { PackWriter, TARGET_PACK_SIZE } from '../repository/pack-writer.ts';
import { release } from '../format/release.ts';
import type { FileJob, FileResult, FromWorker, PeerMessage, ToWorker, TreeBatch, WorkerInit } from './protocol.ts';
import { fsPath } from '../format/raw-names.ts';
import { readAtSync } from '../format/read-at.ts';

const port = parentPort!;
/**
 * Settings, key and chunker come with the first message ('init'), not with workerData: the pool may
 * start its workers while the repository is still being opened (WarmBackupWorkers), so loading
 * this module overlaps key derivation.
 */
let init: WorkerInit;
let key: MasterKey;
/**
 * The file data buffer starts small and grows (up to one maximal chunk) only when a chunk does not
 * fit: most chunks are near the 1 MiB average, and a buffer of twice the 8 MiB maximum per worker
 * was resident for nothing.
 */
const INITIAL_BUFFER = 4 * 1024 * 1024;
let chunker: Chunker;
let buf: Buffer;

function setUp(settings: WorkerInit): void {
  init = settings;
  key = { encrypt: init.key.encrypt, macK: init.key.macK, macR: init.key.macR };
  chunker = new Chunker(BigInt('0x' + init.polynomial), INITIAL_BUFFER);
  buf = chunker.buffer;
}
/** Small files waiting for their claim answer; bounded so memory stays small. */
const MAX_PENDING_SMALL = 64;
const PROGRESS_EVERY = 8 * 1024 * 1024;

/** This worker's open packs: tree blobs go to packs of their own, as repository version 2 requires. */
const packs: Record<BlobType, PackWriter | null> = { data: null, tree: null };
let treeStoredBytes = 0;
let nextClaim = 1;
const claimWaiters = new Map<number, (need: Uint8Array) => void>();
const jobs: FileJob[] = [];
let wakeLoop: (() => void) | null = null;
let flushRequested = false;
const pendingSmall = new Set<Promise<void>>();
/** A file job is being worked on (between taking it from `jobs` and finishing it). */
let working = false;

/** Another worker of the pool; `asked`: this worker waits for a chunk from it. */
interface Peer { port: MessagePort; asked: boolean }
const peers: Peer[] = [];
/** Peers that asked this worker for a chunk to seal, first come first served. */
const thieves: Peer[] = [];
/** Chunks handed to peers and not yet acknowledged as sealed, by reference. */
const handedOff = new Map<number, { resolve: (storedBytes: number) => void; reject: (err: Error) => void }>();
let nextRef = 1;

type Counts = Pick<FileResult, 'newBlobs' | 'newBytes' | 'storedBytes'>;

function send(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(msg, transfer ?? []);
}

function claim(ids: string[]): Promise<Uint8Array> {
  const id = nextClaim++;
  return new Promise((resolve) => {
    claimWaiters.set(id, resolve);
    send({ t: 'claim', claim: id, ids });
  });
}

/** A failure writing to the repository's staging area (disk full...): fatal, unlike a source file's read error. */
class RepositoryWriteError extends Error {
  readonly code: string;
  constructor(cause: NodeJS.ErrnoException) {
    super(cause.message, { cause });
    this.code = cause.code ?? 'EIO';
  }
}

/** What a failure writing a pack becomes: a file system error is the repository's, and fatal. */
function asWriteError(err: unknown): unknown {
  return (err as NodeJS.ErrnoException).code ? new RepositoryWriteError(err as NodeJS.ErrnoException) : err;
}

/** Seals a blob into this worker's open pack of its type, finishing the pack when full; returns the stored size. */
function seal(type: BlobType, id: string, plain: Uint8Array): number {
  // `sealed` is a view of the crypto kernel's memory: written out before anything else seals.
  const { sealed, uncompressedLength } = sealBlobInWorkArea(key, plain, compressionFor(type, init.compression));
  if (init.dryRun) return sealed.length;
  const p = (packs[type] ??= new PackWriter(key, init.stagingDir, init.durablePacks));
  p.add(id, type, sealed, uncompressedLength);
  if (p.size >= TARGET_PACK_SIZE) finishPack(type);
  return sealed.length;
}

function store(id: string, plain: Uint8Array, result: Counts): void {
  try {
    result.storedBytes += seal('data', id, plain);
  } catch (err) {
    throw asWriteError(err);
  }
  result.newBlobs++;
  result.newBytes += plain.length;
}

function finishPack(type: BlobType): void {
  const p = packs[type];
  packs[type] = null;
  if (!p) return;
  if (p.blobCount === 0) return p.abandon();
  send({ t: 'pack', pack: p.finish() });
}

/** Seals a batch of trees the main thread encoded and claimed into this worker's tree pack. */
function storeTrees(batch: TreeBatch): void {
  const bytes = new Uint8Array(batch.data);
  let at = 0;
  try {
    for (let i = 0; i < batch.ids.length; i++) {
      treeStoredBytes += seal('tree', batch.ids[i], bytes.subarray(at, at + batch.lengths[i]));
      at += batch.lengths[i];
    }
  } catch (err) {
    fatal(asWriteError(err));
  } finally {
    release(bytes);
  }
}

const hashHex = (data: Uint8Array) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * A file that fits in one chunk: read, hash, ask, and move on without waiting for the answer,
 * so the round trip to the main thread overlaps with the next file's work.
 */
const smallScratch = Buffer.allocUnsafe(MIN_SIZE + 1);

function startSmall(job: FileJob, fd: number, close: () => void): boolean {
  const got = readAtSync(fd, smallScratch, 0, MIN_SIZE + 1, 0);
  if (got > MIN_SIZE) return false; // grew since lstat: chunk it like a large file
  close(); // before waiting for the claim answer: do not hold descriptors while queued
  // Copied out of the scratch buffer: it must survive until the claim is answered.
  const content = got > 0 ? Buffer.from(smallScratch.subarray(0, got)) : null;
  const result: FileResult = { content: [], size: got, newBlobs: 0, newBytes: 0, storedBytes: 0 };
  if (!content) {
    send({ t: 'done', job: job.job, result });
    return true;
  }
  const id = hashHex(content);
  result.content.push(id);
  const p = claim([id]).then((need) => {
    if (need[0]) store(id, content, result);
    // Freed now, not when the collector gets to its handle: up to 64 of these (of up to 512 KiB)
    // wait at a time, and left to the collector they added ~14 MiB to an incremental backup's peak.
    release(content);
    send({ t: 'done', job: job.job, result });
  }).catch((err) => fatal(err)).finally(() => pendingSmall.delete(p));
  pendingSmall.add(p);
  return true;
}

/** Asks every peer not yet asked for a chunk to seal: this worker has nothing else to do. */
function askForWork(): void {
  for (const peer of peers) {
    if (peer.asked) continue;
    peer.asked = true;
    peer.port.postMessage({ t: 'steal' } satisfies PeerMessage);
  }
}

/** Gives one chunk (a copy: `buf` is refilled meanwhile) to a peer that asked; settles when it is in the peer's pack. */
function handOff(peer: Peer, id: string, bytes: Uint8Array, result: Counts): Promise<void> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const ref = nextRef++;
  result.newBlobs++;
  result.newBytes += bytes.length;
  peer.port.postMessage({ t: 'chunk', ref, id, data: copy.buffer } satisfies PeerMessage, [copy.buffer]);
  return new Promise((resolve, reject) => {
    handedOff.set(ref, {
      resolve: (storedBytes) => {
        result.storedBytes += storedBytes;
        resolve();
      },
      reject,
    });
  });
}

/**
 * Seals the chunks the repository lacks, from the first; while more than one is left, peers that
 * asked take one each from the end. Returns with what the peers still owe added to `owed`.
 */
async function sealChunks(list: { at: number; len: number; id: string }[], result: Counts, owed: Promise<void>[]): Promise<void> {
  let next = 0, end = list.length;
  while (next < end) {
    while (thieves.length > 0 && end - next > 1) {
      const c = list[--end];
      const sealed = handOff(thieves.shift()!, c.id, buf.subarray(c.at, c.at + c.len), result);
      sealed.catch(() => { /* awaited with the others when the file ends */ });
      owed.push(sealed);
    }
    const c = list[next++];
    store(c.id, buf.subarray(c.at, c.at + c.len), result);
    // Let a peer's request in between two chunks (a turn of the event loop costs microseconds).
    if (peers.length > 0 && next < end) await yieldToEvents();
  }
}

function onPeerMessage(peer: Peer, msg: PeerMessage): void {
  switch (msg.t) {
    case 'steal':
      thieves.push(peer);
      return;
    case 'chunk': {
      peer.asked = false;
      const plain = new Uint8Array(msg.data);
      const counts: Counts = { newBlobs: 0, newBytes: 0, storedBytes: 0 };
      let reply: PeerMessage;
      try {
        store(msg.id, plain, counts);
        reply = { t: 'sealed', ref: msg.ref, storedBytes: counts.storedBytes };
      } catch (err) {
        const e = err as Error & { code?: string };
        reply = { t: 'sealed', ref: msg.ref, storedBytes: 0, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
      }
      release(plain);
      peer.port.postMessage(reply);
      if (!working && jobs.length === 0) askForWork();
      return;
    }
    case 'sealed': {
      const waiter = handedOff.get(msg.ref);
      handedOff.delete(msg.ref);
      if (!msg.error) return waiter?.resolve(msg.storedBytes);
      const cause = Object.assign(new Error(msg.error.message), { code: msg.error.code });
      // The peer could not write its pack: as fatal as this worker failing to write its own.
      waiter?.reject(/^E[A-Z]+$/.test(msg.error.code) ? new RepositoryWriteError(cause) : cause);
      return;
    }
  }
}

async function processLarge(job: FileJob, fd: number): Promise<void> {
  const result: FileResult = { content: [], size: 0, newBlobs: 0, newBytes: 0, storedBytes: 0 };
  const owed: Promise<void>[] = [];
  try {
    await cutAndStore(job, fd, result, owed);
  } finally {
    // Finished (or failed) only when every chunk handed off is in a peer's pack: the pool flushes
    // once the last file is done, and other files may name these chunks already.
    const settled = await Promise.allSettled(owed);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
  send({ t: 'done', job: job.job, result });
}

/** Reads the whole file through the chunker, storing the chunks the repository lacks. */
async function cutAndStore(job: FileJob, fd: number, result: FileResult, owed: Promise<void>[]): Promise<void> {
  let start = 0, end = 0, position = 0, eof = false, reported = 0;
  // fd is closed by the caller.
  for (;;) {
    // Top up the buffer: the part of a chunk not cut yet moves to the front, file data follows.
    if (!eof && (start > 0 || end < buf.length)) {
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      while (!eof && end < buf.length) {
        const n = readAtSync(fd, buf, end, buf.length - end, position);
        position += n;
        end += n;
        if (n === 0 || end < buf.length) eof = true;
      }
      if (position - reported >= PROGRESS_EVERY) {
        send({ t: 'progress', job: job.job, bytes: position - reported });
        reported = position;
      }
    }
    if (start === end) break;
    // Cut every chunk that ends within the buffer, then ask about all of them at once.
    const chunks: { at: number; len: number; id: string }[] = [];
    while (start < end) {
      const len = chunker.cut(start, end - start, eof);
      if (len === 0) break; // the rest of the buffer holds no cut point: more data first
      chunks.push({ at: start, len, id: hashHex(buf.subarray(start, start + len)) });
      start += len;
    }
    if (chunks.length === 0) {
      // A full buffer without a cut point: the chunk is longer than the buffer (a maximal chunk
      // always fits once it has grown to MAX_SIZE).
      if (start === 0 && end === buf.length) buf = chunker.grow(Math.min(2 * buf.length, MAX_SIZE));
      continue;
    }
    const need = await claim(chunks.map((c) => c.id));
    for (const c of chunks) result.content.push(c.id);
    await sealChunks(chunks.filter((_, i) => need[i]), result, owed);
  }
  result.size = position;
  if (position > reported) send({ t: 'progress', job: job.job, bytes: position - reported });
}

/**
 * Opens a source file for reading without moving its access time where the system allows it
 * (Linux's O_NOATIME: the user owns the file or is root), as restic 0.14 does: otherwise the
 * read itself changes the atime recorded in the next backup's node (relatime updates it on the
 * first read after a change), and every directory holding a file read once counts as changed,
 * its tree written again. Not allowed for this file: opened plainly.
 */
const O_NOATIME: number = fs.constants.O_NOATIME ?? 0;
function openSource(p: string): number {
  if (O_NOATIME) {
    try {
      return fs.openSync(fsPath(p), fs.constants.O_RDONLY | O_NOATIME);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return fs.openSync(fsPath(p), 'r');
}

async function processJob(job: FileJob): Promise<void> {
  let fd: number;
  try {
    fd = openSource(job.path);
  } catch (err) {
    return fail(job, err);
  }
  // This function owns fd and closes it exactly once: a second close could hit a descriptor
  // that another thread has opened in the meantime.
  let closed = false;
  const close = () => {
    if (!closed) fs.closeSync(fd);
    closed = true;
  };
  try {
    if (job.size <= MIN_SIZE && startSmall(job, fd, close)) return;
    await processLarge(job, fd);
    close();
  } catch (err) {
    close();
    if (err instanceof RepositoryWriteError) return fatal(err);
    const code = (err as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) return fail(job, err);
    throw err;
  }
}

function fail(job: FileJob, err: unknown): void {
  const e = err as NodeJS.ErrnoException;
  send({ t: 'failed', job: job.job, code: e.code ?? 'EIO', message: e.message ?? String(err) });
}

function fatal(err: unknown): void {
  const e = err as Error & { code?: string };
  send({ t: 'fatal', code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

async function loop(): Promise<void> {
  for (;;) {
    const job = jobs.shift();
    if (!job) {
      if (flushRequested) {
        await Promise.all(pendingSmall);
        if (jobs.length) continue;
        flushRequested = false;
        try {
          finishPack('data');
          finishPack('tree');
        } catch (err) {
          fatal(asWriteError(err));
          continue;
        }
        send({ t: 'flushed', treeStoredBytes });
        treeStoredBytes = 0;
        continue;
      }
      askForWork();
      await new Promise<void>((resolve) => { wakeLoop = resolve; });
      continue;
    }
    working = true;
    await processJob(job);
    working = false;
    // Let claim answers in: without this, a full job queue never returns to the event loop.
    await yieldToEvents();
    while (pendingSmall.size >= MAX_PENDING_SMALL) await Promise.race(pendingSmall);
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.t) {
    case 'init':
      setUp(msg.init);
      loop().catch(fatal);
      return;
    case 'file':
      jobs.push(msg);
      break;
    case 'claims': {
      const waiter = claimWaiters.get(msg.claim);
      claimWaiters.delete(msg.claim);
      waiter?.(msg.need);
      return;
    }
    case 'trees':
      storeTrees(msg);
      return;
    case 'flush':
      flushRequested = true;
      break;
    case 'peer': {
      const peer: Peer = { port: msg.port, asked: false };
      peers.push(peer);
      msg.port.on('message', (m: PeerMessage) => onPeerMessage(peer, m));
      if (!working && jobs.length === 0) askForWork();
      return;
    }
  }
  const wake = wakeLoop;
  wakeLoop = null;
  wake?.();
});
