// Listing a directory without losing names that are not valid UTF-8 (see format/raw-names.ts),
// and, on Linux, without moving its access time.
//
// Node's readdir opens the directory without O_NOATIME, so the first listing after a change (or
// after a day, with relatime) moves the directory's atime, which the next backup records: its
// node, and with it every tree up to the root, changes although nothing in it did. restic sets
// O_NOATIME on what it reads (where the user owns it or is root); here, on Linux, the directory
// is opened with it and listed with getdents64 through koffi (libc.ts).
// Elsewhere, or without koffi or the call, Node's readdir.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { decodeName, fsPath } from '../../format/raw-names.ts';
import { loadLibc, systemError } from '../libc.ts';

// Node reads such a name as U+FFFD; only then is the directory listed again as bytes (a name that
// really contains U+FFFD is valid UTF-8 and decodes to itself).
const LOSSY = '\uFFFD';

interface Getdents {
  list: (fd: number, into: Uint8Array, size: number) => number;
  errno: () => number;
}

let getdents: Getdents | null | undefined;

function loadGetdents(): Getdents | null {
  if (process.platform !== 'linux' || !fs.constants.O_NOATIME) return null;
  const libc = loadLibc();
  try {
    // glibc has the wrapper since 2.30; without it, Node's readdir.
    return libc && { list: libc.func('intptr_t getdents64(int fd, _Out_ uint8_t *dirp, size_t count)') as Getdents['list'], errno: libc.errno };
  } catch {
    return null;
  }
}

const listing = Buffer.allocUnsafe(64 * 1024);
const DIR_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_DIRECTORY ?? 0);

/** The names in `dir` from getdents64 on a descriptor opened with O_NOATIME where allowed. */
function listWithoutAtime(dir: string, native: Getdents): string[] {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(dir), DIR_FLAGS | fs.constants.O_NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    fd = fs.openSync(fsPath(dir), DIR_FLAGS); // not the owner: as readdir would
  }
  try {
    const names: string[] = [];
    for (;;) {
      const got = native.list(fd, listing, listing.length);
      if (got === 0) return names;
      if (got < 0) throw systemError(native.errno(), 'cannot list', 'getdents64', dir);
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then the name and a NUL.
      for (let at = 0; at < got; at += listing.readUInt16LE(at + 16)) {
        const start = at + 19;
        const end = listing.indexOf(0, start);
        const length = end - start;
        if (listing[start] === 0x2e && (length === 1 || (length === 2 && listing[start + 1] === 0x2e))) continue; // . and ..
        const name = listing.toString('utf8', start, end);
        names.push(name.includes(LOSSY) ? decodeName(listing.subarray(start, end)) : name);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function readDirNamesSync(dir: string): string[] {
  getdents ??= loadGetdents();
  if (getdents) return listWithoutAtime(dir, getdents);
  const names = fs.readdirSync(fsPath(dir));
  if (!names.some((n) => n.includes(LOSSY))) return names;
  return fs.readdirSync(fsPath(dir), { encoding: 'buffer' }).map(decodeName);
}

export async function readDirNames(dir: string): Promise<string[]> {
  getdents ??= loadGetdents();
  if (getdents) return listWithoutAtime(dir, getdents); // one system call or two: no thread-pool trip needed
  const names = await fsp.readdir(fsPath(dir));
  if (!names.some((n) => n.includes(LOSSY))) return names;
  return (await fsp.readdir(fsPath(dir), { encoding: 'buffer' })).map(decodeName);
}
