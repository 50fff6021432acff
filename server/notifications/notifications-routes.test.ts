/**
 * Notifications through the real hub on both engines (issue 16): a share reaches the recipient's
 * inbox (and nobody else's), newest first, paged; marking read touches only one's own; a study
 * no longer visible drops out of the list and the count; preferences refuse an unknown event
 * with why and change delivery (off: nothing stored; email: a mail queued); the live signal
 * refuses a caller without a session or with an ended one, and wakes only the person concerned.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser, type ServerSentEvent } from '../../shared/notifications/sse-parser';
import { addUser, createAccount } from '../accounts/accounts-repository';
import { buildHub } from '../app';
import { hashPassword } from '../auth/password';
import { createSession } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { eventually } from '../test-support/eventually';
import { testStudySummary } from '../test-support/study-summary';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';

/** An open SSE stream: the events so far, and how to end it. */
async function openEvents(base: string, token: string | null, lastEventId?: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/events`, {
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
    signal: controller.signal,
  });
  const events: ServerSentEvent[] = [];
  if (response.ok && response.body !== null) {
    const parser = new SseParser((event) => events.push(event));
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.push(decoder.decode(chunk, { stream: true }));
      } catch {
        // aborted
      }
    })();
  }
  return { response, events, close: () => controller.abort() };
}

describe.each(HUB_ENGINES)('hub: notifications (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-notifications-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  let base = '';
  const clock = new Date('2031-04-01T08:00:00Z');
  const people: Record<string, { id: string; token: string }> = {};
  const studies: string[] = [];

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${people[who].token}` } });
  const operate = async (who: string, operation: Record<string, unknown>) => {
    const answer = await call('POST', '/api/operations', who, { operations: [{ id: randomUUID(), ...operation }] });
    return answer.json<{ results: { status: string; value: Record<string, unknown>; error?: { code: string } }[] }>().results[0];
  };
  const inbox = async (who: string, query = '') => (await call('GET', `/api/notifications${query}`, who)).json<{ notifications: { id: number; kind: string; sentence: string; studyId: string | null; studyLabel: string | null; read: boolean }[]; unread: number; next: number | null }>();

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org', now: () => clock });
    await hub.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    const passwordHash = await hashPassword('long enough password');
    const a = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, clock));
    people.admin = { id: a.user.id, token: await createSession(db, a.user.id, clock) };
    for (const name of ['bob', 'cat']) {
      const user = await db.transaction().execute((trx) => addUser(trx, a.account.id, { name: name === 'bob' ? 'Bob Reader' : 'Cat Reader', email: `${name}@a.example`, passwordHash, role: 'Radiologist' }, clock));
      people[name] = { id: user.id, token: await createSession(db, user.id, clock) };
    }
    for (let n = 1; n <= 4; n++) {
      const published = await operate('admin', { kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1600', n, 'Inbox'), private: false });
      studies.push(published.value.studyId as string);
    }
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts a share in the recipient’s inbox only, newest first, paged by cursor, with the study to open', async () => {
    for (const studyId of studies.slice(0, 3)) expect((await operate('admin', { kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { userId: people.bob.id } })).status).toBe('applied');
    const page = await inbox('bob', '?limit=2');
    expect(page.unread).toBe(3);
    expect(page.notifications.map((n) => n.studyId)).toEqual([studies[2], studies[1]]);
    expect(page.notifications[0]).toMatchObject({ kind: 'share.received', sentence: 'Admin A shared a study with you.', read: false });
    expect(page.notifications[0].studyLabel).toContain('Inbox');
    const rest = await inbox('bob', `?limit=2&before=${page.next}`);
    expect(rest.notifications.map((n) => n.studyId)).toEqual([studies[0]]);
    expect(rest.next).toBeNull();
    expect((await inbox('cat')).notifications).toEqual([]);
    expect((await inbox('admin')).notifications).toEqual([]);
  });

  it('marks read one’s own notifications only; mark all read', async () => {
    const [newest] = (await inbox('bob')).notifications;
    // Someone else's id changes nothing, and says nothing about it.
    expect((await call('POST', '/api/notifications/read', 'cat', { ids: [newest.id] })).json()).toEqual({ unread: 0 });
    expect((await inbox('bob')).unread).toBe(3);
    expect((await call('POST', '/api/notifications/read', 'bob', { ids: [newest.id] })).json()).toEqual({ unread: 2 });
    expect((await inbox('bob', '?unreadOnly=1')).notifications.map((n) => n.studyId)).toEqual([studies[1], studies[0]]);
    expect((await call('POST', '/api/notifications/read', 'bob', { all: true })).json()).toEqual({ unread: 0 });
    expect((await call('POST', '/api/notifications/read', 'bob', { ids: [] })).statusCode).toBe(400);
  });

  it('hides (and stops counting) a notification about a study made private and no longer shared', async () => {
    await call('POST', '/api/notifications/read', 'bob', { all: true });
    const share = randomUUID();
    expect((await operate('admin', { kind: 'share.create', shareId: share, study: { id: studies[3] }, target: { userId: people.bob.id } })).status).toBe('applied');
    expect((await inbox('bob')).unread).toBe(1);
    expect((await operate('admin', { kind: 'study.private', study: { id: studies[3] }, private: true })).status).toBe('applied');
    // Still shared to Bob directly: he sees it, so the notification stays.
    expect((await inbox('bob')).notifications[0].studyId).toBe(studies[3]);
    expect((await operate('admin', { kind: 'share.remove', shareId: share })).status).toBe('applied');
    const after = await inbox('bob');
    expect(after.unread).toBe(0);
    expect(after.notifications.map((n) => n.studyId)).not.toContain(studies[3]);
  });

  it('refuses a preference for an unknown event or delivery with why, storing nothing; off stores nothing, email queues a mail', async () => {
    const unknown = await call('PUT', '/api/notification-preferences', 'cat', { preferences: [{ kind: 'share.received', delivery: 'off' }, { kind: 'study.exploded', delivery: 'email' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown-notification-kind' } });
    expect(unknown.json<{ error: { message: string } }>().error.message).toContain('“study.exploded” is not an event');
    const badDelivery = await call('PUT', '/api/notification-preferences', 'cat', { preferences: [{ kind: 'share.received', delivery: 'pigeon' }] });
    expect(badDelivery.json()).toMatchObject({ error: { code: 'unknown-notification-delivery' } });
    // Nothing of the refused requests was kept.
    const defaults = (await call('GET', '/api/notification-preferences', 'cat')).json<{ preferences: { kind: string; delivery: string }[] }>();
    expect(defaults.preferences.find((p) => p.kind === 'share.received')).toEqual({ kind: 'share.received', delivery: 'app', osNotification: true });

    expect((await call('PUT', '/api/notification-preferences', 'cat', { preferences: [{ kind: 'share.received', delivery: 'off' }] })).statusCode).toBe(200);
    await operate('admin', { kind: 'share.create', shareId: randomUUID(), study: { id: studies[0] }, target: { userId: people.cat.id } });
    expect((await inbox('cat')).notifications).toEqual([]);

    expect((await call('PUT', '/api/notification-preferences', 'cat', { preferences: [{ kind: 'share.received', delivery: 'email', osNotification: false }] })).json()).toMatchObject({
      preferences: expect.arrayContaining([{ kind: 'share.received', delivery: 'email', osNotification: false }]),
    });
    await operate('admin', { kind: 'share.create', shareId: randomUUID(), study: { id: studies[1] }, target: { userId: people.cat.id } });
    expect((await inbox('cat')).notifications).toHaveLength(1);
    const mails = await db.selectFrom('mails').select(['to_address', 'subject']).where('to_address', '=', 'cat@a.example').execute();
    expect(mails).toEqual([{ to_address: 'cat@a.example', subject: 'Studyshare: Admin A shared a study with you.' }]);
  });

  it('notifies the sharer when the hub refuses a share they made', async () => {
    const refused = await operate('bob', { kind: 'share.create', shareId: randomUUID(), study: { id: randomUUID() }, target: { userId: people.cat.id } });
    expect(refused.status).toBe('rejected');
    expect((await inbox('bob')).notifications[0]).toMatchObject({ kind: 'share.refused', sentence: 'The hub refused a share you made.' });
  });

  it('refuses the live signal without a session and with an ended one (401)', async () => {
    const none = await openEvents(base, null);
    expect(none.response.status).toBe(401);
    const bogus = await openEvents(base, 'not-a-session');
    expect(bogus.response.status).toBe(401);
    const ended = await createSession(db, people.cat.id, clock);
    expect((await hub.inject({ method: 'DELETE', url: '/api/sessions', headers: { authorization: `Bearer ${ended}` } })).statusCode).toBeLessThan(300);
    expect((await openEvents(base, ended)).response.status).toBe(401);
  });

  it('signals a share to the person it reaches, not to others; resumes from Last-Event-ID', async () => {
    const bob = await openEvents(base, people.bob.token);
    const cat = await openEvents(base, people.cat.token);
    try {
      expect(bob.response.headers.get('content-type')).toContain('text/event-stream');
      // A first connect says "pull once".
      await eventually(() => bob.events.length, (n) => n >= 1);
      await eventually(() => cat.events.length, (n) => n >= 1);
      expect(bob.events[0].event).toBe('changed');
      const resumeFrom = bob.events[0].id!;
      expect(resumeFrom).toMatch(/^\d+-\d+$/);
      await operate('admin', { kind: 'share.create', shareId: randomUUID(), study: { id: studies[2] }, target: { userId: people.cat.id } });
      await eventually(() => cat.events.length, (n) => n >= 2);
      expect(cat.events[1].event).toBe('changed');
      expect(JSON.parse(cat.events[1].data)).toMatchObject({ changes: expect.any(Number), notifications: expect.any(Number) });
      // Someone with nothing new since their last event id gets `ready` on reconnecting.
      const lastCat = cat.events[1].id!;
      const resumed = await openEvents(base, people.cat.token, lastCat);
      await eventually(() => resumed.events.length, (n) => n >= 1);
      expect(resumed.events[0].event).toBe('ready');
      resumed.close();
      // From an older id, something came in since: `changed` at once.
      const behind = await openEvents(base, people.bob.token, '0-0');
      await eventually(() => behind.events.length, (n) => n >= 1);
      expect(behind.events[0].event).toBe('changed');
      behind.close();
    } finally {
      bob.close();
      cat.close();
    }
  });

  it('does not wake someone a private study never reached', async () => {
    const published = await operate('admin', { kind: 'study.publish', study: testStudySummary('1.2.826.0.1.3680043.10.1234.1601', 1, 'Private'), private: true });
    expect(published.status).toBe('applied');
    const cat = await openEvents(base, people.cat.token);
    try {
      await eventually(() => cat.events.length, (n) => n >= 1);
      await operate('admin', { kind: 'study.private', study: { id: published.value.studyId }, private: true });
      await operate('admin', { kind: 'share.create', shareId: randomUUID(), study: { id: published.value.studyId }, target: { userId: people.bob.id } });
      // Several poll ticks pass; Cat's stream stays quiet.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(cat.events.map((e) => e.event)).toEqual(['changed']);
    } finally {
      cat.close();
    }
  });
});
