// Repository locks, compatible with restic's: lock files under locks/, shared for backup and
// check, exclusive for prune and forget. A lock is refreshed (rewritten) every 5 minutes while held;
// one older than 30 minutes, or held by a dead process on this host, is stale and is ignored.
import { CairnError, isCairnError } from '../errors.ts';
import type { Id } from '../format/id.ts';
import { decodeLock, encodeLock, type Lock } from '../format/lock.ts';
import { formatTime, nowNs, parseTime } from '../format/time.ts';
import { currentUser, type Repository } from './repository.ts';

export const STALE_AFTER_MS = 30 * 60 * 1000;
const REFRESH_EVERY_MS = 5 * 60 * 1000;
const WAIT_BEFORE_RECHECK_MS = 200;

export interface LockInfo {
  id: Id;
  lock: Lock;
}

export interface LockContext {
  now?: () => number;
  hostname?: string;
  isProcessAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isStale(lock: Lock, ctx: LockContext = {}): boolean {
  const now = ctx.now?.() ?? Date.now();
  let time: number;
  try {
    time = Number(parseTime(lock.time) / 1_000_000n);
  } catch {
    return true;
  }
  if (now - time > STALE_AFTER_MS) return true;
  const host = ctx.hostname ?? currentUser().hostname;
  if (lock.hostname !== host) return false;
  return !(ctx.isProcessAlive ?? processAlive)(lock.pid);
}

export function describeLock(info: LockInfo, now = Date.now()): string {
  const l = info.lock;
  let age = '';
  try {
    const ms = now - Number(parseTime(l.time) / 1_000_000n);
    age = ms < 60_000 ? `${Math.round(ms / 1000)}s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)}m` : `${(ms / 3_600_000).toFixed(1)}h`;
  } catch { age = 'unknown time'; }
  return `${l.exclusive ? 'an exclusive' : 'a shared'} lock ${info.id.slice(0, 8)} held by ${l.username || '?'}@${l.hostname || '?'} (pid ${l.pid}), created ${age} ago`;
}

export async function listLocks(repo: Repository, onError?: (id: Id, err: unknown) => void): Promise<LockInfo[]> {
  const out: LockInfo[] = [];
  for await (const f of repo.backend.list('locks')) {
    try {
      out.push({ id: f.name, lock: decodeLock(await repo.loadUnpacked('locks', f.name), f.name) });
    } catch (err) {
      // A lock removed while we read it is gone, not broken.
      if (isCairnError(err, 'NOT_FOUND')) continue;
      onError?.(f.name, err);
    }
  }
  return out;
}

export class RepositoryLock {
  private readonly repo: Repository;
  readonly exclusive: boolean;
  private lockId: Id | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(repo: Repository, exclusive: boolean) {
    this.repo = repo;
    this.exclusive = exclusive;
  }

  /** Takes a lock, or throws REPO_LOCKED naming the lock that is in the way. */
  static async acquire(repo: Repository, exclusive: boolean, ctx: LockContext = {}): Promise<RepositoryLock> {
    const { lock, confirmed } = await RepositoryLock.begin(repo, exclusive, ctx);
    await confirmed;
    return lock;
  }

  /**
   * Takes a lock in two steps, as restic does: no lock in the way, our lock file written (this
   * promise), then after restic's 200 ms wait a second look for a racing lock (`confirmed`, which
   * rejects with REPO_LOCKED after removing our file). From the first step on, nothing another
   * program starts can change the repository before `confirmed` settles, so an operation that
   * only reads may start then and needs to stop only if `confirmed` fails. release() works at any
   * point.
   */
  static async begin(repo: Repository, exclusive: boolean, ctx: LockContext = {}): Promise<{ lock: RepositoryLock; confirmed: Promise<void> }> {
    const lock = new RepositoryLock(repo, exclusive);
    await lock.checkOthers(ctx);
    lock.lockId = await lock.write();
    const confirmed = (async () => {
      await new Promise((r) => setTimeout(r, WAIT_BEFORE_RECHECK_MS));
      try {
        await lock.checkOthers(ctx);
      } catch (err) {
        await lock.release();
        throw err;
      }
      if (lock.lockId === null) return; // released during the wait
      lock.timer = setInterval(() => { lock.refreshing = lock.refresh().catch(() => {}); }, REFRESH_EVERY_MS);
      lock.timer.unref();
    })();
    confirmed.catch(() => {}); // the caller sees the failure through its own await
    return { lock, confirmed };
  }

  get id(): Id | null {
    return this.lockId;
  }

  private async write(): Promise<Id> {
    const me = currentUser();
    return this.repo.saveUnpacked('locks', encodeLock({
      time: formatTime(nowNs()), exclusive: this.exclusive, hostname: me.hostname, username: me.username,
      pid: process.pid, uid: me.uid, gid: me.gid,
    }));
  }

  private async checkOthers(ctx: LockContext): Promise<void> {
    for (const info of await listLocks(this.repo)) {
      if (info.id === this.lockId) continue;
      if (!this.exclusive && !info.lock.exclusive) continue;
      if (isStale(info.lock, ctx)) continue;
      const what = this.exclusive ? 'an exclusive lock' : 'a lock';
      throw new CairnError('REPO_LOCKED',
        `cannot take ${what} on ${this.repo.backend.location}: it is locked by ${describeLock(info)}; ` +
        `wait for that operation to finish, or if it is no longer running, run "cairn unlock"`);
    }
  }

  /** Replaces the lock file with a fresh one, so others do not take it for stale. */
  private async refresh(): Promise<void> {
    if (!this.lockId) return;
    const old = this.lockId;
    this.lockId = await this.write();
    await this.repo.backend.remove('locks', old);
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
    const id = this.lockId;
    this.lockId = null;
    if (id) await this.repo.backend.remove('locks', id);
  }
}

/** Removes stale locks (or all with `all`), as `restic unlock [--remove-all]`. Returns the removed ids. */
export async function removeLocks(repo: Repository, all: boolean, ctx: LockContext = {}): Promise<Id[]> {
  const removed: Id[] = [];
  const broken: Id[] = [];
  const infos = await listLocks(repo, (id) => broken.push(id));
  for (const info of infos) {
    if (all || isStale(info.lock, ctx)) {
      await repo.backend.remove('locks', info.id);
      removed.push(info.id);
    }
  }
  // Unreadable lock files block nobody in Cairn, but clear them on --remove-all.
  if (all) for (const id of broken) { await repo.backend.remove('locks', id); removed.push(id); }
  return removed;
}

/**
 * Runs `read`, which only reads the repository, while a lock from RepositoryLock.begin waits out
 * its re-check: reading starts 200 ms sooner than after acquire(). When the re-check finds a racing
 * lock, `read` is stopped through its signal and the lock's error is thrown instead of its result.
 */
export async function readWhileConfirming<T>(confirmed: Promise<void>, signal: AbortSignal | undefined, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  confirmed.catch((err: unknown) => lost.abort(err));
  let value: T;
  try {
    value = await read(signal ? AbortSignal.any([signal, lost.signal]) : lost.signal);
  } catch (err) {
    await confirmed.catch(() => {});
    throw lost.signal.aborted ? lost.signal.reason : err;
  }
  await confirmed;
  return value;
}
