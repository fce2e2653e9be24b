// What the app tells the user outside its window: a desktop notification in the Electron app, an
// API event the UI shows under `cairn serve`. One shape for both, decided in one place (policy.ts).

export type NotificationKind =
  | 'backup-failed'
  | 'job-failed'
  | 'backup-done'
  | 'first-backup'
  | 'backup-recovered'
  | 'restore-done'
  | 'plan-overdue';

export type NotificationUrgency = 'low' | 'normal' | 'critical';

export interface CairnNotification {
  kind: NotificationKind;
  title: string;
  /** One or two short lines; already redacted (errors come from the job runner, which redacts). */
  body: string;
  urgency: NotificationUrgency;
  /** The plans it is about (several when failures were coalesced), for "open this plan" on click. */
  planIds: string[];
  at: number;
}
