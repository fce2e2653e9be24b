// `mkdir -p` without Node's recursive mode, for folders whose path the user gives (a repository
// to create, a restore target). Node's recursive mkdir never returns where a parent exists but
// refuses new entries with ENOENT, as /proc does (Node 24: mkdir('/proc/x', { recursive: true })
// spins at full CPU: ENOENT for /proc/x, EEXIST for /proc, and again). Here each missing folder is
// made once, from the top down, and the first refusal is the error (ENOENT where the parent is
// there: a CairnError saying so; any other: as the system gave it, for the caller to word).
import fs from 'node:fs/promises';
import path from 'node:path';
import { CairnError } from '../errors.ts';

export async function makeDirs(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ;) {
    try {
      if ((await fs.stat(p)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: p });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.push(p);
    const parent = path.dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d, { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Made meanwhile by someone else: fine if it is a folder (the next mkdir tells otherwise).
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') throw new CairnError('PERMISSION_DENIED', `cannot create folder ${d}: ${path.dirname(d)} takes no new folders (choose a place on a normal file system)`, { cause: err });
      throw err;
    }
  }
}
