// Counts the folders a watch would need (one inotify watch each on Linux), stopping as soon as
// there are more than `limit`: a home folder with a million folders must be refused quickly,
// not walked to the end.
import fs from 'node:fs/promises';
import path from 'node:path';

export async function countDirectories(roots: string[], limit: number, skip: (dir: string) => boolean): Promise<number> {
  let count = 0;
  const stack = [...roots];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (skip(dir)) continue;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or gone: nothing to watch there
    }
    if (++count > limit) return count;
    for (const e of entries) if (e.isDirectory()) stack.push(path.join(dir, e.name));
  }
  return count;
}

/** Half the system's inotify budget (other apps need watches too), when Linux tells us. */
export async function systemWatchLimit(): Promise<number | null> {
  try {
    const n = Number((await fs.readFile('/proc/sys/fs/inotify/max_user_watches', 'utf8')).trim());
    return Number.isFinite(n) && n > 0 ? Math.floor(n / 2) : null;
  } catch {
    return null;
  }
}
