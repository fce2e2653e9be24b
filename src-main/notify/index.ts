// Notifications: a pure policy (which events, what wording, how often) and the service feeding it.
export type { CairnNotification, NotificationKind, NotificationUrgency } from './types.ts';
export { NotificationPolicy, type NotifyInput, type NotificationPolicyOptions } from './policy.ts';
export { NotificationService, type NotificationServiceDeps } from './service.ts';
export { notificationCategory, wanted, type NotificationCategory } from './choices.ts';
