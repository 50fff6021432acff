/**
 * Outgoing mail, queued in the transaction that causes it and sent after commit. A message that
 * cannot be sent stays queued with its error and is tried again on the next flush; once sent,
 * its body (which may hold a registration link) is cleared from the database.
 */
import type { Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';
import type { Mailer, MailMessage } from './mailer';

export async function queueMail(trx: Transaction<HubDatabase> | Kysely<HubDatabase>, message: MailMessage, at: string): Promise<void> {
  await trx.insertInto('mails').values({ to_address: message.to, subject: message.subject, body: message.text, created_at: at, sent_at: null, last_error: null }).execute();
}

/** Sends what is queued, oldest first; returns how many went. One flush at a time per mailer. */
export function createMailFlusher(db: Kysely<HubDatabase>, mailer: Mailer, now: () => Date): () => Promise<number> {
  let running: Promise<number> | null = null;
  const flushOnce = async (): Promise<number> => {
    const queued = await db.selectFrom('mails').select(['seq', 'to_address', 'subject', 'body']).where('sent_at', 'is', null).where('attempts', '<', 20).orderBy('seq').limit(200).execute();
    let sent = 0;
    for (const mail of queued) {
      try {
        await mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.body });
        await db.updateTable('mails').set({ sent_at: now().toISOString(), body: '', last_error: null }).where('seq', '=', mail.seq).execute();
        sent++;
      } catch (error) {
        // The error names the server, never the message.
        const reason = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
        await db.updateTable('mails').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: reason })).where('seq', '=', mail.seq).execute();
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
