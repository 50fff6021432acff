/**
 * The mail queue's claim: two flushers (as two hub processes would run) over one queue send each
 * message once; a claim left by a process that died is taken over once it is stale, not before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';
import { CLAIM_EXPIRY_MS, createMailFlusher, queueMail } from './mail-queue';
import type { Mailer, MailMessage } from './mailer';

function countingMailer(sent: string[]): Mailer {
  return {
    kind: 'drop',
    async send(message: MailMessage) {
      // A pause, so the other flusher runs while this one holds its claim.
      await new Promise((resolve) => setImmediate(resolve));
      sent.push(message.to);
    },
    close: () => undefined,
  };
}

describe.each(HUB_ENGINES)('mail queue claims (%s)', (engine) => {
  let hub: TestHubDatabase;
  afterEach(async () => {
    await hub.close();
  });

  it('sends every message exactly once when two flushers work the same queue at once', async () => {
    hub = await testHubDatabase(engine);
    const at = new Date('2030-01-01T00:00:00Z');
    const addresses = Array.from({ length: 30 }, (_, i) => `p${i}@example.org`);
    for (const to of addresses) await queueMail(hub.db, { to, subject: 's', text: 'link' }, at.toISOString());
    const sent: string[] = [];
    const first = createMailFlusher(hub.db, countingMailer(sent), () => at);
    const second = createMailFlusher(hub.db, countingMailer(sent), () => at);
    const counts = await Promise.all([first(), second(), first(), second()]);
    expect(sent.sort()).toEqual([...addresses].sort());
    expect(counts[0] + counts[1]).toBe(30);
    const left = await hub.db.selectFrom('mails').select(['body', 'claimed_by']).where('sent_at', 'is', null).execute();
    expect(left).toEqual([]);
  });

  it('takes over a claim only once it is stale (its process died while sending)', async () => {
    hub = await testHubDatabase(engine);
    const at = new Date('2030-01-01T00:00:00Z');
    await queueMail(hub.db, { to: 'late@example.org', subject: 's', text: 'link' }, at.toISOString());
    await hub.db.updateTable('mails').set({ claimed_by: 'a-process-that-died', claimed_at: at.toISOString() }).execute();
    const sent: string[] = [];
    let clock = new Date(at.getTime() + CLAIM_EXPIRY_MS - 1000);
    const flush = createMailFlusher(hub.db, countingMailer(sent), () => clock);
    expect(await flush()).toBe(0);
    clock = new Date(at.getTime() + CLAIM_EXPIRY_MS + 1000);
    expect(await flush()).toBe(1);
    expect(sent).toEqual(['late@example.org']);
  });
});
