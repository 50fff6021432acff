/**
 * Many sites on one hub (issue 14, part 4): nothing of site A is listed, counted, searched or
 * guessable from site B — nor from an external user connected to A, beyond the physicians they
 * were assigned. Rather than a list of routes that a new route would slip past, the hub's own
 * route table is swept: every GET route is called by site B's admin and radiologist (with the
 * query shapes lists take), and every route by the external user; an answer must not hold any
 * of A's ids or names, and a route that takes an id answers A's real ids exactly as it answers
 * an id that does not exist. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import { addUser, createAccount } from './accounts/accounts-repository';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { createSession } from './auth/sessions';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';

const summary = (uid: string, patientName: string, referring: string | null = null): StudySummary => ({
  studyInstanceUid: uid,
  patientName,
  patientId: `PID-${uid}`,
  patientBirthDate: '1970-02-03',
  studyDate: '2031-01-02',
  studyTime: '09:00:00',
  patientSex: 'F',
  accessionNumber: `ACC-${uid}`,
  studyDescription: 'CT Chest',
  referringPhysicianName: referring,
  institutionName: 'Somewhere',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});

/** Routes an external user may call for themselves (their own session, studies, connections, inbox): each still shows them only what is theirs. */
const EXTERNAL_PERSONAL = new Set([
  'GET /api/me',
  'GET /api/studies',
  'GET /api/worklists',
  'GET /api/changes',
  'POST /api/operations',
  'GET /api/connections/mine',
  'POST /api/connections',
  'GET /api/access-requests',
  'GET /api/me/physicians',
  'GET /api/physicians/cases',
  'GET /api/collections',
  'POST /api/collections',
  'GET /api/notifications',
  'POST /api/notifications/read',
  'PUT /api/notifications/read',
  'GET /api/notification-preferences',
  'PUT /api/notification-preferences',
]);
/** Not called in the sweep: they end or change the caller's own session, or stay open (the live signal's event stream, which carries no data but a cursor). */
const SKIPPED = new Set(['DELETE /api/sessions', 'PUT /api/me/password', 'GET /api/events']);
/**
 * Routes that take an id from anyone on purpose: asking for access to a study one was sent a
 * link to (issue 13) tells nothing of the study, only takes the request to its site.
 */
const ANY_ID = new Set(['POST /api/studies/:id/access-requests']);

describe.each(HUB_ENGINES)('hub: one site’s data stays apart from another’s (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-isolation-'));
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const clock = new Date('2031-07-01T08:00:00Z');
  const routes: { method: string; url: string }[] = [];
  const tokens: Record<string, string> = {};
  /** Every id of site A, by what it is. */
  const a: Record<string, string> = {};
  /** What of site A the external user was given, and may therefore see. */
  const given = new Set<string>();

  const call = (method: string, url: string, who: string, payload?: unknown) =>
    hub.inject({ method: method as 'GET', url, payload: payload as never, headers: { authorization: `Bearer ${tokens[who]}` } });
  const operate = async (who: string, ...operations: unknown[]) => (await call('POST', '/api/operations', who, { operations })).json<{ results: { status: string; value?: Record<string, unknown> }[] }>().results;
  /** A's ids and names that may not appear in what `who` is told. */
  const secretsFor = (who: string) => [
    ...Object.values(a).filter((id) => who !== 'ext' || !given.has(id)),
    // What no one outside A sees: the study not on the external user's physician, A's people and places.
    'HIDDEN',
    'PID-9.1',
    'ACC-9.1',
    'rad@a.example',
    'Rad Alphonse',
    'Alphonse Group',
    'Alphonse Location',
    'Alphonse Teaching',
    // What the external user was given (their physician's study, the site's name) and site B's people were not.
    ...(who === 'ext' ? [] : ['ALPHONSE', 'Riverside', 'PID-9.2', 'ACC-9.2']),
  ];
  const leaks = (who: string, body: string) => secretsFor(who).filter((secret) => body.includes(secret));
  const fill = (url: string, id: string) => url.replace(/:[A-Za-z]+/g, id);
  /** The answer with the id written out of it: what "the same answer" compares. */
  const shape = (status: number, body: string, id: string) => `${status} ${body.split(id).join('<id>')}`;

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org', now: () => clock });
    hub.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url.startsWith('/api/')) routes.push({ method, url: route.url });
    });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const siteA = await db.transaction().execute((trx) => createAccount(trx, 'Riverside Clinic', { name: 'Admin Alphonse', email: 'admin@a.example', passwordHash }, clock));
    const siteB = await db.transaction().execute((trx) => createAccount(trx, 'Hillside Imaging', { name: 'Admin B', email: 'admin@b.example', passwordHash }, clock));
    a.site = siteA.account.id;
    a.admin = siteA.user.id;
    tokens.adminA = await createSession(db, siteA.user.id, clock);
    tokens.adminB = await createSession(db, siteB.user.id, clock);
    const radA = await db.transaction().execute((trx) => addUser(trx, a.site, { name: 'Rad Alphonse', email: 'rad@a.example', passwordHash, role: 'Radiologist' }, clock));
    a.rad = radA.id;
    tokens.radA = await createSession(db, radA.id, clock);
    const radB = await db.transaction().execute((trx) => addUser(trx, siteB.account.id, { name: 'Rad B', email: 'rad@b.example', passwordHash, role: 'Radiologist' }, clock));
    tokens.radB = await createSession(db, radB.id, clock);

    // Site A's things: studies (one shared to a group), a location, a group, worklists, a physician, a collection.
    a.group = (await call('POST', '/api/groups', 'adminA', { name: 'Alphonse Group' })).json<{ group: { id: string } }>().group.id;
    a.location = (await call('POST', '/api/locations', 'adminA', { name: 'Alphonse Location' })).json<{ location: { id: string } }>().location.id;
    await call('POST', `/api/groups/${a.group}/members`, 'adminA', { userId: a.rad });
    const [hidden] = await operate('radA', { id: randomUUID(), kind: 'study.publish', study: summary('9.1', 'ALPHONSE^HIDDEN') });
    a.study = String(hidden.value!.studyId);
    const [other] = await operate('radA', { id: randomUUID(), kind: 'study.publish', study: summary('9.2', 'ALPHONSE^OTHER', 'Physician^Paula') });
    a.study2 = String(other.value!.studyId);
    const worklists = (await call('GET', '/api/worklists', 'adminA')).json<{ worklists: { id: string; shareCode: string }[] }>().worklists;
    worklists.forEach((worklist, index) => {
      a[`worklist${index}`] = worklist.id;
    });
    const groupWorklist = worklists.find((w) => w.id !== undefined)!.id;
    const shared = await operate('radA', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: a.study }, target: { worklistId: groupWorklist } });
    expect(shared[0].status).toBe('applied');
    const physician = await call('POST', '/api/physicians', 'adminA', { displayName: 'Dr Paula Physician', familyName: 'Physician', givenNames: 'Paula', aliases: [], identifier: null, specialty: null });
    if (physician.statusCode === 201 || physician.statusCode === 200) a.physician = physician.json<{ physician: { id: string } }>().physician.id;
    const collection = await call('POST', '/api/collections', 'radA', { name: 'Alphonse Teaching', description: '' });
    if (collection.statusCode === 201) a.collection = collection.json<{ collection: { id: string } }>().collection.id;

    // An external user connected to A, assigned A's physician (when the directory takes one).
    const ext = await db.transaction().execute(async (trx) => {
      const id = randomUUID();
      await trx.insertInto('users').values({ id, account_id: null, email: 'ext@outside.example', name: 'Ext Rep', password_hash: passwordHash, role_id: null, active: 1, created_at: clock.toISOString() }).execute();
      return id;
    });
    tokens.ext = await createSession(db, ext, clock);
    const code = (await call('GET', '/api/site/connections', 'adminA')).json<{ connectionCode: string }>().connectionCode;
    a.connectionCode = code;
    const asked = await call('POST', '/api/connections', 'ext', { site: code, kind: 'external-rep' });
    expect(asked.statusCode, asked.body).toBe(201);
    a.connection = asked.json<{ connection: { id: string } }>().connection.id;
    // What the external user is given of A: their own request, its site, and the physician with their studies.
    given.add(a.connection).add(a.site).add(a.connectionCode);
    if (a.physician !== undefined) {
      expect((await call('PUT', `/api/connections/${a.connection}/physicians`, 'adminA', { physicianIds: [a.physician] })).statusCode).toBe(200);
      given.add(a.physician).add(a.study2);
    }
  }, 180_000);

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, counts and searches nothing of site A for site B’s people, on any GET route', async () => {
    expect(routes.length).toBeGreaterThan(40);
    // `site=<A>`: the lists' Site filter (issue 14) named with A's id lists nothing of A either.
    const queries = ['', '?text=alph', '?q=alph', '?kind=user&q=', '?kind=group&q=', '?surname=P', `?site=${a.site}`];
    const found: string[] = [];
    let answered = 0;
    for (const who of ['adminB', 'radB']) {
      for (const route of routes.filter((r) => r.method === 'GET' && !r.url.includes(':') && !SKIPPED.has(`GET ${r.url}`))) {
        for (const query of queries) {
          const answer = await call('GET', `${route.url}${query}`, who);
          if (answer.statusCode === 200) answered += 1;
          for (const secret of leaks(who, answer.body)) found.push(`${who} GET ${route.url}${query}: ${secret}`);
        }
      }
    }
    expect(found).toEqual([]);
    // The sweep read real lists (not only refusals): the study list, users, worklists, audit, connections.
    expect(answered).toBeGreaterThan(30);
    // And A's own people do see A's things through the same routes (so the sweep can find them).
    expect((await call('GET', '/api/studies?text=alph', 'adminA')).body).toContain(a.study);
    expect((await call('GET', '/api/users', 'adminA')).body).toContain('rad@a.example');
    expect((await call('GET', '/api/connections', 'adminA')).body).toContain(a.connection);
  }, 600_000);

  it('answers every id of site A, on every route that takes one, as it answers an id that does not exist', async () => {
    const differ: string[] = [];
    // Site B's admin: their role reaches furthest (a radiologist's refusals come earlier, on permissions).
    for (const who of ['adminB']) {
      for (const route of routes.filter((r) => r.url.includes(':') && !SKIPPED.has(`${r.method} ${r.url}`) && !ANY_ID.has(`${r.method} ${r.url}`))) {
        for (const [kind, id] of Object.entries(a).filter(([kind]) => kind !== 'connectionCode')) {
          const unknown = randomUUID();
          const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
          const real = await call(route.method, fill(route.url, id), who, payload);
          const none = await call(route.method, fill(route.url, unknown), who, payload);
          if (shape(real.statusCode, real.body, id) !== shape(none.statusCode, none.body, unknown)) differ.push(`${who} ${route.method} ${route.url} with A's ${kind}: ${real.statusCode} vs ${none.statusCode}`);
        }
      }
    }
    expect(differ).toEqual([]);
    // Writes that name A's things by id in the body are refused as if they did not exist.
    const share = await operate('radB', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: a.study }, target: { userId: a.rad } });
    expect(share[0].status).toBe('rejected');
    expect(JSON.stringify(share)).not.toContain('Alphonse');
  }, 600_000);

  it('gives an external user connected to A only what they were given: every site-wide route refuses them', async () => {
    const refusedOrUnknown: string[] = [];
    const leaked: string[] = [];
    for (const route of routes.filter((r) => !SKIPPED.has(`${r.method} ${r.url}`) && !ANY_ID.has(`${r.method} ${r.url}`))) {
      const key = `${route.method} ${route.url}`;
      const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      if (route.url.includes(':')) {
        for (const [kind, id] of Object.entries(a).filter(([kind]) => !given.has(a[kind]))) {
          const unknown = randomUUID();
          const real = await call(route.method, fill(route.url, id), 'ext', payload);
          const none = await call(route.method, fill(route.url, unknown), 'ext', payload);
          if (shape(real.statusCode, real.body, id) !== shape(none.statusCode, none.body, unknown)) refusedOrUnknown.push(`${key} with A's ${kind}: ${real.statusCode} vs ${none.statusCode}`);
        }
        continue;
      }
      const answer = await call(route.method, route.url, 'ext', payload);
      for (const secret of leaks('ext', answer.body)) leaked.push(`${key}: ${secret}`);
      // Public routes answer anyone alike; personal ones are theirs; the rest refuse (or find the empty body invalid first, which tells nothing).
      const publicRoute = ['GET /api/hub', 'GET /api/openapi.json', 'POST /api/setup', 'POST /api/sessions', 'POST /api/password-resets', 'POST /api/sites'].includes(key);
      if (!publicRoute && !EXTERNAL_PERSONAL.has(key) && ![400, 403].includes(answer.statusCode)) refusedOrUnknown.push(`${key}: ${answer.statusCode}`);
    }
    expect(refusedOrUnknown).toEqual([]);
    expect(leaked).toEqual([]);
    if (a.physician !== undefined) {
      // What they were given they do see (so the sweep above could have caught a leak): their physician's study, not the other.
      const listed = (await call('GET', '/api/studies', 'ext')).json<{ studies: { studyId: string }[] }>().studies.map((study) => study.studyId);
      expect(listed).toEqual([a.study2]);
      // Unassigned, it is gone at the next request.
      expect((await call('PUT', `/api/connections/${a.connection}/physicians`, 'adminA', { physicianIds: [] })).statusCode).toBe(200);
      expect((await call('GET', '/api/studies', 'ext')).json<{ studies: unknown[] }>().studies).toEqual([]);
      expect((await call('GET', `/api/studies/${a.study2}`, 'ext')).statusCode).toBe(404);
    }
    // With well-formed bodies, the site-wide writes refuse with 403 (not a validation answer).
    for (const [method, url, body] of [
      ['POST', '/api/users', { name: 'X', email: 'x@outside.example', password: 'long enough password', role: 'Admin' }],
      ['POST', '/api/groups', { name: 'X' }],
      ['POST', '/api/locations', { name: 'X' }],
      ['PUT', '/api/site/connections', { acceptsConnections: false }],
      ['PUT', '/api/hub/settings', { sitesMaySignUp: true }],
      ['GET', '/api/users', undefined],
      ['GET', '/api/audit', undefined],
      ['GET', '/api/connections', undefined],
      ['GET', '/api/roles', undefined],
    ] as const) {
      expect((await call(method, url, 'ext', body)).statusCode, `${method} ${url}`).toBe(403);
    }
  }, 600_000);
});
