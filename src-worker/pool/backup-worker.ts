// Worker thread of the backup pipeline: reads a file, cuts it into chunks (restic-compatible),
// hashes each chunk, asks the main thread which chunks the repository lacks, then compresses,
// encrypts and appends those to this worker's own pack file. File data never crosses threads;
// what goes back is ids, sizes, and finished packs (as files in the staging directory).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker, MAX_SIZE, MIN_SIZE } from '../chunker/chunker.ts';
import { sealBlob } from '../format/blob-codec.ts';
import type { MasterKey } from '../format/crypto.ts';
import { PackWriter, TARGET_PACK_SIZE } from '../repository/pack-writer.ts';
import { release } from '../format/release.ts';
import type { ClaimReply, FileJob, FileResult, FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { fsPath } from '../format/raw-names.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const key: MasterKey = { encrypt: init.key.encrypt, macK: init.key.macK, macR: init.key.macR };
const chunker = new Chunker(BigInt('0x' + init.polynomial), 2 * MAX_SIZE);
const buf = chunker.buffer;
/** Small files waiting for their claim answer; bounded so memory stays small. */
const MAX_PENDING_SMALL = 64;
const PROGRESS_EVERY = 8 * 1024 * 1024;

let pack: PackWriter | null = null;
let nextClaim = 1;
const claimWaiters = new Map<number, (need: Uint8Array) => void>();
const jobs: FileJob[] = [];
let wakeLoop: (() => void) | null = null;
let flushRequested = false;
const pendingSmall = new Set<Promise<void>>();

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

function store(id: string, plain: Uint8Array, result: FileResult): void {
  try {
    storeUnchecked(id, plain, result);
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code ? new RepositoryWriteError(err as NodeJS.ErrnoException) : err;
  }
}

function storeUnchecked(id: string, plain: Uint8Array, result: FileResult): void {
  const { sealed, uncompressedLength } = sealBlob(key, plain, init.compression);
  if (init.dryRun) {
    result.newBlobs++;
    result.newBytes += plain.length;
    result.storedBytes += sealed.length;
    release(sealed);
    return;
  }
  pack ??= new PackWriter(key, init.stagingDir, init.durablePacks);
  pack.add(id, 'data', sealed, uncompressedLength);
  result.newBlobs++;
  result.newBytes += plain.length;
  result.storedBytes += sealed.length;
  release(sealed); // after the last use: a released buffer reads as empty
  if (pack.size >= TARGET_PACK_SIZE) finishPack();
}

function finishPack(): void {
  if (!pack) return;
  const p = pack;
  pack = null;
  if (p.blobCount === 0) return p.abandon();
  send({ t: 'pack', pack: p.finish() });
}

const hashHex = (data: Uint8Array) => crypto.createHash('sha256').update(data).digest('hex');

function readAt(fd: number, into: Uint8Array, offset: number, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, into, offset + got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * A file that fits in one chunk: read, hash, ask, and move on without waiting for the answer,
 * so the round trip to the main thread overlaps with the next file's work.
 */
const smallScratch = Buffer.allocUnsafe(MIN_SIZE + 1);

function startSmall(job: FileJob, fd: number, close: () => void): boolean {
  const got = readAt(fd, smallScratch, 0, MIN_SIZE + 1, 0);
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
    send({ t: 'done', job: job.job, result });
  }).catch((err) => fatal(err)).finally(() => pendingSmall.delete(p));
  pendingSmall.add(p);
  return true;
}

async function processLarge(job: FileJob, fd: number): Promise<void> {
  const result: FileResult = { content: [], size: 0, newBlobs: 0, newBytes: 0, storedBytes: 0 };
  let start = 0, end = 0, position = 0, eof = false, reported = 0;
  // fd is closed by the caller.
  for (;;) {
    // Top up the buffer so a whole maximal chunk is available (or the file is exhausted).
    if (!eof && end - start < MAX_SIZE) {
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      while (!eof && end < buf.length) {
        const n = readAt(fd, buf, end, buf.length - end, position);
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
    // Cut every chunk that lies wholly in the buffer, then ask about all of them at once.
    const chunks: { at: number; len: number; id: string }[] = [];
    while (start < end) {
      if (!eof && end - start < MAX_SIZE) break;
      const len = chunker.cut(start, end - start, eof);
      if (len === 0) break;
      chunks.push({ at: start, len, id: hashHex(buf.subarray(start, start + len)) });
      start += len;
    }
    if (chunks.length === 0) continue;
    const need = await claim(chunks.map((c) => c.id));
    chunks.forEach((c, i) => {
      result.content.push(c.id);
      if (need[i]) store(c.id, buf.subarray(c.at, c.at + c.len), result);
    });
  }
  result.size = position;
  if (position > reported) send({ t: 'progress', job: job.job, bytes: position - reported });
  send({ t: 'done', job: job.job, result });
}

async function processJob(job: FileJob): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(job.path), 'r');
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
          finishPack();
        } catch (err) {
          fatal((err as NodeJS.ErrnoException).code ? new RepositoryWriteError(err as NodeJS.ErrnoException) : err);
          continue;
        }
        send({ t: 'flushed' });
        continue;
      }
      await new Promise<void>((resolve) => { wakeLoop = resolve; });
      continue;
    }
    await processJob(job);
    // Let claim answers in: without this, a full job queue never returns to the event loop.
    await yieldToEvents();
    while (pendingSmall.size >= MAX_PENDING_SMALL) await Promise.race(pendingSmall);
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.t) {
    case 'file':
      jobs.push(msg);
      break;
    case 'claims': {
      const waiter = claimWaiters.get(msg.claim);
      claimWaiters.delete(msg.claim);
      waiter?.(msg.need);
      return;
    }
    case 'flush':
      flushRequested = true;
      break;
  }
  const wake = wakeLoop;
  wakeLoop = null;
  wake?.();
});

loop().catch(fatal);
