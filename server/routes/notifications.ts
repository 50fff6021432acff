/**
 * The inbox and preferences (issue 16): routes declared in shared/hub-api/notifications.ts, SQL in
 * server/notifications/. Every route acts on the caller's own notifications only.
 */
import type { FastifyPluginAsync } from 'fastify';
import { markNotificationsReadRoute, notificationPreferencesRoute, notificationsRoute, setNotificationPreferencesRoute } from '../../shared/hub-api/notifications';
import { viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { addRoute } from '../http/hub-route';
import { listNotifications, markRead } from '../notifications/inbox';
import { preferencesOf, setPreferences } from '../notifications/preferences';
import { scheduleDailyDigest } from '../notifications/digest';

export const notificationRoutes =
  ({ db, now, flushMail }: HubContext): FastifyPluginAsync =>
  async (app) => {
    // The daily digest: every process checks; the day's claim row lets one of them send it.
    const stopDigest = scheduleDailyDigest(db, now, () => void flushMail(), (error) => app.log.warn({ name: (error as Error).name }, 'daily digest failed'));
    app.addHook('onClose', async () => stopDigest());
    addRoute(app, notificationsRoute, async ({ query }, { actor }) =>
      listNotifications(db, await viewerFacts(db, actor), { ...(query.before === undefined ? {} : { before: query.before }), limit: query.limit, unreadOnly: query.unreadOnly === '1' }),
    );
    addRoute(app, markNotificationsReadRoute, async ({ body }, { actor }) => ({ unread: await markRead(db, await viewerFacts(db, actor), body, now().toISOString()) }));
    addRoute(app, notificationPreferencesRoute, async (_input, { actor }) => ({ preferences: await preferencesOf(db, actor.userId) }));
    addRoute(app, setNotificationPreferencesRoute, async ({ body }, { actor }) => ({ preferences: await setPreferences(db, actor.userId, body.preferences) }));
  };
