/**
 * Each person's delivery per notification kind (notification_preferences). No row means "in the
 * app" with the OS notification allowed, so a new kind reaches people without a migration. An
 * unknown kind or delivery is refused naming it and listing what is known, and nothing of the
 * request is stored (all or nothing).
 */
import type { Kysely } from 'kysely';
import type { NotificationPreference } from '../../shared/hub-api/notifications';
import { isNotificationKind, NOTIFICATION_DELIVERIES, NOTIFICATION_KINDS, type NotificationDelivery } from '../../shared/notifications/notification-kinds';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

export async function preferencesOf(db: Kysely<HubDatabase>, userId: string): Promise<NotificationPreference[]> {
  const rows = await db.selectFrom('notification_preferences').select(['kind', 'delivery', 'os_notification']).where('user_id', '=', userId).execute();
  const stored = new Map(rows.map((row) => [row.kind, row]));
  return NOTIFICATION_KINDS.map((kind) => {
    const row = stored.get(kind);
    return { kind, delivery: row?.delivery ?? 'app', osNotification: row === undefined ? true : row.os_notification === 1 };
  });
}

const isDelivery = (value: string): value is NotificationDelivery => (NOTIFICATION_DELIVERIES as readonly string[]).includes(value);

export async function setPreferences(
  db: Kysely<HubDatabase>,
  userId: string,
  wanted: readonly { readonly kind: string; readonly delivery: string; readonly osNotification?: boolean }[],
): Promise<NotificationPreference[]> {
  for (const { kind, delivery } of wanted) {
    if (!isNotificationKind(kind)) {
      throw new HttpError(400, 'unknown-notification-kind', `“${kind.slice(0, 100)}” is not an event Studyshare notifies of. The events are: ${NOTIFICATION_KINDS.join(', ')}.`);
    }
    if (!isDelivery(delivery)) {
      throw new HttpError(400, 'unknown-notification-delivery', `“${delivery.slice(0, 20)}” is not a way to deliver notifications. Choose one of: ${NOTIFICATION_DELIVERIES.join(', ')}.`);
    }
  }
  const current = new Map((await preferencesOf(db, userId)).map((preference) => [preference.kind, preference]));
  await db.transaction().execute(async (trx) => {
    for (const { kind, delivery, osNotification } of wanted) {
      const os = (osNotification ?? current.get(kind as NotificationPreference['kind'])?.osNotification ?? true) ? 1 : 0;
      await trx
        .insertInto('notification_preferences')
        .values({ user_id: userId, kind, delivery: delivery as NotificationDelivery, os_notification: os })
        .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet({ delivery: delivery as NotificationDelivery, os_notification: os }))
        .execute();
    }
  });
  return preferencesOf(db, userId);
}
