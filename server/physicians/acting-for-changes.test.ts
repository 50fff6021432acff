/**
 * Issue 14, parts 3 and 5, through the hub's real routes on both engines: a physician added to
 * studies by hand (the outbox's `physician.link` / `physician.unlink`, and the directory search
 * that Add physician… uses), and every change a case manager makes — share, remove a share, mark
 * private, comment, add or take off a physician, answer an access request — recorded as theirs,
 * for the physician (`on_behalf_of`), checked on the audit rows themselves.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../../shared/types/study';
import type { HubDatabase } from '../db/schema';
import { testStudySummary } from '../test-support/study-summary';
import { HUB_ENGINES } from '../test-support/test-database';
import { startTwoSiteHub, type TwoSiteHub } from '../test-support/two-site-hub';
import { runRelinks } from './physician-linking';

const summary = (n: number, referring: string | null): StudySummary => ({ ...testStudySummary('1.2.826', n), referringPhysicianName: referring });

describe.each(HUB_ENGINES)('hub: physicians added by hand, a case manager’s changes recorded for the physician (%s)', (engine) => {
  let db: Kysely<HubDatabase>;
  let fixture: TwoSiteHub;
  const clock = new Date('2031-06-01T08:00:00Z');
  const doctors: Record<string, string> = {};
  const studies: Record<string, string> = {};
  let uidCount = 0;

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const op = async (who: string, operation: Record<string, unknown>) => (await fixture.operate(who, { id: randomUUID(), ...operation }))[0];
  const publish = async (name: string, referring: string | null, who = 'rad') => {
    const result = await op(who, { kind: 'study.publish', study: summary(++uidCount, referring) });
    expect(result.status, JSON.stringify(result)).toBe('applied');
    studies[name] = String(result.value!.studyId);
  };
  const addDoctor = async (key: string, familyName: string, givenNames: string, who = 'admin') => {
    const answer = await call('POST', '/api/physicians', who, { displayName: `${givenNames} ${familyName}`, familyName, givenNames });
    expect(answer.statusCode, answer.body).toBe(201);
    doctors[key] = answer.json<{ physician: { id: string } }>().physician.id;
    await runRelinks(db, () => clock);
  };
  const onStudy = async (study: string) =>
    (await call('GET', `/api/studies/${studies[study]}/physicians`, 'admin')).json<{ physicians: { id: string; relation: string }[] }>().physicians.map((p) => [Object.keys(doctors).find((k) => doctors[k] === p.id), p.relation]);
  /** The audit rows of one action on a study: who, for whom (user, physician). */
  const audit = (study: string, action: string) =>
    db.selectFrom('audit_events').select(['actor_id', 'on_behalf_of', 'on_behalf_of_physician']).where('study_id', '=', studies[study]).where('action', '=', action as never).orderBy('at').execute();

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock });
    db = fixture.db;
    await fixture.addPerson('rad', fixture.siteA, 'Radiologist', 'Rad');
    await fixture.addPerson('tech', fixture.siteA, 'Technologist', 'Tech');
    await fixture.addPerson('paula', fixture.siteA, 'Physician', 'Paula Physician');
    await fixture.addPerson('carl', fixture.siteA, 'Case Manager', 'Carl Case Manager');
    await fixture.addPerson('radB', fixture.siteB, 'Radiologist', 'Rad B');
    const policy = (await call('GET', '/api/site/policy', 'admin')).json<{ policy: Record<string, unknown> }>().policy;
    expect((await call('PUT', '/api/site/policy', 'admin', { ...policy, viewing: 'participated' })).statusCode).toBe(200);
    await addDoctor('paula', 'Physician', 'Paula');
    expect((await call('PUT', `/api/physicians/${doctors.paula}`, 'admin', { displayName: 'Paula Physician', familyName: 'Physician', givenNames: 'Paula', userId: fixture.people.paula.id })).statusCode).toBe(200);
    await addDoctor('oscar', 'Núñez', 'Óscar');
    await addDoctor('olga', 'Nunes', 'Olga');
    await addDoctor('bernd', 'Bauer', 'Bernd', 'adminB');
    expect((await call('PUT', `/api/users/${fixture.people.carl.id}/acts-for`, 'admin', { physicianIds: [doctors.paula, doctors.oscar] })).statusCode).toBe(200);
    await publish('paulas', 'Physician^Paula');
    await publish('plain', null);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('searches the caller’s own site’s directory by surname for Add physician…, names only, never another site’s', async () => {
    // (The prefix is compared case-insensitively, accents kept: 'n' finds Núñez, 'nun' would not.)
    const found = await call('GET', '/api/physicians/directory?surname=n', 'rad');
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<{ physicians: { displayName: string }[] }>().physicians.map((p) => p.displayName)).toEqual(['Olga Nunes', 'Óscar Núñez']);
    expect(Object.keys(found.json<{ physicians: Record<string, unknown>[] }>().physicians[0]).sort()).toEqual(['displayName', 'id', 'specialty']);
    // Site B sees its own directory only; someone without the right to share sees none of it.
    expect((await call('GET', '/api/physicians/directory?surname=n', 'radB')).json()).toEqual({ physicians: [] });
    expect((await fixture.call('GET', '/api/physicians/directory', null)).statusCode).toBe(401);
  });

  it('adds a physician to studies as associated through the outbox, once, and takes them off again; audited', async () => {
    const added = await op('rad', { kind: 'physician.link', study: { id: studies.plain }, physicianId: doctors.oscar });
    expect(added).toMatchObject({ status: 'applied', value: { added: true } });
    expect((await op('rad', { kind: 'physician.link', study: { id: studies.plain }, physicianId: doctors.oscar })).value).toMatchObject({ added: false });
    expect(await onStudy('plain')).toEqual([['oscar', 'associated']]);
    expect(await audit('plain', 'physician.link')).toEqual([{ actor_id: fixture.people.rad.id, on_behalf_of: null, on_behalf_of_physician: null }]);

    const removed = await op('rad', { kind: 'physician.unlink', study: { id: studies.plain }, physicianId: doctors.oscar });
    expect(removed).toMatchObject({ status: 'applied', value: { removed: true } });
    expect((await op('rad', { kind: 'physician.unlink', study: { id: studies.plain }, physicianId: doctors.oscar })).value).toMatchObject({ removed: false });
    expect(await onStudy('plain')).toEqual([]);
    expect(await audit('plain', 'physician.unlink')).toHaveLength(1);
  });

  it('refuses with why: a physician of another site, a study unseen, no right to share, a link from DICOM data', async () => {
    const otherSite = await op('rad', { kind: 'physician.link', study: { id: studies.plain }, physicianId: doctors.bernd });
    expect(otherSite).toMatchObject({ status: 'rejected' });
    expect(JSON.stringify(otherSite)).not.toContain('Bauer');
    expect(await op('radB', { kind: 'physician.link', study: { id: studies.plain }, physicianId: doctors.bernd })).toMatchObject({ status: 'rejected', error: { code: 'study-not-found' } });
    expect(await op('tech', { kind: 'physician.link', study: { id: studies.plain }, physicianId: doctors.oscar })).toMatchObject({ status: 'rejected' });
    // Paula is on her study from its DICOM data: not something to take off by hand.
    expect(await op('rad', { kind: 'physician.unlink', study: { id: studies.paulas }, physicianId: doctors.paula })).toMatchObject({ status: 'rejected', error: { code: 'not-associated' } });
    expect(await onStudy('paulas')).toEqual([['paula', 'referring']]);
    expect(await onStudy('plain')).toEqual([]);
  });

  it('records every change a case manager makes for the physician: share, remove, comment, add physician, answer a request', async () => {
    const carl = fixture.people.carl.id;
    const forPaula = { actor_id: carl, on_behalf_of: fixture.people.paula.id, on_behalf_of_physician: doctors.paula };
    // Share, naming the doctor (the Share dialog's For), then remove it.
    const shareId = randomUUID();
    expect(await op('carl', { kind: 'share.create', shareId, study: { id: studies.paulas }, target: { userId: fixture.people.tech.id }, forPhysicianId: doctors.paula })).toMatchObject({ status: 'applied' });
    expect(await audit('paulas', 'share.create')).toEqual([forPaula]);
    // A doctor carl acts for who is not on the study, and one he does not act for: refused with why.
    expect(await op('carl', { kind: 'share.create', shareId: randomUUID(), study: { id: studies.paulas }, target: { userId: fixture.people.rad.id }, forPhysicianId: doctors.oscar })).toMatchObject({ status: 'rejected', error: { code: 'physician-not-on-study' } });
    expect(await op('carl', { kind: 'share.create', shareId: randomUUID(), study: { id: studies.paulas }, target: { userId: fixture.people.rad.id }, forPhysicianId: doctors.olga })).toMatchObject({ status: 'rejected', error: { code: 'not-acting-for' } });
    expect(await op('carl', { kind: 'share.remove', shareId })).toMatchObject({ status: 'applied' });
    expect(await audit('paulas', 'share.remove')).toEqual([forPaula]);
    // Comment.
    expect(await op('carl', { kind: 'comment.add', commentId: randomUUID(), study: { id: studies.paulas }, text: 'Seen for Dr Physician' })).toMatchObject({ status: 'applied' });
    expect(await audit('paulas', 'comment.add')).toEqual([forPaula]);
    // A physician added by hand, for Paula.
    expect(await op('carl', { kind: 'physician.link', study: { id: studies.paulas }, physicianId: doctors.olga, forPhysicianId: doctors.paula })).toMatchObject({ status: 'applied' });
    expect(await audit('paulas', 'physician.link')).toEqual([forPaula]);
    // Someone acting for nobody names nobody.
    expect(await op('rad', { kind: 'physician.link', study: { id: studies.paulas }, physicianId: doctors.oscar, forPhysicianId: doctors.paula })).toMatchObject({ status: 'rejected', error: { code: 'not-acting-for' } });

    // An access request for Paula's study reaches carl, and his approval is recorded for her.
    const requested = await call('POST', `/api/studies/${studies.paulas}/access-requests`, 'radB', { message: 'Second opinion' });
    expect(requested.statusCode, requested.body).toBe(201);
    const incoming = (await call('GET', '/api/access-requests', 'carl')).json<{ incoming: { id: string; studyId: string }[] }>().incoming;
    const request = incoming.find((r) => r.studyId === studies.paulas)!;
    expect(request).toBeDefined();
    // Not for anyone else's case manager, nor for a plain colleague.
    expect((await call('GET', '/api/access-requests', 'tech')).json<{ incoming: unknown[] }>().incoming).toEqual([]);
    expect((await call('POST', `/api/access-requests/${request.id}/decision`, 'tech', { approve: true })).statusCode).toBe(404);
    const decided = await call('POST', `/api/access-requests/${request.id}/decision`, 'carl', { approve: true });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(await audit('paulas', 'access.decide')).toEqual([forPaula]);
    expect((await audit('paulas', 'share.create')).at(-1)).toEqual(forPaula);
    const share = await db.selectFrom('shares').select('on_behalf_of_physician').where('study_id', '=', studies.paulas).where('user_id', '=', fixture.people.radB.id).executeTakeFirstOrThrow();
    expect(share.on_behalf_of_physician).toBe(doctors.paula);

    // Marking private is not the Case Manager role's (studies.private): refused, nothing recorded.
    expect(await op('carl', { kind: 'study.private', study: { id: studies.paulas }, private: true })).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect(await audit('paulas', 'study.private')).toEqual([]);
  });
});
