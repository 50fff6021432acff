import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import { buildHub } from './app';
import { hashPassword } from './auth/password';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from './test-support/test-database';
import type { HubDatabase } from './db/schema';
import { addUser, createAccount } from './accounts/accounts-repository';
import { eventually } from './test-support/eventually';

const summary = (uid: string): StudySummary => ({
  studyInstanceUid: uid,
  patientName: 'Doe^Jane',
  patientId: 'P-7',
  patientBirthDate: '1970-01-01',
  studyDate: '2025-02-03',
  studyTime: '09:00:00',
  patientSex: 'F',
  accessionNumber: 'A-7',
  studyDescription: 'MR Knee',
  referringPhysicianName: null,
  institutionName: 'Site A',
  modalities: ['MR'],
  seriesCount: 1,
  instanceCount: 1,
});


describe.each(HUB_ENGINES)('hub: shares by email, registration, share targets and the audit trail (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-mail-'));
  const dropDir = path.join(dir, 'mail-drop');
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;
  const people: Record<string, { id: string; token: string }> = {};
  let studyId = '';

  const call = (method: 'GET' | 'POST', url: string, who: string, payload?: unknown) =>
    hub.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${people[who].token}` } });
  const operate = async (who: string, ...operations: unknown[]) => (await call('POST', '/api/operations', who, { operations })).json().results;
  const shareTo = (who: string, target: unknown, study: unknown = { id: studyId }) =>
    operate(who, { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study, target }).then((r) => r[0]);
  const signIn = (email: string, password = 'long enough password') => hub.inject({ method: 'POST', url: '/api/sessions', payload: { email, password } });
  const drops = () => (existsSync(dropDir) ? readdirSync(dropDir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => readFileSync(path.join(dropDir, f.name), 'utf8')) : []);
  const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  beforeAll(async () => {
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir }, publicUrl: 'https://hub.example.org/' });
    await hub.ready();
    const passwordHash = await hashPassword('long enough password');
    const now = new Date();
    const siteA = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, now));
    const siteB = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, now));
    for (const [name, accountId, role] of [
      ['rad', siteA.account.id, 'Radiologist'],
      ['phys', siteA.account.id, 'Physician'],
      ['tech', siteA.account.id, 'Technologist'],
      ['other', siteB.account.id, 'Technologist'],
    ] as const) {
      const user = await db.transaction().execute((trx) => addUser(trx, accountId, { name: `${name} person`, email: `${name}@example.org`, passwordHash, role }, now));
      people[name] = { id: user.id, token: (await signIn(`${name}@example.org`)).json().token };
    }
    people.admin = { id: siteA.user.id, token: (await signIn('admin@a.example')).json().token };
    const [published] = await operate('rad', { id: randomUUID(), kind: 'study.publish', study: summary('1.2.840.7') });
    studyId = published.value.studyId;
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('invites an unknown address: a mail with a registration link, and nothing visible before registering', async () => {
    const result = await shareTo('rad', { email: ' New.Person@Example.COM ' });
    expect(result).toMatchObject({ status: 'applied', value: { alreadyShared: false, invited: true } });
    const mails = await eventually(drops, (found) => found.length === 1);
    expect(mails[0]).toContain('To: new.person@example.com');
    expect(mails[0]).not.toContain('Doe');
    const link = /https:\/\/hub\.example\.org\/register\/[A-Za-z0-9_-]+/.exec(mails[0].replace(/=\r?\n/g, ''))?.[0];
    expect(link).toBeDefined();
    // Sharing a second study with the same address joins the same invitation: no second mail.
    const [second] = await operate('rad', { id: randomUUID(), kind: 'study.publish', study: summary('1.2.840.8') });
    expect(await shareTo('rad', { email: 'new.person@example.com' }, { id: second.value.studyId })).toMatchObject({ status: 'applied', value: { invited: true } });
    expect((await signIn('new.person@example.com', 'anything at all')).statusCode).toBe(401);

    const token = new URL(link!).pathname.split('/').pop()!;
    const pageHtml = await hub.inject({ method: 'GET', url: `/register/${token}` });
    expect(pageHtml.statusCode).toBe(200);
    expect(pageHtml.headers['content-security-policy']).toContain("default-src 'none'");
    expect(pageHtml.body).toContain('rad person (Site A) shared imaging studies with you');
    expect((await hub.inject({ method: 'GET', url: '/register/not-a-real-token' })).statusCode).toBe(410);

    const short = await hub.inject({ method: 'POST', url: `/register/${token}`, ...form({ name: 'Nora <b>New</b>', password: 'short', confirm: 'short' }) });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 10 characters');
    expect(short.body).toContain('Nora &lt;b&gt;New&lt;/b&gt;');
    const mismatch = await hub.inject({ method: 'POST', url: `/register/${token}`, ...form({ name: 'Nora New', password: 'a long password', confirm: 'another long one' }) });
    expect(mismatch.body).toContain('not the same');

    const done = await hub.inject({ method: 'POST', url: `/register/${token}`, ...form({ name: 'Nora New', password: 'a long password', confirm: 'a long password' }) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are registered');
    expect((await hub.inject({ method: 'POST', url: `/register/${token}`, ...form({ name: 'X', password: 'a long password', confirm: 'a long password' }) })).statusCode).toBe(410);

    const session = await signIn('new.person@example.com', 'a long password');
    expect(session.statusCode).toBe(201);
    people.nora = { id: (await db.selectFrom('users').select('id').where('email', '=', 'new.person@example.com').executeTakeFirstOrThrow()).id, token: session.json().token };
    const { worklists } = (await call('GET', '/api/worklists', 'nora')).json();
    expect(worklists).toEqual([expect.objectContaining({ kind: 'personal', name: 'Nora New', member: true })]);
    const listed = (await call('GET', `/api/worklists/${worklists[0].id}/studies`, 'nora')).json();
    expect(listed.total).toBe(2);
    expect(listed.studies.map((s: { studyId: string }) => s.studyId)).toContain(studyId);
  });

  it('shares by email with someone who has an account: no invitation, a notice, external when outside the site', async () => {
    const before = drops().length;
    const result = await shareTo('rad', { email: 'other@example.org' });
    expect(result).toMatchObject({ status: 'applied', value: { invited: false } });
    const share = await db.selectFrom('shares').select(['external', 'user_id']).where('id', '=', result.value.shareId).executeTakeFirstOrThrow();
    expect(share).toEqual({ external: 1, user_id: people.other.id });
    const mails = await eventually(drops, (found) => found.length === before + 1);
    expect(mails.some((mail) => mail.includes('To: other@example.org') && !mail.includes('/register/'))).toBe(true);
  });

  it('refuses an email share to a role without it, to oneself, and to a study it cannot see', async () => {
    expect(await shareTo('tech', { email: 'someone@example.net' })).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect(await db.selectFrom('users').select('id').where('email', '=', 'someone@example.net').executeTakeFirst()).toBeUndefined();
    expect(await shareTo('rad', { email: 'rad@example.org' })).toMatchObject({ status: 'rejected', error: { code: 'target-is-self' } });
    expect(await shareTo('other', { email: 'x@example.net' }, { id: randomUUID() })).toMatchObject({ status: 'rejected', error: { code: 'study-not-found' } });
    const bad = await call('POST', '/api/operations', 'rad', { operations: [{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { email: 'not an address' } }] });
    expect(bad.statusCode).toBe(400);
  });

  it('names a study by its UID in the sender’s site, so a queued share can follow its publish', async () => {
    const personal = (await call('GET', '/api/share-targets?kind=user&q=phys', 'rad')).json().targets[0];
    expect(await shareTo('rad', { worklistId: personal.worklistId }, { uid: '1.2.840.7' })).toMatchObject({ status: 'applied', value: { studyId } });
    expect(await shareTo('other', { worklistId: personal.worklistId }, { uid: '1.2.840.7' })).toMatchObject({ status: 'rejected', error: { code: 'study-not-found' } });
  });

  it('offers share targets by kind, searched by name, only to roles that may use them', async () => {
    // Under "Physicians": people with a physician's role only — not the admin, not the technologist.
    const users = (await call('GET', '/api/share-targets?kind=user', 'rad')).json().targets;
    expect(users.map((t: { name: string }) => t.name)).toEqual(['phys person']);
    expect(users[0].detail).toBe('Physician');
    expect((await call('GET', '/api/share-targets?kind=user&q=TECH', 'rad')).json().targets).toHaveLength(0);
    expect((await call('GET', '/api/share-targets?kind=user&q=rad', 'phys')).json().targets.map((t: { name: string }) => t.name)).toEqual(['rad person']);
    expect((await call('GET', '/api/share-targets?kind=location', 'phys')).statusCode).toBe(403);
    expect((await call('GET', '/api/share-targets?kind=mystery', 'rad')).statusCode).toBe(400);
  });

  it('shows who a study is shared with, and records the view on the right trail', async () => {
    const details = (await call('GET', `/api/studies/${studyId}?view=opened`, 'rad')).json();
    // Refreshing what is on screen is not another view.
    await call('GET', `/api/studies/${studyId}`, 'rad');
    expect(details.shares.map((s: { target: { kind: string; name: string } }) => `${s.target.kind}:${s.target.name}`)).toEqual([
      'person:Nora New',
      'person:other person',
      'personal:phys person',
    ]);
    expect(details.shares[1]).toMatchObject({ external: true, sharedBy: { name: 'rad person' }, removable: true, invitationPending: false });
    // Someone outside the site sees the share that reaches them, not who else has the study.
    const asNora = await call('GET', `/api/studies/${studyId}?view=opened`, 'nora');
    expect(asNora.json().shares.map((s: { target: { name: string } }) => s.target.name)).toEqual(['Nora New']);
    expect((await call('GET', `/api/studies/${studyId}?view=everything`, 'nora')).statusCode).toBe(400);
    expect((await call('GET', `/api/studies/${randomUUID()}`, 'nora')).statusCode).toBe(404);

    const studyTrail = (await call('GET', `/api/studies/${studyId}/audit`, 'admin')).json().events;
    // Newest first; the external recipient's view and registration are not on the study's trail.
    expect(studyTrail.map((e: { action: string }) => e.action)).toEqual(['study.view', 'share.create', 'share.create', 'share.create', 'study.import']);
    expect(studyTrail.every((e: { actor: { name: string } }) => e.actor.name === 'rad person')).toBe(true);
    const noraShare = details.shares[0].id;
    const shareTrail = (await call('GET', `/api/shares/${noraShare}/audit`, 'admin')).json().events;
    expect(shareTrail.map((e: { action: string; actor: { name: string } }) => `${e.action} by ${e.actor.name}`)).toEqual([
      'study.view by Nora New',
      'invitation.accept by Nora New',
      'invitation.send by rad person',
      'share.create by rad person',
    ]);
  });

  it('records removal; admins filter the site’s trail and export it as CSV; others may not read it', async () => {
    const share = (await call('GET', `/api/studies/${studyId}`, 'rad')).json().shares.find((s: { target: { name: string } }) => s.target.name === 'phys person');
    expect((await operate('rad', { id: randomUUID(), kind: 'share.remove', shareId: share.id }))[0]).toMatchObject({ status: 'applied' });
    const removals = (await call('GET', `/api/audit?action=share.remove`, 'admin')).json().events;
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ action: 'share.remove', shareId: share.id, studyUid: '1.2.840.7', actor: { name: 'rad person' } });
    expect((await call('GET', `/api/audit?actorId=${people.nora.id}`, 'admin')).json().events.every((e: { trail: string }) => e.trail === 'share')).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await call('GET', `/api/audit?from=${today}&to=${today}`, 'admin')).json().events.length).toBeGreaterThan(5);
    expect((await call('GET', '/api/audit?from=2000-01-01&to=2000-01-02', 'admin')).json().events).toEqual([]);
    expect((await call('GET', '/api/audit?action=drop-tables', 'admin')).statusCode).toBe(400);

    const csv = await call('GET', '/api/audit.csv?action=share.create', 'admin');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('time,action,trail,actor,actor email,on behalf of,accession,study date,study instance uid,share id,target,detail');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(',share.create,study,rad person,rad@example.org,,');
    expect(csv.body).not.toContain('Doe');

    expect((await call('GET', '/api/audit', 'rad')).statusCode).toBe(403);
    expect((await call('GET', `/api/studies/${studyId}/audit`, 'other')).statusCode).toBe(403);
  });
  it('lets nobody but the invitee claim an invited address: another site’s admin, or the inviting one, gets 409 and the link still works', async () => {
    await shareTo('rad', { email: 'later.colleague@example.org' });
    const mail = (await eventually(drops, (found) => found.some((m) => m.includes('later.colleague')))).find((m) => m.includes('later.colleague'))!;
    const token = /\/register\/([A-Za-z0-9_-]+)/.exec(mail.replace(/=\r?\n/g, ''))![1];
    people.adminB = { id: '', token: (await signIn('admin@b.example')).json().token };
    // The audit's request: site B's admin adds the pending invitee of site A with a password of their choosing.
    for (const who of ['adminB', 'admin']) {
      const claimed = await call('POST', '/api/users', who, { name: 'Mallory', email: 'Later.Colleague@example.org', password: 'a long password', role: 'Physician' });
      expect(claimed.statusCode).toBe(409);
      expect(claimed.json().error.code).toBe('invitation-pending');
      expect(claimed.json().error.message).toContain('invitation mail');
    }
    expect((await signIn('later.colleague@example.org', 'a long password')).statusCode).toBe(401);
    // The invitee's own link still works, and registering with it gives them the shared study.
    expect((await hub.inject({ method: 'GET', url: `/register/${token}` })).statusCode).toBe(200);
    const registered = await hub.inject({ method: 'POST', url: `/register/${token}`, ...form({ name: 'Lara Later', password: 'lara’s own password', confirm: 'lara’s own password' }) });
    expect(registered.statusCode).toBe(200);
    const session = (await signIn('later.colleague@example.org', 'lara’s own password')).json().token;
    people.lara = { id: '', token: session };
    const personal = (await call('GET', '/api/worklists', 'lara')).json().worklists.find((w: { kind: string }) => w.kind === 'personal');
    expect((await call('GET', `/api/worklists/${personal.id}/studies`, 'lara')).json().total).toBe(1);
  });
});

describe.each(HUB_ENGINES)('hub: invitations through a real SMTP server (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-smtp-'));
  const received: { to: string; data: string }[] = [];
  let smtp: SMTPServer;
  let db: Kysely<HubDatabase>;
  let hubDatabase: TestHubDatabase;
  let hub: FastifyInstance;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(address, _session, callback) {
        callback(address.address.startsWith('refused') ? new Error('mailbox unavailable') : undefined);
      },
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    hubDatabase = await testHubDatabase(engine);
    db = hubDatabase.db;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`, dropDir: path.join(dir, 'drop') }, publicUrl: 'https://hub.example.org' });
    await hub.ready();
  });

  afterAll(async () => {
    await hub.close();
    await hubDatabase.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the invitation by SMTP, and keeps a refused one queued with the reason', async () => {
    const passwordHash = await hashPassword('long enough password');
    const site = await db.transaction().execute((trx) => createAccount(trx, 'Site S', { name: 'Sam Admin', email: 'sam@s.example', passwordHash }, new Date()));
    void site;
    const token = (await hub.inject({ method: 'POST', url: '/api/sessions', payload: { email: 'sam@s.example', password: 'long enough password' } })).json().token;
    const operate = (operations: unknown[]) => hub.inject({ method: 'POST', url: '/api/operations', payload: { operations }, headers: { authorization: `Bearer ${token}` } });
    const published = (await operate([{ id: randomUUID(), kind: 'study.publish', study: summary('1.9.9') }])).json().results[0].value.studyId;
    await operate([{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: published }, target: { email: 'guest@elsewhere.example' } }]);
    const got = await eventually(() => received, (list) => list.length === 1);
    expect(got[0].to).toBe('guest@elsewhere.example');
    expect(got[0].data).toContain('/register/');
    // Marked sent (and its link cleared) once the server has said yes.
    const sent = await eventually(
      () => db.selectFrom('mails').select(['sent_at', 'body']).executeTakeFirstOrThrow(),
      (row) => row.sent_at !== null,
    );
    expect(sent.body).toBe('');
    expect(readdirSync(dir)).not.toContain('drop');

    // A refused message stays queued with the server's reason, and the share stands.
    const [refused] = (await operate([{ id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: published }, target: { email: 'refused@elsewhere.example' } }])).json().results;
    expect(refused.status).toBe('applied');
    const queued = await eventually(
      () => db.selectFrom('mails').select(['sent_at', 'last_error', 'body']).where('to_address', '=', 'refused@elsewhere.example').executeTakeFirstOrThrow(),
      (row) => row.last_error !== null,
    );
    expect(queued.sent_at).toBeNull();
    expect(queued.last_error).toContain('mailbox unavailable');
    expect(queued.body).toContain('/register/');
  });
});
