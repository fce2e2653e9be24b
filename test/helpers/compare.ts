// Compares two directory trees: same entries, types, permission bits, sizes, bytes, symlink
// targets, modification times (to the nanosecond, as restic restores them) and hard-link
// groups. Returns human-readable differences; an empty list means equal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Entry {
  type: string;
  mode: number;
  size: number;
  hash?: string;
  link?: string;
  mtimeNs: bigint;
  ino: bigint;
  nlink: number;
}

function scan(root: string, opts: { skip?: (rel: string) => boolean }): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = rel ? path.join(rel, name) : name;
      if (opts.skip?.(r)) continue;
      const st = fs.lstatSync(path.join(root, r), { bigint: true });
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : 'other';
      const e: Entry = { type, mode: Number(st.mode) & 0o7777, size: type === 'file' ? Number(st.size) : 0, mtimeNs: st.mtimeNs, ino: st.ino, nlink: Number(st.nlink) };
      if (type === 'file') e.hash = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, r))).digest('hex');
      if (type === 'symlink') e.link = fs.readlinkSync(path.join(root, r));
      out.set(r, e);
      if (type === 'dir') walk(r);
    }
  };
  walk('');
  return out;
}

export function compareTrees(expectedRoot: string, actualRoot: string, opts: { skip?: (rel: string) => boolean; checkTimes?: boolean; checkDirTimes?: boolean } = {}): string[] {
  const a = scan(expectedRoot, opts);
  const b = scan(actualRoot, opts);
  const diffs: string[] = [];
  for (const [rel, e] of a) {
    const g = b.get(rel);
    if (!g) { diffs.push(`missing: ${rel}`); continue; }
    if (g.type !== e.type) { diffs.push(`${rel}: type ${g.type}, expected ${e.type}`); continue; }
    if (e.type !== 'symlink' && g.mode !== e.mode) diffs.push(`${rel}: mode ${g.mode.toString(8)}, expected ${e.mode.toString(8)}`);
    if (g.size !== e.size) diffs.push(`${rel}: size ${g.size}, expected ${e.size}`);
    if (g.hash !== e.hash) diffs.push(`${rel}: content differs`);
    if (g.link !== e.link) diffs.push(`${rel}: symlink target ${g.link}, expected ${e.link}`);
    const checkTime = opts.checkTimes !== false && (e.type !== 'dir' || opts.checkDirTimes !== false) && e.type !== 'symlink';
    if (checkTime) {
      const d = g.mtimeNs > e.mtimeNs ? g.mtimeNs - e.mtimeNs : e.mtimeNs - g.mtimeNs;
      if (d !== 0n) diffs.push(`${rel}: mtime off by ${d} ns`);
    }
  }
  for (const rel of b.keys()) if (!a.has(rel)) diffs.push(`unexpected: ${rel}`);
  // Hard links: entries sharing an inode in the source must share one in the copy.
  const groups = (m: Map<string, Entry>) => {
    const byIno = new Map<bigint, string[]>();
    for (const [rel, e] of m) if (e.type === 'file' && e.nlink > 1) byIno.set(e.ino, [...(byIno.get(e.ino) ?? []), rel]);
    return [...byIno.values()].filter((g) => g.length > 1).map((g) => g.sort().join('|')).sort();
  };
  const ga = groups(a), gb = groups(b);
  if (JSON.stringify(ga) !== JSON.stringify(gb)) diffs.push(`hard-link groups differ: expected ${JSON.stringify(ga)}, got ${JSON.stringify(gb)}`);
  return diffs;
}
