// Sets a restored file's access and modification times to the nanosecond, as restic does. Node's
// utimes takes seconds as a double, which near today's dates can only say a time to ~240 ns. So on
// 64-bit Linux, macOS and FreeBSD this calls the C library's utimensat through koffi (prebuilt FFI
// binaries, an optional dependency); where koffi or the call is not there (Windows, other
// platforms), it falls back to Node's utimes and the nearest double.
import fs from 'node:fs';
import { loadLibc, systemError } from './libc.ts';

type Utimensat = (dirfd: number, path: Buffer, times: BigInt64Array, flags: number) => number;

interface Native {
  utimensat: Utimensat;
  errno: () => number;
  atFdCwd: number;
  noFollow: number;
}

/** The constants of each system whose utimensat this knows (64-bit only). */
const SYSTEMS: Record<string, { atFdCwd: number; noFollow: number } | undefined> = {
  linux: { atFdCwd: -100, noFollow: 0x100 },
  darwin: { atFdCwd: -2, noFollow: 0x20 },
  freebsd: { atFdCwd: -100, noFollow: 0x200 },
};

let native: Native | null | undefined;

function loadNative(): Native | null {
  const system = SYSTEMS[process.platform];
  // struct timespec is two 64-bit fields only where time_t and long are both 64 bits.
  if (!system || !['x64', 'arm64', 'riscv64', 'ppc64', 's390x', 'loong64'].includes(process.arch)) return null;
  const libc = loadLibc();
  if (!libc) return null; // Node's utimes below
  try {
    const call = libc.func('int utimensat(int dirfd, const uint8_t *path, const int64_t *times, int flags)');
    return { utimensat: call as Utimensat, errno: libc.errno, atFdCwd: system.atFdCwd, noFollow: system.noFollow };
  } catch {
    return null;
  }
}

/** True when times are set to the nanosecond here (for tests and the README's claim). */
export function setsExactTimes(): boolean {
  native ??= loadNative();
  return native !== null;
}

const BILLION = 1_000_000_000n;
const times = new BigInt64Array(4);

/**
 * Sets the times of `file` (its own, not a symlink's target, when `noFollow`). Throws an error
 * with the system's code (EPERM, ENOENT, ...) as fs.utimesSync does.
 */
export function setFileTimes(file: string | Buffer, atimeNs: bigint, mtimeNs: bigint, noFollow = false): void {
  native ??= loadNative();
  if (!native) {
    if (noFollow) fs.lutimesSync(file, nsToSeconds(atimeNs), nsToSeconds(mtimeNs));
    else fs.utimesSync(file, nsToSeconds(atimeNs), nsToSeconds(mtimeNs));
    return;
  }
  splitNs(atimeNs, 0);
  splitNs(mtimeNs, 2);
  // A relative path is taken from the working directory (AT_FDCWD), as Node's utimes takes it.
  const cPath = typeof file === 'string' ? Buffer.from(file + '\0') : Buffer.concat([file, Buffer.of(0)]);
  if (native.utimensat(native.atFdCwd, cPath, times, noFollow ? native.noFollow : 0) === 0) return;
  throw systemError(native.errno(), 'cannot set the times of', 'utimensat', typeof file === 'string' ? file : file.toString('latin1'));
}

function splitNs(ns: bigint, at: number): void {
  // Seconds and nanoseconds as struct timespec wants them: 0 <= tv_nsec < 1e9, also before 1970.
  let sec = ns / BILLION;
  let rest = ns - sec * BILLION;
  if (rest < 0n) { sec -= 1n; rest += BILLION; }
  times[at] = sec;
  times[at + 1] = rest;
}

/** The nearest double in seconds, for Node's utimes. */
function nsToSeconds(ns: bigint): number {
  const sec = ns / BILLION;
  return Number(sec) + Number(ns - sec * BILLION) / 1e9;
}
