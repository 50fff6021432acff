/**
 * Reading and marking one person's notifications (the inbox). Every query is scoped to the
 * caller's own rows, and one about a study is kept only while the caller may see that study now
 * (the visibility rule's SQL, server/access/visibility-sql.ts): a study since made private, or
 * whose share was removed, drops out of the list and the unread count without being deleted (it
 * comes back if the study does).
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { NotificationPage, NotificationView } from '../../shared/hub-api/notifications';
import type { NotificationKind } from '../../shared/notifications/notification-kinds';
import { notificationSentence } from '../../shared/notifications/notification-text';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { studyVisibleSql } from '../access/visibility-sql';
import type { HubDatabase } from '../db/schema';

type Scope = ExpressionBuilder<HubDatabase & { studies: HubDatabase['studies'] }, 'notifications' | 'studies'>;

/** The caller's own rows, and among those about a study only the ones they may see now. */
function mineAndVisible(viewer: ViewerFacts) {
  const visible = studyVisibleSql(viewer, 'studies');
  return (eb: Scope) => eb.and([eb('notifications.user_id', '=', viewer.userId), eb.or([eb('notifications.study_id', 'is', null), visible])]);
}

export async function unreadCount(db: Kysely<HubDatabase>, viewer: ViewerFacts): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .leftJoin('studies', 'studies.id', 'notifications.study_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(mineAndVisible(viewer) as never)
    .where('notifications.read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function studyLabel(row: { patient_name: string | null; study_description: string | null; study_date: string | null }): string | null {
  if (row.patient_name === null) return null;
  const parts = [row.patient_name.replace(/\^+/g, ' ').trim(), row.study_description ?? '', row.study_date ?? ''].filter((part) => part !== '');
  return parts.length === 0 ? 'A study' : parts.join(' · ');
}

/** One page, newest first, of notifications with seq below `before`. */
export async function listNotifications(db: Kysely<HubDatabase>, viewer: ViewerFacts, options: { readonly before?: number; readonly limit: number; readonly unreadOnly?: boolean }): Promise<NotificationPage> {
  let query = db
    .selectFrom('notifications')
    .leftJoin('studies', 'studies.id', 'notifications.study_id')
    .leftJoin('users as actor', 'actor.id', 'notifications.actor_id')
    .leftJoin('collections', 'collections.id', 'notifications.collection_id')
    .select([
      'notifications.seq',
      'notifications.kind',
      'notifications.study_id',
      'notifications.comment_id',
      'notifications.collection_id',
      'notifications.anchor',
      'notifications.created_at',
      'notifications.read_at',
      'actor.name as actor_name',
      'studies.study_uid',
      'studies.patient_name',
      'studies.study_description',
      'studies.study_date',
      'collections.name as collection_name',
    ])
    .where(mineAndVisible(viewer) as never)
    .orderBy('notifications.seq', 'desc')
    .limit(options.limit + 1);
  if (options.before !== undefined) query = query.where('notifications.seq', '<', options.before);
  if (options.unreadOnly === true) query = query.where('notifications.read_at', 'is', null);
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const notifications: NotificationView[] = page.map((row) => ({
    id: Number(row.seq),
    kind: row.kind as NotificationKind,
    sentence: notificationSentence(row.kind as NotificationKind, row.actor_name),
    actorName: row.actor_name,
    studyId: row.study_id,
    studyInstanceUid: row.study_uid,
    studyLabel: studyLabel(row),
    commentId: row.comment_id,
    collectionId: row.collection_id,
    collectionName: row.collection_name,
    anchor: row.anchor === null ? null : (JSON.parse(row.anchor) as NotificationView['anchor']),
    createdAt: row.created_at,
    read: row.read_at !== null,
  }));
  return { notifications, unread: await unreadCount(db, viewer), next: rows.length > options.limit ? notifications.at(-1)!.id : null };
}

/** Marks the given (own) notifications read, or all of them; answers the unread count left. */
export async function markRead(db: Kysely<HubDatabase>, viewer: ViewerFacts, which: { readonly ids: readonly number[] } | { readonly all: true }, at: string): Promise<number> {
  let update = db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', viewer.userId).where('read_at', 'is', null);
  // Someone else's ids simply match nothing: no error that would tell them the id exists.
  if ('ids' in which) update = update.where('seq', 'in', [...which.ids]);
  await update.execute();
  return unreadCount(db, viewer);
}

/** The newest notification seq of a user (the live signal's second cursor). */
export async function latestNotificationSeq(db: Kysely<HubDatabase>, userId: string): Promise<number> {
  const row = await db.selectFrom('notifications').select((eb) => eb.fn.max('seq').as('seq')).where('user_id', '=', userId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}
