// Pipelined SFTP downloads on one session. ssh2's read splits a large request into pieces of the
// server's packet size and sends each only after the previous one was answered, and its read
// stream asks for 64 KiB at a time, so a pack waited for its round trips through sshd one after
// another. Here a file is cut into CHUNK-sized requests and up to IN_FLIGHT of them are
// outstanding at once (as restic's SFTP client does); the SSH channel's window paces the bytes.
// Uploads stay with the library's put: pipelined writes were measured too and cost ~30% more CPU
// for no steady gain in time, and a backup's CPU is the scarce thing.
import type { SFTPWrapper } from 'ssh2';
import { mapLimit } from '../repository/concurrency.ts';
import { TransientError } from './retry.ts';

/**
 * One request: within OpenSSH's 256 KiB packet limit (ssh2 cuts it into ~32 KiB pieces for other
 * servers). Measured on loopback, 16 x 128 KiB and 8 x 240 KiB moved packs with ~30% less CPU
 * than 64 x 32 KiB (fewer requests to build and answer); 2 MiB in flight is ssh2's window.
 */
const CHUNK = 128 * 1024;
const IN_FLIGHT = 16;

function call<T = void>(fn: (cb: (err?: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

function chunks(length: number): number[] {
  return Array.from({ length: Math.ceil(length / CHUNK) }, (_, i) => i * CHUNK);
}

async function withHandle<T>(sftp: SFTPWrapper, file: string, use: (handle: Buffer) => Promise<T>): Promise<T> {
  const handle = await call<Buffer>((cb) => sftp.open(file, 'r', cb));
  let result: T;
  try {
    result = await use(handle);
  } catch (err) {
    await call((cb) => sftp.close(handle, cb)).catch(() => {});
    throw err;
  }
  await call((cb) => sftp.close(handle, cb)).catch(() => {}); // everything was read already
  return result;
}

/**
 * Reads `length` bytes at `offset` of `file` (the whole file without a range). A file shorter
 * than the range is an error naming `what`, as a truncated download would be.
 */
export function readFile(sftp: SFTPWrapper, file: string, what: string, range?: { offset: number; length: number }): Promise<Buffer> {
  return withHandle(sftp, file, async (handle) => {
    const offset = range?.offset ?? 0;
    const length = range?.length ?? (await call<{ size: number }>((cb) => sftp.fstat(handle, cb))).size;
    const out = Buffer.allocUnsafe(length);
    await mapLimit(chunks(length), IN_FLIGHT, async (at) => {
      const want = Math.min(CHUNK, length - at);
      // A server may answer with less than asked (its own packet limit): ask again for the rest.
      for (let got = 0; got < want;) {
        const n = await call<number>((cb) => sftp.read(handle, out, at + got, want - got, offset + at + got, cb));
        if (n === 0) throw new TransientError('BACKEND_ERROR', `${what}: got ${at + got} bytes of ${length}`);
        got += n;
      }
    });
    return out;
  });
}
