// The three switches people get in Settings (success, failure, overdue) and which notifications
// each one covers. The policy decides what is worth saying; these choices only silence kinds.
import type { CairnNotification, NotificationKind } from './types.ts';

export type NotificationCategory = 'success' | 'failure' | 'overdue';

const CATEGORY: Record<NotificationKind, NotificationCategory> = {
  'backup-done': 'success',
  'first-backup': 'success',
  'backup-recovered': 'success',
  'restore-done': 'success',
  'backup-failed': 'failure',
  'job-failed': 'failure',
  'plan-overdue': 'overdue',
};

export function notificationCategory(kind: NotificationKind): NotificationCategory {
  return CATEGORY[kind];
}

/** Whether `n` is to be shown under these choices. */
export function wanted(n: CairnNotification, choices: Readonly<Record<NotificationCategory, boolean>>): boolean {
  return choices[notificationCategory(n.kind)];
}
