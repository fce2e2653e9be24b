// Lock files as other restic processes left them: the lock JSON every restic version since 0.1
// writes (time, exclusive, hostname, username, pid, uid, gid), with the time, host and pid a test
// chooses, so it can be fresh or old, held by a live or a dead process, here or on another host.
import type { Id } from '../../src-worker/format/id.ts';
import { formatTime } from '../../src-worker/format/time.ts';
import { openRepo, writeJson } from './rewrite-repo.ts';

export interface OldLock {
  ageMs: number;
  exclusive: boolean;
  hostname: string;
  pid: number;
  /** Leave out uid and gid (a lock written on a system without them). */
  noIds?: boolean;
  /** The time zone the writer lived in, minutes east of UTC (restic writes local time). */
  zoneMinutes?: number;
}

/** Writes the lock file; returns its id. */
export async function writeOldLock(repoDir: string, lock: OldLock): Promise<Id> {
  const repo = await openRepo(repoDir);
  const time = formatTime(BigInt(Date.now() - lock.ageMs) * 1_000_000n, () => lock.zoneMinutes ?? 0);
  const doc: Record<string, unknown> = { time, exclusive: lock.exclusive, hostname: lock.hostname, username: 'olduser', pid: lock.pid };
  if (!lock.noIds) Object.assign(doc, { uid: 1000, gid: 1000 });
  return writeJson(repo, 'locks', doc);
}
