// Worker thread of restore: decrypts, decompresses and verifies blobs from a pack range and writes
// them into the files being restored, at their offsets.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openBlob } from '../format/blob-codec.ts';
import type { MasterKey } from '../format/crypto.ts';
import { release } from '../format/release.ts';
import type { RestoreFailure, RestoreTask, RestoreTaskResult, RestoreWorkerInit } from './restore-protocol.ts';
import { fsPath } from '../format/raw-names.ts';

const init = workerData as RestoreWorkerInit;
const key: MasterKey = { encrypt: init.key.encrypt, macK: init.key.macK, macR: init.key.macR };
const port = parentPort!;
let zeros = Buffer.alloc(0);

function isAllZero(b: Buffer): boolean {
  if (zeros.length < b.length) zeros = Buffer.alloc(Math.max(b.length, 1 << 20));
  return b.equals(zeros.subarray(0, b.length));
}

function writeAt(path: string, data: Buffer, offset: number): void {
  // O_NOFOLLOW: the temporary file must be the one restore created, never a planted symlink.
  const fd = fs.openSync(fsPath(path), fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, offset + done);
  } finally {
    fs.closeSync(fd);
  }
}

/** Restores every blob it can; a damaged blob or a failed write is reported, and the rest goes on. */
// Local packs are read into one buffer that is reused for every range: no fresh pages to fault
// in, nothing for the collector.
let readBuffer = Buffer.alloc(0);

function readRange(file: { path: string; offset: number; length: number }): Buffer {
  if (readBuffer.length < file.length) {
    release(readBuffer);
    // A quarter more than asked: packs differ a little in size, and growing by a few KiB at a
    // time would fault in a whole fresh buffer for almost every pack (check --read-data reads
    // whole packs of ~16-17 MiB).
    readBuffer = Buffer.allocUnsafe(Math.max(Math.ceil(file.length * 1.25), 8 << 20) + 65536);
  }
  const fd = fs.openSync(fsPath(file.path), 'r');
  try {
    let got = 0;
    while (got < file.length) {
      const n = fs.readSync(fd, readBuffer, got, file.length - got, file.offset + got);
      if (n === 0) throw Object.assign(new Error(`pack file ${file.path} is shorter than the index says`), { code: 'CORRUPT_PACK' });
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return readBuffer.subarray(0, file.length);
}

function run(task: RestoreTask): RestoreTaskResult {
  const failures: RestoreFailure[] = [];
  let buf: Buffer;
  try {
    buf = task.file ? readRange(task.file) : Buffer.from(task.buffer!);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    for (const item of task.items) failures.push({ code: e.code ?? 'EIO', message: `pack ${task.packId.slice(0, 8)} cannot be read: ${e.message}`, blob: item.id });
    return { t: 'done', task: task.task, bytes: 0, failures };
  }
  let bytes = 0;
  let sha256: string | undefined;
  let tail: ArrayBuffer | undefined;
  if (task.verifyPack) {
    sha256 = crypto.createHash('sha256').update(buf).digest('hex');
    tail = copyTail(buf);
  }
  for (const item of task.items) {
    let plain: Buffer;
    try {
      plain = openBlob(key, buf.subarray(item.at, item.at + item.length), item.id, item.type ?? 'data', item.uncompressedLength, task.packId);
    } catch (err) {
      const e = err as Error & { code?: string };
      failures.push({ code: e.code ?? 'CORRUPT_PACK', message: e.message, blob: item.id });
      continue;
    }
    const skip = task.sparse && isAllZero(plain);
    for (const w of item.writes) {
      try {
        if (!skip) writeAt(w.path, plain, w.offset);
        bytes += plain.length;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        failures.push({ code: e.code ?? 'EIO', message: e.message, path: w.path });
      }
    }
    release(plain);
  }
  if (!task.file) release(buf); // a transferred range; the local read buffer is kept for reuse
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
