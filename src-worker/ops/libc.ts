// The C library through koffi (prebuilt FFI binaries, an optional dependency), for the few calls
// Node does not offer: utimensat to the nanosecond (file-times.ts) and getdents64 on a directory
// opened with O_NOATIME (backup/dir-names.ts). Each caller falls back to Node where this is null.
import { createRequire } from 'node:module';
import os from 'node:os';

export interface Libc {
  /** Binds a function by its C signature (koffi's syntax); throws when the library lacks it. */
  func(signature: string): (...args: unknown[]) => number;
  /** errno after the last call. */
  errno(): number;
}

/** Where each system's C library is found (the first that loads is used). */
const LIBRARIES: Record<string, string[] | undefined> = {
  linux: ['libc.so.6', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1', 'libc.so'],
  darwin: ['libSystem.B.dylib'],
  freebsd: ['libc.so.7'],
};

let libc: Libc | null | undefined;

/** The C library of this system, or null (unknown system, or no koffi binary for it). */
export function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as {
      load(name: string): { func(signature: string): (...args: unknown[]) => number };
      errno(): number;
    };
    for (const name of LIBRARIES[process.platform] ?? []) {
      let lib;
      try { lib = koffi.load(name); } catch { continue; }
      libc = { func: (signature) => lib.func(signature), errno: () => koffi.errno() };
      break;
    }
  } catch {
    // No koffi binary for this platform.
  }
  return libc;
}

/** An error shaped as Node's fs errors are (code, errno, syscall, path) for a failed C call. */
export function systemError(errno: number, what: string, syscall: string, path: string): Error {
  const code = Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
  return Object.assign(new Error(`${code}: ${what} '${path}'`), { code, errno: -errno, syscall, path });
}
