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
 * Reads the range into the work area; returns how many bytes there were (less for a truncated
 * pack). Never more than the file holds is allocated, whatever length a (damaged) index claims.
 * With `hash`, every byte read is also fed to it, in order.
 */
function readRange(file: { path: string; offset: number; length: number }, hash?: crypto.Hash): { area: Buffer; got: number } {
  const fd = fs.openSync(fsPath(file.path), 'r');
  let got = 0;
  let area: Buffer;
  try {
    const want = Math.min(file.length, Math.max(0, fs.fstatSync(fd).size - file.offset));
    area = workArea(want);
    while (got < want) {
      const n = fs.readSync(fd, area, got, hash ? Math.min(HASHED_READ, want - got) : want - got, file.offset + got);
      if (n === 0) break;
      hash?.update(area.subarray(got, got + n));
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { area, got };
}

function placeTransferred(buffer: ArrayBuffer): Buffer {
  const area = workArea(buffer.byteLength);
  area.set(new Uint8Array(buffer));
  release(new Uint8Array(buffer));
  return area;
}

/** Restores every blob it can; a damaged blob or a failed write is reported, and the rest goes on. */
function run(task: RestoreTask): RestoreTaskResult {
  const failures: RestoreFailure[] = [];
  let buf: Buffer;
  /** Bytes of the range that exist: a blob past them is lost, the blobs before are still read. */
  let got: number;
  const packHash = task.verifyPack && task.file ? crypto.createHash('sha256') : undefined;
  try {
    if (task.file) ({ area: buf, got } = readRange(task.file, packHash));
    else got = (buf = placeTransferred(task.buffer!)).length;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    for (const item of task.items) failures.push({ code: e.code ?? 'EIO', message: `pack ${task.packId.slice(0, 8)} cannot be read: ${e.message}`, blob: item.id });
    return { t: 'done', task: task.task, bytes: 0, failures };
  }
  let bytes = 0;
  let sha256: string | undefined;
  let tail: ArrayBuffer | undefined;
  if (task.verifyPack) {
    sha256 = packHash ? packHash.digest('hex') : crypto.hash('sha256', buf.subarray(0, got), 'hex');
    tail = copyTail(buf.subarray(0, got));
  }
  const present = (item: RestoreItem) => item.at + item.length <= got;
  const authentic = openInPlace(key, buf, task.items.map((item) => (present(item) ? { at: item.at, length: item.length } : { at: 0, length: 0 })));
  task.items.forEach((item, i) => {
    const type = item.type ?? 'data';
    let plain: Buffer;
    try {
      if (!present(item)) {
        throw Object.assign(new Error(`pack ${task.packId.slice(0, 8)} is shorter than the index says: ${type} blob ${item.id.slice(0, 8)} lies past its end`), { code: 'CORRUPT_PACK' });
      }
      if (!authentic[i]) throw damagedBlob(type, item.id, task.packId);
      // The decrypted body, still in the work area; finishBlob hands back a buffer of its own
      // when it decompresses.
      plain = finishBlob(buf.subarray(item.at + IV_SIZE, item.at + item.length - MAC_SIZE), item.id, type, item.uncompressedLength, task.packId, { ownsInput: false, releasedAfterUse: true });
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
    if (plain.buffer !== buf.buffer) release(plain);
  });
  return { t: 'done', task: task.task, bytes, failures, sha256, tail };
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
