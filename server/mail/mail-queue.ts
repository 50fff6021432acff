/**
 * Outgoing mail, queued in the transaction that causes it and sent after commit. A message that
 * cannot be sent stays queued with its error and is tried again on the next flush; once sent,
 * its body (which may hold a registration link) is cleared from the database.
 *
 * Several hub processes may share the database (and the queue): before sending, a process claims
 * the message with one conditional UPDATE (unclaimed, or claimed so long ago that its process
 * must have died), which only one process can win, so each message is sent once. A process that
 * dies between sending and recording it leaves a claim that is taken over after CLAIM_EXPIRY_MS:
 * that message may go twice, which beats losing an invitation.
 */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';
import type { Mailer, MailMessage } from './mailer';

/** Longer than any one SMTP exchange takes (nodemailer gives up on a silent server well before). */
export const CLAIM_EXPIRY_MS = 15 * 60_000;

export async function queueMail(trx: Transaction<HubDatabase> | Kysely<HubDatabase>, message: MailMessage, at: string): Promise<void> {
  await trx.insertInto('mails').values({ to_address: message.to, subject: message.subject, body: message.text, created_at: at, sent_at: null, last_error: null }).execute();
}

/** Sends what is queued, oldest first; returns how many went. One flush at a time per mailer. */
export function createMailFlusher(db: Kysely<HubDatabase>, mailer: Mailer, now: () => Date): () => Promise<number> {
  // Who claims, in this process: a fresh id per hub (not the pid, which another host may share).
  const me = randomUUID();
  let running: Promise<number> | null = null;
  const flushOnce = async (): Promise<number> => {
    const staleBefore = new Date(now().getTime() - CLAIM_EXPIRY_MS).toISOString();
    const claimable = (eb: ExpressionBuilder<HubDatabase, 'mails'>) => eb.or([eb('claimed_by', 'is', null), eb('claimed_at', '<', staleBefore)]);
    const queued = await db.selectFrom('mails').select('seq').where('sent_at', 'is', null).where('attempts', '<', 20).where(claimable).orderBy('seq').limit(200).execute();
    let sent = 0;
    for (const { seq } of queued) {
      // The claim: whoever's UPDATE finds the row still claimable takes it; the others get nothing back.
      const mail = await db
        .updateTable('mails')
        .set({ claimed_by: me, claimed_at: now().toISOString() })
        .where('seq', '=', seq)
        .where('sent_at', 'is', null)
        .where(claimable)
        .returning(['seq', 'to_address', 'subject', 'body'])
        .executeTakeFirst();
      if (mail === undefined) continue;
      try {
        await mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.body });
        await db.updateTable('mails').set({ sent_at: now().toISOString(), body: '', last_error: null, claimed_by: null, claimed_at: null }).where('seq', '=', mail.seq).execute();
        sent++;
      } catch (error) {
        // The error names the server, never the message.
        const reason = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
        await db.updateTable('mails').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: reason, claimed_by: null, claimed_at: null })).where('seq', '=', mail.seq).execute();
      }
    }
    return sent;
  };
  // Mail queued while a flush runs may be after that flush's select: the caller's flush then
  // asks for one more pass instead of leaving the message for the minute's retry.
  let again = false;
  const flushUntilDone = async (): Promise<number> => {
    let sent = 0;
    do {
      again = false;
      sent += await flushOnce();
    } while (again);
    return sent;
  };
  return () => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = flushUntilDone().finally(() => {
      running = null;
    });
    return running;
  };
}
