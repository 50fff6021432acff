/**
 * `notify()`: the one way a hub producer tells people about an event (issue 16). Called inside
 * the producer's own transaction, so a notification exists exactly when what caused it was
 * committed. For many recipients it reads their preferences in one query and writes one insert
 * (per 500 rows, under PostgreSQL's parameter limit); a kind someone turned off is not stored at
 * all; "email now" also queues a mail in the same transaction (server/mail, sent after commit);
 * "daily digest" is left for the digest job (digest.ts). Nobody is notified of their own act.
 *
 * The row's `seq` is also the live signal's cursor (live-signal.ts): on PostgreSQL the insert
 * first takes the change-feed lock (server/db/change-feed.ts), so notification seqs become
 * visible in order and a poller that has seen seq N can never later find one below it.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { isNotificationKind, type NotificationKind } from '../../shared/notifications/notification-kinds';
import { notificationSentence } from '../../shared/notifications/notification-text';
import type { ViewerAnchor } from '../../shared/viewer/viewer-anchor';
import { CHANGE_FEED_LOCK } from '../db/change-feed';
import { isPostgres } from '../db/dialect';
import type { HubDatabase, NotificationTable } from '../db/schema';
import { queueMail } from '../mail/mail-queue';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export interface NotificationInput {
  readonly userId: string;
  readonly kind: NotificationKind;
  /** Who caused it; null when nobody signed in did (a guest opening a link). */
  readonly actorId: string | null;
  readonly studyId?: string;
  readonly commentId?: string;
  readonly collectionId?: string;
  readonly anchor?: ViewerAnchor;
}

const CHUNK = 500;

/** Stores (and mails, where asked) one notification per input; returns how many were stored. */
export async function notify(db: Db, inputs: readonly NotificationInput[], at: string = new Date().toISOString()): Promise<number> {
  const seen = new Set<string>();
  const wanted: NotificationInput[] = [];
  for (const input of inputs) {
    // A programming error in a producer, not bad input from a person: fail loudly.
    if (!isNotificationKind(input.kind)) throw new Error(`Unknown notification kind: ${String(input.kind)}`);
    if (input.userId === input.actorId) continue;
    const key = JSON.stringify([input.userId, input.kind, input.studyId, input.commentId, input.collectionId]);
    if (seen.has(key)) continue;
    seen.add(key);
    wanted.push(input);
  }
  if (wanted.length === 0) return 0;
  const userIds = [...new Set(wanted.map((input) => input.userId))];
  const deliveries = new Map<string, string>();
  for (let start = 0; start < userIds.length; start += CHUNK) {
    const rows = await db
      .selectFrom('notification_preferences')
      .select(['user_id', 'kind', 'delivery'])
      .where('user_id', 'in', userIds.slice(start, start + CHUNK))
      .where('kind', 'in', [...new Set(wanted.map((input) => input.kind))])
      .execute();
    for (const row of rows) deliveries.set(`${row.user_id}|${row.kind}`, row.delivery);
  }
  const rows: Omit<NotificationTable, 'seq'>[] = [];
  for (const input of wanted) {
    const delivery = deliveries.get(`${input.userId}|${input.kind}`) ?? 'app';
    if (delivery === 'off') continue;
    rows.push({
      user_id: input.userId,
      kind: input.kind,
      actor_id: input.actorId,
      study_id: input.studyId ?? null,
      comment_id: input.commentId ?? null,
      collection_id: input.collectionId ?? null,
      anchor: input.anchor === undefined ? null : JSON.stringify(input.anchor),
      delivery: delivery as NotificationTable['delivery'],
      created_at: at,
      read_at: null,
      digested_at: null,
    });
  }
  if (rows.length === 0) return 0;
  if (isPostgres(db)) await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(db);
  for (let start = 0; start < rows.length; start += CHUNK) await db.insertInto('notifications').values(rows.slice(start, start + CHUNK)).execute();
  const mailed = rows.filter((row) => row.delivery === 'email');
  if (mailed.length > 0) await mailNow(db, mailed, at);
  return rows.length;
}

/** Queues one mail per "email now" notification: the sentence only, no patient data. */
async function mailNow(db: Db, rows: readonly Omit<NotificationTable, 'seq'>[], at: string): Promise<void> {
  const ids = [...new Set(rows.flatMap((row) => (row.actor_id === null ? [row.user_id] : [row.user_id, row.actor_id])))];
  const people = new Map<string, { email: string; name: string; active: number }>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    for (const user of await db.selectFrom('users').select(['id', 'email', 'name', 'active']).where('id', 'in', ids.slice(start, start + CHUNK)).execute()) people.set(user.id, user);
  }
  for (const row of rows) {
    const to = people.get(row.user_id);
    // An invited person who has not registered yet has no inbox to come back to.
    if (to === undefined || to.active !== 1) continue;
    const sentence = notificationSentence(row.kind as NotificationKind, row.actor_id === null ? null : (people.get(row.actor_id)?.name ?? null));
    await queueMail(db, { to: to.email, subject: `Studyshare: ${sentence}`, text: `${sentence}\n\nOpen Studyshare to see it in your notifications.\n\nYou can change which notifications reach you by email in Studyshare's settings.` }, at);
  }
}
