// Worker thread of restore: decrypts, decompresses and verifies blobs from a pack range and writes
// them into the files being restored, at their offsets.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openBlob } from '../format/blob-codec.ts';
import type { MasterKey } from '../format/crypto.ts';
import type { RestoreFailure, RestoreTask, RestoreTaskResult, RestoreWorkerInit } from './restore-protocol.ts';

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
  const fd = fs.openSync(path, fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, offset + done);
  } finally {
    fs.closeSync(fd);
  }
}

/** Restores every blob it can; a damaged blob or a failed write is reported, and the rest goes on. */
function run(task: RestoreTask): RestoreTaskResult {
  const buf = Buffer.from(task.buffer);
  const failures: RestoreFailure[] = [];
  let bytes = 0;
  for (const item of task.items) {
    let plain: Buffer;
    try {
      plain = openBlob(key, buf.subarray(item.at, item.at + item.length), item.id, 'data', item.uncompressedLength, task.packId);
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
  }
  return { t: 'done', task: task.task, bytes, failures };
}

port.on('message', (task: RestoreTask) => port.postMessage(run(task)));
