// Which events become notifications, worded once, and how often. Pure: the caller passes the time
// in and gets notifications out; nothing here reads a clock, arms a timer or shows anything.
//
// Rules, and why:
// - Quiet when things work: a scheduled backup that succeeds says nothing. Said are the first
//   backup of a plan (the user wants to know protection started), a plan working again after a
//   failure, a backup the user started by hand, and a finished restore (the user is waiting).
// - A cancelled job says nothing: the user cancelled it.
// - Failures are held for `coalesceMs` and shown as one notification: when a disk is unplugged,
//   every plan on it fails within seconds, and one "3 backups failed" beats three pop-ups.
// - At most one notification per plan per kind within `windowMs`; a failure repeated inside the
//   window is counted and the next one shown says how many there were.
import type { JobInfo } from '../jobs/types.ts';
import type { CairnNotification, NotificationKind } from './types.ts';

export type NotifyInput =
  | {
      type: 'job-finished';
      job: JobInfo;
      /** The plan's name, for plan jobs. */
      planName?: string;
      /** The plan had no successful backup before this one. */
      firstSuccess: boolean;
      /** The plan's previous backup had failed. */
      recovered: boolean;
    }
  | { type: 'plan-overdue'; planId: string; planName: string; lastSuccess?: number };

export interface NotificationPolicyOptions {
  windowMs?: number;
  coalesceMs?: number;
  /** "3 hours ago" for overdue plans; injected so wording stays with the tray's formatter. */
  relativeTime: (then: number, now: number) => string;
}

interface HeldFailure {
  key: string;
  planId?: string;
  /** "Documents" for a plan's backup, "Restore", "Check of NAS" … */
  subject: string;
  kind: 'backup-failed' | 'job-failed';
  error: string;
  /** Failures of the same key swallowed by the rate limit before this one. */
  repeats: number;
}

const MINUTE = 60_000;

function jobSubject(job: JobInfo, planName: string | undefined): string {
  const r = job.request;
  switch (r.kind) {
    case 'backup': return `Backup of ${planName ?? r.planId}`;
    case 'forget-prune': return `Clean-up of ${planName ?? r.planId}`;
    case 'check': return 'Repository check';
    case 'copy': return 'Copy to the second repository';
    case 'restore': return 'Restore';
  }
}

function planOf(job: JobInfo): string | undefined {
  const r = job.request;
  return r.kind === 'backup' || r.kind === 'forget-prune' ? r.planId : undefined;
}

export class NotificationPolicy {
  private readonly windowMs: number;
  private readonly coalesceMs: number;
  private readonly relativeTime: (then: number, now: number) => string;
  private readonly lastShown = new Map<string, number>();
  private readonly repeats = new Map<string, number>();
  private held: HeldFailure[] = [];
  private heldSince: number | undefined;

  constructor(options: NotificationPolicyOptions) {
    this.windowMs = options.windowMs ?? 30 * MINUTE;
    this.coalesceMs = options.coalesceMs ?? 15_000;
    this.relativeTime = options.relativeTime;
  }

  /** Notifications to show now for this input (failures are held: see flush). */
  push(input: NotifyInput, now: number): CairnNotification[] {
    if (input.type === 'plan-overdue') {
      const last = input.lastSuccess !== undefined ? `The last backup was ${this.relativeTime(input.lastSuccess, now)}.` : 'It has never been backed up.';
      return this.limited(`plan-overdue:${input.planId}`, now, {
        kind: 'plan-overdue', title: `${input.planName} is overdue`, body: `${last} Check that the repository can be reached.`,
        urgency: 'normal', planIds: [input.planId], at: now,
      });
    }
    const { job, planName } = input;
    const planId = planOf(job);
    const subject = jobSubject(job, planName);
    if (job.state === 'failed') {
      const kind = job.request.kind === 'backup' ? 'backup-failed' : 'job-failed';
      const key = `${kind}:${planId ?? job.request.kind}`;
      const shown = this.lastShown.get(key);
      if (shown !== undefined && now - shown < this.windowMs) {
        this.repeats.set(key, (this.repeats.get(key) ?? 0) + 1);
        return [];
      }
      // Counted as shown from the moment it is held, so a burst of one plan's failures is one notice.
      this.lastShown.set(key, now);
      const repeats = this.repeats.get(key) ?? 0;
      this.repeats.delete(key);
      this.held.push({ key, planId, subject, kind, error: job.error ?? 'unknown error', repeats });
      this.heldSince ??= now;
      return this.flush(now);
    }
    if (job.state !== 'succeeded') return [];
    const r = job.request;
    if (r.kind === 'restore') {
      return this.limited(`restore-done:${job.id}`, now, {
        kind: 'restore-done', title: 'Restore finished', body: `Your files are in ${r.target}.`, urgency: 'normal', planIds: [], at: now,
      });
    }
    if (r.kind !== 'backup') return [];
    const name = planName ?? r.planId;
    if (input.firstSuccess) {
      return this.limited(`first-backup:${r.planId}`, now, {
        kind: 'first-backup', title: `First backup of ${name} done`, body: 'From now on only changes are saved, on the plan\'s schedule.',
        urgency: 'normal', planIds: [r.planId], at: now,
      });
    }
    if (input.recovered) {
      return this.limited(`backup-recovered:${r.planId}`, now, {
        kind: 'backup-recovered', title: `Backups of ${name} work again`, body: 'The last backup succeeded.', urgency: 'normal', planIds: [r.planId], at: now,
      });
    }
    if (r.reason === 'manual') {
      return this.limited(`backup-done:${r.planId}`, now, {
        kind: 'backup-done', title: `Backup of ${name} done`, body: 'Your files are backed up.', urgency: 'low', planIds: [r.planId], at: now,
      });
    }
    return [];
  }

  /** When flush() has something to show; undefined when nothing is held. */
  nextFlushAt(): number | undefined {
    return this.heldSince === undefined ? undefined : this.heldSince + this.coalesceMs;
  }

  /** The held failures as one notification, once they have been held for coalesceMs. */
  flush(now: number): CairnNotification[] {
    const due = this.nextFlushAt();
    if (due === undefined || now < due) return [];
    const held = this.held;
    this.held = [];
    this.heldSince = undefined;
    const planIds = [...new Set(held.flatMap((h) => (h.planId ? [h.planId] : [])))];
    if (held.length === 1) {
      const h = held[0];
      const again = h.repeats > 0 ? ` (failed ${h.repeats + 1} times since the last notice)` : '';
      return [{ kind: h.kind, title: `${h.subject} failed`, body: `${h.error}${again}`, urgency: 'critical', planIds, at: now }];
    }
    const kind: NotificationKind = held.every((h) => h.kind === 'backup-failed') ? 'backup-failed' : 'job-failed';
    const what = kind === 'backup-failed' ? 'backups' : 'jobs';
    return [{
      kind,
      title: `${held.length} ${what} failed`,
      body: `${held.map((h) => h.subject).join(', ')}. First error: ${held[0].error}`,
      urgency: 'critical',
      planIds,
      at: now,
    }];
  }

  private limited(key: string, now: number, n: CairnNotification): CairnNotification[] {
    const shown = this.lastShown.get(key);
    if (shown !== undefined && now - shown < this.windowMs) return [];
    this.lastShown.set(key, now);
    return [n];
  }
}
