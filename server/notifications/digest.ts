/**
 * The daily digest (issue 16, part 3): one mail per person with what they chose to receive "in a
 * daily digest" since the last one. Several hub processes may run this job on one database: the
 * day's row in `notification_digest_runs` is the claim — inserted in the same transaction that
 * queues the mails and marks the notifications digested, so exactly one process's run commits a
 * day, and a process that dies mid-run leaves no claim (its transaction rolls back) for another
 * to take the day over. The mails carry sentences only, never patient data.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NotificationKind } from '../../shared/notifications/notification-kinds';
import { notificationSentence } from '../../shared/notifications/notification-text';
import type { HubDatabase } from '../db/schema';
import { queueMail } from '../mail/mail-queue';

/** The hour (UTC) from which a day's digest goes out. */
export const DIGEST_HOUR_UTC = 7;
const MAX_LINES = 50;

/** Runs the digest for `now`'s day if no process has: answers how many mails it queued (0 when another process had the day). */
export async function runDailyDigest(db: Kysely<HubDatabase>, now: Date, worker: string = randomUUID()): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const claimed = await trx.insertInto('notification_digest_runs').values({ day, claimed_by: worker, claimed_at: at, done_at: null }).onConflict((oc) => oc.column('day').doNothing()).executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
    const rows = await trx
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .leftJoin('users as actor', 'actor.id', 'notifications.actor_id')
      .select(['notifications.seq', 'notifications.user_id', 'notifications.kind', 'users.email', 'users.active', 'actor.name as actor_name'])
      .where('notifications.delivery', '=', 'digest')
      .where('notifications.digested_at', 'is', null)
      .where('notifications.created_at', '<=', at)
      .orderBy('notifications.seq')
      .execute();
    const byPerson = new Map<string, { email: string; lines: string[] }>();
    for (const row of rows) {
      if (row.active !== 1) continue;
      const person = byPerson.get(row.user_id) ?? { email: row.email, lines: [] };
      person.lines.push(notificationSentence(row.kind as NotificationKind, row.actor_name));
      byPerson.set(row.user_id, person);
    }
    for (const { email, lines } of byPerson.values()) {
      const shown = lines.slice(0, MAX_LINES).map((line) => `- ${line}`);
      if (lines.length > MAX_LINES) shown.push(`… and ${lines.length - MAX_LINES} more.`);
      await queueMail(trx, { to: email, subject: `Studyshare: your daily digest (${lines.length})`, text: `Since your last digest:\n\n${shown.join('\n')}\n\nOpen Studyshare to see them in your notifications.` }, at);
    }
    const seqs = rows.map((row) => row.seq);
    for (let start = 0; start < seqs.length; start += 500) await trx.updateTable('notifications').set({ digested_at: at }).where('seq', 'in', seqs.slice(start, start + 500)).execute();
    await trx.updateTable('notification_digest_runs').set({ done_at: at }).where('day', '=', day).execute();
    return byPerson.size;
  });
}

/** Checks every `everyMs` whether today's digest is due (past DIGEST_HOUR_UTC) and runs it; answers a stop function. */
export function scheduleDailyDigest(db: Kysely<HubDatabase>, now: () => Date, afterRun: () => void, onError: (error: unknown) => void, everyMs = 10 * 60_000): () => void {
  const worker = randomUUID();
  let lastDay: string | null = null;
  const check = () => {
    const at = now();
    const day = at.toISOString().slice(0, 10);
    if (at.getUTCHours() < DIGEST_HOUR_UTC || day === lastDay) return;
    runDailyDigest(db, at, worker).then(
      (queued) => {
        lastDay = day;
        if (queued > 0) afterRun();
      },
      onError,
    );
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
