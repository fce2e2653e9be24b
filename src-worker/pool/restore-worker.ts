// Worker thread of restore: decrypts, decompresses and verifies blobs from a pack range and writes
// them into the files being restored, at their offsets.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { damagedBlob, finishBlob } from '../format/blob-codec.ts';
import { IV_SIZE, MAC_SIZE, openInPlace, workArea, type MasterKey } from '../format/crypto.ts';
import { release } from '../format/release.ts';
import type { BlobWrite, RestoreFailure, RestoreItem, RestoreTask, RestoreTaskResult, RestoreWorkerInit } from './restore-protocol.ts';
import { fsPath } from '../format/raw-names.ts';
import { readAtSync } from '../format/read-at.ts';

const init = workerData as RestoreWorkerInit;
const key: MasterKey = { encrypt: init.key.encrypt, macK: init.key.macK, macR: init.key.macR };
const port = parentPort!;
let zeros = Buffer.alloc(0);

function isAllZero(b: Buffer): boolean {
  if (zeros.length < b.length) zeros = Buffer.alloc(Math.max(b.length, 1 << 20));
  return b.equals(zeros.subarray(0, b.length));
}

/**
 * Writes `data` at `offset` of the temporary file, which is made here when it is not there yet
 * (under a random name, so there is never an older one to truncate) and given its full size, so
 * regions left unwritten (sparse) read as zeros. `data` null: only make the file.
 */
function writeAt(w: BlobWrite, data: Buffer | null): void {
  // O_NOFOLLOW: never through a planted symlink.
  const fd = fs.openSync(fsPath(w.path), fs.constants.O_WRONLY | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    if (fs.fstatSync(fd).size !== w.size) fs.ftruncateSync(fd, w.size);
    let done = 0;
    while (data && done < data.length) done += fs.writeSync(fd, data, done, data.length - done, w.offset + done);
  } finally {
    fs.closeSync(fd);
  }
}

// Each pack range is placed in the crypto kernel's work area, where the blobs are authenticated
// and decrypted in place: no buffer per blob until decompression, and the area's pages are
// reused for every range (a fresh buffer per range or blob costs more in page faults than the
// AES itself).

/**
 * Bytes read at once when the range is also hashed: each piece is hashed while it is still in the
 * core's cache. Hashing a whole 16 MiB pack after reading it ran at ~740 MiB/s on the bench
 * machine, at ~1.6 GiB/s in 1 MiB pieces (check --read-data hashes every pack).
 */
const HASHED_READ = 1 << 20;
/**
 * How much of a pack range is opened at once (more when one blob is larger), so the bytes are
 * still in the core's cache from being read or copied when their blobs are authenticated,
 * decrypted, decompressed and hashed; and the work area, which never shrinks, stays that small
 * (a whole 16 MiB pack took that much of each worker's).
 */
const WINDOW = 2 << 20;

/**
 * Reads the range into the work area; returns how many bytes there were (less for a truncated
 * pack). Never more than the file holds is allocated, whatever length a (damaged) index claims.
 */
function readRange(file: { path: string; offset: number; length: number }): { area: Buffer; got: number } {
  const fd = fs.openSync(fsPath(file.path), 'r');
  let got = 0;
  let area: Buffer;
  try {
    const want = Math.min(file.length, Math.max(0, fs.fstatSync(fd).size - file.offset));
    area = workArea(want);
    got = readAt(fd, area, 0, want, file.offset);
  } finally {
    fs.closeSync(fd);
  }
  return { area, got };
}

/** Reads `length` bytes at `position` into `into` at `at`, fewer only at the end of the file; with `hash`, hashes them. */
function readAt(fd: number, into: Buffer, at: number, length: number, position: number, hash?: crypto.Hash): number {
  return readAtSync(fd, into, at, length, position, hash && { max: HASHED_READ, onPiece: (bytes) => hash.update(bytes) });
}

function placeTransferred(buffer: ArrayBuffer): Buffer {
  const area = workArea(buffer.byteLength);
  area.set(new Uint8Array(buffer));
  release(new Uint8Array(buffer));
  return area;
}

/**
 * A range that arrived whole (from a remote backend): its blobs opened a window at a time, each
 * copied into the work area (and hashed, for check) just before. Copied whole, 8-16 MiB went
 * through the cache before the first blob was opened.
 */
function runTransferred(task: RestoreTask, buffer: ArrayBuffer): RestoreTaskResult {
  const src = Buffer.from(buffer);
  const failures: RestoreFailure[] = [];
  const hash = task.verifyPack ? crypto.createHash('sha256') : undefined;
  const items = task.items;
  let hashed = 0, bytes = 0, next = 0;
  while (next < items.length && items[next]!.at + items[next]!.length <= src.length) {
    const start = items[next]!.at;
    let end = start + items[next]!.length, last = next + 1;
    for (; last < items.length; last++) {
      const itemEnd = items[last]!.at + items[last]!.length;
      if (itemEnd > src.length || itemEnd - start > WINDOW) break;
      end = itemEnd;
    }
    const area = workArea(end - start);
    area.set(src.subarray(start, end));
    if (hash) hash.update(src.subarray(hashed, end));
    hashed = end;
    bytes += openItems(task, area, start, items.slice(next, last), src.length, failures);
    next = last;
  }
  // What is left lies past the end (in order, so all of it): openItems names each.
  if (next < items.length) bytes += openItems(task, workArea(0), 0, items.slice(next), src.length, failures);
  let sha256: string | undefined;
  let tail: ArrayBuffer | undefined;
  if (hash) {
    sha256 = hash.update(src.subarray(hashed)).digest('hex');
    tail = copyTail(src);
  }
  release(src);
  return { t: 'done', task: task.task, bytes, failures, sha256, tail };
}

/**
 * Opens the items, which lie in `area` from pack offset `base` on, and writes each where it goes.
 * `available`: where the pack's bytes end (a blob past it is lost; the blobs before are still read).
 * Returns the bytes written.
 */
function openItems(task: RestoreTask, area: Buffer, base: number, items: readonly RestoreItem[], available: number, failures: RestoreFailure[]): number {
  let bytes = 0;
  const present = (item: RestoreItem) => item.at + item.length <= available;
  const authentic = openInPlace(key, area, items.map((item) => (present(item) ? { at: item.at - base, length: item.length } : { at: 0, length: 0 })));
  items.forEach((item, i) => {
    const type = item.type ?? 'data';
    let plain: Buffer;
    try {
      if (!present(item)) {
        throw Object.assign(new Error(`pack ${task.packId.slice(0, 8)} is shorter than the index says: ${type} blob ${item.id.slice(0, 8)} lies past its end`), { code: 'CORRUPT_PACK' });
      }
      if (!authentic[i]) throw damagedBlob(type, item.id, task.packId);
      // The decrypted body, still in the work area; finishBlob hands back a buffer of its own
      // when it decompresses.
      const at = item.at - base;
      plain = finishBlob(area.subarray(at + IV_SIZE, at + item.length - MAC_SIZE), item.id, type, item.uncompressedLength, task.packId, { ownsInput: false, releasedAfterUse: true });
    } catch (err) {
      const e = err as Error & { code?: string };
      failures.push({ code: e.code ?? 'CORRUPT_PACK', message: e.message, blob: item.id });
      return;
    }
    const skip = task.sparse && isAllZero(plain);
    for (const w of item.writes) {
      try {
        writeAt(w, skip ? null : plain);
        bytes += plain.length;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        failures.push({ code: e.code ?? 'EIO', message: e.message, path: w.path });
      }
    }
    if (plain.buffer !== area.buffer) release(plain);
  });
  return bytes;
}

function cannotRead(task: RestoreTask, err: unknown): RestoreTaskResult {
  const e = err as NodeJS.ErrnoException;
  const failures = task.items.map((item) => ({ code: e.code ?? 'EIO', message: `pack ${task.packId.slice(0, 8)} cannot be read: ${e.message}`, blob: item.id }));
  return { t: 'done', task: task.task, bytes: 0, failures };
}

/** Restores every blob it can; a damaged blob or a failed write is reported, and the rest goes on. */
function run(task: RestoreTask): RestoreTaskResult {
  if (task.verifyPack && task.file && task.file.offset === 0 && inOrder(task.items)) return verifyLocalPack(task, task.file);
  if (task.buffer && inOrder(task.items)) return runTransferred(task, task.buffer);
  const failures: RestoreFailure[] = [];
  let buf: Buffer;
  /** Bytes of the range that exist: a blob past them is lost, the blobs before are still read. */
  let got: number;
  try {
    if (task.file) ({ area: buf, got } = readRange(task.file));
    else got = (buf = placeTransferred(task.buffer!)).length;
  } catch (err) {
    return cannotRead(task, err);
  }
  let sha256: string | undefined;
  let tail: ArrayBuffer | undefined;
  if (task.verifyPack) {
    sha256 = crypto.hash('sha256', buf.subarray(0, got), 'hex');
    tail = copyTail(buf.subarray(0, got));
  }
  const bytes = openItems(task, buf, 0, task.items, got, failures);
  return { t: 'done', task: task.task, bytes, failures, sha256, tail };
}

/** Whether the items follow each other in the pack without overlapping (as in every valid pack). */
function inOrder(items: readonly RestoreItem[]): boolean {
  let end = 0;
  for (const item of items) {
    if (item.at < end || item.length < 0) return false;
    end = item.at + item.length;
  }
  return true;
}

/**
 * check --read-data of a whole local pack, read front to back once: hashed as it comes in, its
 * blobs opened a window at a time (WINDOW), its header read again at the end. Blobs the
 * index lists out of order or overlapping take run()'s whole-pack path instead.
 */
function verifyLocalPack(task: RestoreTask, file: { path: string; length: number }): RestoreTaskResult {
  const failures: RestoreFailure[] = [];
  const hash = crypto.createHash('sha256');
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file.path), 'r');
  } catch (err) {
    return cannotRead(task, err);
  }
  try {
    const size = Math.min(file.length, fs.fstatSync(fd).size);
    const present = task.items.filter((item) => item.at + item.length <= size);
    const largest = present.reduce((m, item) => Math.max(m, item.length), 0);
    let area = workArea(Math.min(size, Math.max(WINDOW, largest)));
    /** The pack offset of area[0], and where the bytes read so far end. */
    let base = 0, end = 0;
    let bytes = 0;
    let next = 0;
    while (next < task.items.length) {
      const first = task.items[next]!;
      if (first.at + first.length > size) break; // this and the rest lie past the end
      // Drop what lies before this blob (read and hashed already), then read on to fill the area.
      if (first.at + first.length > base + area.length) {
        const keep = Math.max(first.at, base);
        area.copyWithin(0, Math.min(keep, end) - base, end - base);
        base = keep;
        // A gap the index leaves between blobs: read and hash it, keep none of it.
        while (end < base) end += readAt(fd, area, 0, Math.min(area.length, base - end), end, hash) || fail(file.path);
      }
      end += readAt(fd, area, end - base, Math.min(base + area.length, size) - end, end, hash);
      let last = next;
      while (last < task.items.length && task.items[last]!.at + task.items[last]!.length <= end) last++;
      if (last === next) break; // the file ended early (it shrank while read): the rest is past its end
      bytes += openItems(task, area, base, task.items.slice(next, last), size, failures);
      next = last;
      area = workArea(area.length); // openItems may have grown the memory (a view is detached then)
    }
    // What is left lies past the bytes there are (in order, so all of it): openItems names each.
    if (next < task.items.length) bytes += openItems(task, workArea(0), 0, task.items.slice(next), end, failures);
    // The rest (the header): hashed, then read again from its start, as copyTail would cut it.
    while (end < size) {
      const n = readAt(fd, area, 0, Math.min(area.length, size - end), end, hash);
      if (n === 0) break;
      end += n;
    }
    const tail = readTail(fd, end);
    return { t: 'done', task: task.task, bytes, failures, sha256: hash.digest('hex'), tail };
  } catch (err) {
    return cannotRead(task, err);
  } finally {
    fs.closeSync(fd);
  }
}

function fail(path: string): never {
  throw Object.assign(new Error(`${path} ended while it was being read`), { code: 'EIO' });
}

/** copyTail for a pack of `size` bytes read from `fd`. */
function readTail(fd: number, size: number): ArrayBuffer {
  const last = Buffer.alloc(4);
  const headerLength = size >= 4 && fs.readSync(fd, last, 0, 4, size - 4) === 4 ? last.readUInt32LE(0) : 0;
  const start = headerLength + 4 <= size ? size - 4 - headerLength : 0;
  const out = Buffer.alloc(size - start);
  const got = readAt(fd, out, 0, out.length, start);
  return out.buffer.slice(out.byteOffset, out.byteOffset + got);
}

/**
 * A pack's header with its 4-byte length, copied out of the (reused) read buffer; the whole pack
 * when the length field is damaged, so the main thread reports exactly what parsing it says.
 */
function copyTail(pack: Buffer): ArrayBuffer {
  const headerLength = pack.length >= 4 ? pack.readUInt32LE(pack.length - 4) : 0;
  const start = headerLength + 4 <= pack.length ? pack.length - 4 - headerLength : 0;
  const out = new Uint8Array(pack.length - start);
  out.set(pack.subarray(start));
  return out.buffer;
}

port.on('message', (task: RestoreTask) => port.postMessage(run(task)));
