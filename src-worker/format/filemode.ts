// Go's os.FileMode, which restic stores in tree nodes, and its mapping to and from POSIX st_mode.
// Go keeps the file type in the high bits (a directory carries bit 31) and the permission bits low.

export const GO_MODE = {
  dir: 1 << 31 >>> 0,
  append: 1 << 30,
  exclusive: 1 << 29,
  temporary: 1 << 28,
  symlink: 1 << 27,
  device: 1 << 26,
  namedPipe: 1 << 25,
  socket: 1 << 24,
  setuid: 1 << 23,
  setgid: 1 << 22,
  charDevice: 1 << 21,
  sticky: 1 << 20,
  irregular: 1 << 19,
  perm: 0o777,
} as const;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000, S_IFLNK = 0o120000, S_IFREG = 0o100000, S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000, S_IFCHR = 0o020000, S_IFBLK = 0o060000;

/** st_mode → Go FileMode masked as restic masks it (perm, type, setuid, setgid, sticky). */
export function goModeFromPosix(st: number): number {
  let mode = st & GO_MODE.perm;
  switch (st & S_IFMT) {
    case S_IFDIR: mode |= GO_MODE.dir; break;
    case S_IFLNK: mode |= GO_MODE.symlink; break;
    case S_IFIFO: mode |= GO_MODE.namedPipe; break;
    case S_IFSOCK: mode |= GO_MODE.socket; break;
    case S_IFCHR: mode |= GO_MODE.device | GO_MODE.charDevice; break;
    case S_IFBLK: mode |= GO_MODE.device; break;
    case S_IFREG: break;
    default: mode |= GO_MODE.irregular;
  }
  if (st & 0o4000) mode |= GO_MODE.setuid;
  if (st & 0o2000) mode |= GO_MODE.setgid;
  if (st & 0o1000) mode |= GO_MODE.sticky;
  return mode >>> 0;
}

/** Permission bits plus setuid/setgid/sticky for chmod, from a Go FileMode. */
export function posixPermFromGoMode(mode: number): number {
  let perm = mode & GO_MODE.perm;
  if (mode & GO_MODE.setuid) perm |= 0o4000;
  if (mode & GO_MODE.setgid) perm |= 0o2000;
  if (mode & GO_MODE.sticky) perm |= 0o1000;
  return perm;
}

const TYPE_BITS = 'dalTLDpSugct?';

/** Go's FileMode.String(), as restic prints modes (e.g. "drwxr-xr-x", "Lrwxrwxrwx"). */
export function goModeString(mode: number): string {
  let s = '';
  for (let i = 0; i < TYPE_BITS.length; i++) if ((mode >>> (31 - i)) & 1) s += TYPE_BITS[i];
  if (s === '') s = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += (mode >>> (8 - i)) & 1 ? rwx[i] : '-';
  return s;
}

/** The Go FileMode type bits restic adds to a node's mode when printing it. */
export function goTypeBits(type: string): number {
  switch (type) {
    case 'dir': return GO_MODE.dir;
    case 'symlink': return GO_MODE.symlink;
    case 'dev': return GO_MODE.device;
    case 'chardev': return GO_MODE.device | GO_MODE.charDevice;
    case 'fifo': return GO_MODE.namedPipe;
    case 'socket': return GO_MODE.socket;
    default: return 0;
  }
}
