// Builds restic tree nodes from what lstat says about a path, the way restic fills them on Unix.
import fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { goModeFromPosix } from '../../format/filemode.ts';
import { formatTime } from '../../format/time.ts';
import type { NodeType, TreeNode } from '../../format/tree.ts';

export function nodeTypeOf(st: BigIntStats): NodeType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'dev';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'irregular';
}

/** uid/gid → name, read once from the system's account databases (Node has no getpwuid). */
export class AccountNames {
  private users: Map<number, string> | null = null;
  private groups: Map<number, string> | null = null;

  private static load(file: string): Map<number, string> {
    const map = new Map<number, string>();
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length >= 3 && /^\d+$/.test(f[2]) && !map.has(Number(f[2]))) map.set(Number(f[2]), f[0]);
      }
    } catch { /* no such database on this system (Windows, or a minimal container) */ }
    return map;
  }

  user(uid: number): string {
    this.users ??= AccountNames.load('/etc/passwd');
    return this.users.get(uid) ?? '';
  }

  group(gid: number): string {
    this.groups ??= AccountNames.load('/etc/group');
    return this.groups.get(gid) ?? '';
  }
}

const toNumber = (v: bigint) => Number(v);

/**
 * A node with everything but content/subtree/linktarget, which the caller fills in. Like restic,
 * the access time recorded is the modification time unless `withAtime`: otherwise any program
 * that reads a file would make the next backup write its folder's tree (and every one above it)
 * again, and the trees of both tools would differ for the same files.
 */
export function nodeFromStat(name: string, st: BigIntStats, names: AccountNames, withAtime = false): TreeNode {
  const type = nodeTypeOf(st);
  const uid = toNumber(st.uid), gid = toNumber(st.gid);
  const node: TreeNode = {
    name,
    type,
    mode: goModeFromPosix(toNumber(st.mode)),
    mtime: formatTime(st.mtimeNs),
    atime: formatTime(withAtime ? st.atimeNs : st.mtimeNs),
    ctime: formatTime(st.ctimeNs),
    uid,
    gid,
    content: null,
  };
  const user = names.user(uid);
  if (user) node.user = user;
  const group = names.group(gid);
  if (group) node.group = group;
  if (st.ino) node.inode = toNumber(st.ino);
  if (st.dev) node.device_id = toNumber(st.dev);
  switch (type) {
    case 'file':
      if (st.size) node.size = toNumber(st.size);
      node.links = toNumber(st.nlink);
      node.content = [];
      break;
    case 'symlink':
      node.links = toNumber(st.nlink);
      break;
    case 'dev':
    case 'chardev':
      node.device = toNumber(st.rdev);
      node.links = toNumber(st.nlink);
      break;
    default:
      break;
  }
  return node;
}
