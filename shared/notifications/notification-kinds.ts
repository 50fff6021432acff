/**
 * The events a person can be notified of (issue 16), each with how urgent it is: urgent kinds may
 * raise the operating system's notification on the desktop. Producers on the hub call
 * `notify()` (server/notifications/notify.ts) with one of these; preferences are per kind.
 */
export const NOTIFICATION_KINDS = [
  'share.received',
  'comment.mention',
  'comment.reply',
  'collection.added',
  'access-request.created',
  'access-request.decided',
  'connection.requested',
  'connection.decided',
  'guest-link.opened',
  'share.refused',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The kinds that reach someone at once (an OS notification where allowed). */
export const URGENT_NOTIFICATION_KINDS: ReadonlySet<NotificationKind> = new Set<NotificationKind>(['share.received', 'comment.mention']);

/** How a person wants each kind delivered. */
export const NOTIFICATION_DELIVERIES = ['app', 'email', 'digest', 'off'] as const;
export type NotificationDelivery = (typeof NOTIFICATION_DELIVERIES)[number];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}
