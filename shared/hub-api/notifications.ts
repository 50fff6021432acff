/**
 * The hub's notification routes (issue 16): one's own inbox (newest first, paged by a cursor),
 * marking read, per-kind preferences, and the live signal's address. Declared once (route.ts).
 * Only the caller's own notifications are ever listed or changed, and one about a study the
 * caller can no longer see is neither listed nor counted.
 */
import { z } from 'zod';
import { viewerAnchorSchema } from '../comments/comment-schemas';
import { NOTIFICATION_DELIVERIES, NOTIFICATION_KINDS } from '../notifications/notification-kinds';
import { hubRoute } from './route';

export const notificationViewSchema = z.object({
  id: z.number().int(),
  kind: z.enum(NOTIFICATION_KINDS),
  sentence: z.string(),
  actorName: z.string().nullable(),
  studyId: z.string().nullable(),
  /** The study's UID and how it is named (description, date), for opening it: only while the caller may see it. */
  studyInstanceUid: z.string().nullable(),
  studyLabel: z.string().nullable(),
  commentId: z.string().nullable(),
  collectionId: z.string().nullable(),
  collectionName: z.string().nullable(),
  anchor: viewerAnchorSchema.nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});
export type NotificationView = z.output<typeof notificationViewSchema>;

export const notificationPageSchema = z.object({
  notifications: z.array(notificationViewSchema),
  unread: z.number().int(),
  /** Pass as `before` for the next (older) page; null at the end. */
  next: z.number().int().nullable(),
});
export type NotificationPage = z.output<typeof notificationPageSchema>;

export const notificationsRoute = hubRoute({
  method: 'GET',
  path: '/api/notifications',
  summary: 'The caller’s notifications, newest first, before a cursor; with the unread count. Those about a study the caller can no longer see are left out.',
  query: z.object({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), unreadOnly: z.enum(['1', '0']).default('0') }).strict(),
  response: notificationPageSchema,
});

export const markNotificationsReadRoute = hubRoute({
  method: 'POST',
  path: '/api/notifications/read',
  summary: 'Marks some of the caller’s notifications read (by id), or all of them; answers the unread count left.',
  body: z.union([z.object({ ids: z.array(z.number().int().min(1)).min(1).max(500) }).strict(), z.object({ all: z.literal(true) }).strict()]),
  response: z.object({ unread: z.number().int() }),
});

export const notificationPreferenceSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  delivery: z.enum(NOTIFICATION_DELIVERIES),
  /** For the urgent kinds: may the desktop raise the operating system's notification. */
  osNotification: z.boolean(),
});
export type NotificationPreference = z.output<typeof notificationPreferenceSchema>;

export const notificationPreferencesRoute = hubRoute({
  method: 'GET',
  path: '/api/notification-preferences',
  summary: 'How the caller wants each kind of notification delivered (every kind; "app" where never set).',
  response: z.object({ preferences: z.array(notificationPreferenceSchema) }),
});

export const setNotificationPreferencesRoute = hubRoute({
  method: 'PUT',
  path: '/api/notification-preferences',
  summary: 'Sets how the caller wants some kinds delivered; an unknown kind or delivery is refused (400) naming it.',
  // Plain strings here: the handler names an unknown kind or delivery in its own words.
  body: z.object({ preferences: z.array(z.object({ kind: z.string().max(100), delivery: z.string().max(20), osNotification: z.boolean().optional() }).strict()).min(1).max(50) }).strict(),
  response: z.object({ preferences: z.array(notificationPreferenceSchema) }),
});

/** The live signal (server/routes/events.ts): Server-Sent Events, not a JSON route, so only its path is shared. */
export const EVENTS_PATH = '/api/events';
/** One signal's data: the change feed's and the caller's notifications' cursors at that moment. */
export const liveSignalSchema = z.object({ changes: z.number().int(), notifications: z.number().int() });
export type LiveSignal = z.output<typeof liveSignalSchema>;
