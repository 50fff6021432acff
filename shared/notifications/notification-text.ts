/**
 * The one sentence that says what a notification is about, for the inbox, the mail and the
 * operating system's notification. It names the actor only (never the patient): a mail or an OS
 * banner may be read by anyone near the screen or the mailbox.
 */
import type { NotificationKind } from './notification-kinds';

export function notificationSentence(kind: NotificationKind, actorName: string | null): string {
  const who = actorName ?? 'Someone';
  switch (kind) {
    case 'share.received':
      return `${who} shared a study with you.`;
    case 'comment.mention':
      return `${who} mentioned you in a comment.`;
    case 'comment.reply':
      return `${who} replied in a thread you are in.`;
    case 'collection.added':
      return `${who} added you to a collection.`;
    case 'access-request.created':
      return `${who} asked to see a study.`;
    case 'access-request.decided':
      return `${who} answered your request to see a study.`;
    case 'connection.requested':
      return `${who} asked to connect to your site.`;
    case 'connection.decided':
      return `${who} answered your connection request.`;
    case 'guest-link.opened':
      return 'A guest link you made was opened.';
    case 'share.refused':
      return 'The hub refused a share you made.';
  }
}

/** What each kind is called in the preferences screen. */
export const NOTIFICATION_KIND_LABELS: Readonly<Record<NotificationKind, string>> = {
  'share.received': 'A study shared with me or my worklists',
  'comment.mention': 'A mention of me',
  'comment.reply': 'A reply in a thread I am in',
  'collection.added': 'Added to a collection',
  'access-request.created': 'An access request to a study of mine',
  'access-request.decided': 'The decision on my access request',
  'connection.requested': 'A connection request (admins)',
  'connection.decided': 'The decision on my connection request',
  'guest-link.opened': 'A guest link of mine opened',
  'share.refused': 'A share I made refused',
};
