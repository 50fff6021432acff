/**
 * Collections on both engines (issue 13): made by those holding collections.create, studies put
 * in and out by sync operation (by reference: no share is touched), shared with users and groups
 * with KHEOPS-style rights — a read-only member views but may not add; a private study goes in
 * only by its uploader or an admin, and its members then see it; the last manager stays; a late
 * add to a deleted collection is refused with why; the change feed tells a member a study left
 * them; everything is on the trails.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudySummary } from '../shared/types/study';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES } from './test-support/test-database';
import { startTwoSiteHub, type HttpMethod, type TestPerson, type TwoSiteHub } from './test-support/two-site-hub';

const summary = (uid: string, name: string): StudySummary => ({
  studyInstanceUid: uid,
  patientName: name,
  patientId: `P-${uid}`,
  patientBirthDate: '1960-01-01',
  studyDate: '2024-05-01',
  studyTime: '10:00:00',
  patientSex: 'F',
  accessionNumber: `ACC-${uid}`,
  studyDescription: 'CT Head',
  referringPhysicianName: null,
  institutionName: 'Site A',
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 1,
});


describe.each(HUB_ENGINES)('hub: collections (%s)', (engine) => {
  let db: Kysely<HubDatabase>;
  let fixture: TwoSiteHub;
  const clock = new Date('2031-04-01T08:00:00Z');
  let people: Record<string, TestPerson> = {};
  const studies: Record<string, string> = {};
  let teaching = '';
  let board = '';

  const call = (method: HttpMethod, url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const operate = (who: string, ...operations: unknown[]) => fixture.operate(who, ...operations);
  const add = (who: string, collectionId: string, study: string, seriesUids: string[] | null = null) => operate(who, { id: randomUUID(), kind: 'collection.add', collectionId, study: { id: studies[study] }, seriesUids });
  const inCollection = async (who: string, id: string) => {
    const answer = await call('GET', `/api/collections/${id}/studies?limit=100`, who);
    if (answer.statusCode !== 200) return answer.statusCode;
    const ids = answer.json<{ studies: { studyId: string }[] }>().studies.map((s) => s.studyId);
    return Object.entries(studies).filter(([, sid]) => ids.includes(sid)).map(([name]) => name).sort();
  };
  const sees = async (who: string) => {
    const ids = (await call('GET', '/api/studies?limit=100', who)).json<{ studies: { studyId: string }[] }>().studies.map((s) => s.studyId);
    return Object.entries(studies).filter(([, sid]) => ids.includes(sid)).map(([name]) => name).sort();
  };

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['admin', 'adminB'] });
    ({ db, people } = fixture);
    for (const [name, role] of [
      ['teacher', 'Radiologist'],
      ['student', 'Physician'],
      ['tech', 'Technologist'],
    ] as const) {
      await fixture.addPerson(name, fixture.siteA, role);
    }
    for (const [name, uploader, isPrivate] of [
      ['case1', 'teacher', false],
      ['case2', 'teacher', false],
      ['secret', 'tech', true],
    ] as const) {
      const [result] = await operate(uploader, { id: randomUUID(), kind: 'study.publish', study: summary(`1.3.${Object.keys(studies).length + 1}`, name), private: isPrivate });
      expect(result.status).toBe('applied');
      studies[name] = String(result.value!.studyId);
    }
    // Participated only: the student sees nothing of the site except through shares and collections.
    await call('PUT', '/api/site/policy', 'admin', { viewing: 'participated', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true });
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('is made by those holding collections.create; its maker manages it', async () => {
    expect((await call('POST', '/api/collections', 'tech', { name: 'Nope' })).statusCode).toBe(403);
    const made = await call('POST', '/api/collections', 'teacher', { name: 'Teaching set', description: 'Head CT' });
    expect(made.statusCode).toBe(201);
    teaching = made.json<{ collection: { id: string } }>().collection.id;
    expect(made.json()).toMatchObject({ collection: { name: 'Teaching set', description: 'Head CT', studyCount: 0, rights: expect.arrayContaining(['manage', 'add', 'invite']) } });
    expect((await call('GET', '/api/collections', 'student')).json()).toEqual({ collections: [] });
  });

  it('takes studies by reference, counts them, and lets a read-only member view but not add', async () => {
    for (const study of ['case1', 'case2']) expect((await add('teacher', teaching, study))[0].status).toBe('applied');
    // Twice is once.
    expect((await add('teacher', teaching, 'case1'))[0].value).toMatchObject({ alreadyIn: true });
    expect(await sees('student')).toEqual([]);
    const invited = await call('PUT', `/api/collections/${teaching}/members`, 'teacher', { kind: 'user', memberId: people.student.id, rights: [] });
    expect(invited.statusCode).toBe(200);
    expect(await inCollection('student', teaching)).toEqual(['case1', 'case2']);
    expect(await sees('student')).toEqual(['case1', 'case2']);
    expect((await call('GET', '/api/collections', 'student')).json()).toMatchObject({ collections: [{ name: 'Teaching set', studyCount: 2, rights: [] }] });
    const refused = await add('student', teaching, 'case1');
    expect(refused[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden', message: expect.stringMatching(/do not include adding/) } });
    // Not a member: no such collection, to them.
    expect(await inCollection('tech', teaching)).toBe(404);
    expect(await inCollection('adminB', teaching)).toBe(404);
  });

  it('puts a private study in only by its uploader or an admin; its members then see it', async () => {
    const byOther = await add('teacher', teaching, 'secret');
    expect(byOther[0].status).toBe('rejected');
    // The teacher cannot even see it (private, not theirs): it is not found to them.
    expect(byOther[0].error!.code).toBe('study-not-found');
    await call('PUT', `/api/collections/${teaching}/members`, 'teacher', { kind: 'user', memberId: people.tech.id, rights: ['add'] });
    expect((await add('tech', teaching, 'secret'))[0].status).toBe('applied');
    expect(await inCollection('student', teaching)).toEqual(['case1', 'case2', 'secret']);
    expect(await sees('student')).toEqual(['case1', 'case2', 'secret']);
    // The site's admin is no member of this collection: no taking out for them.
    expect((await operate('admin', { id: randomUUID(), kind: 'collection.remove', collectionId: teaching, study: { id: studies.secret } }))[0].status).toBe('rejected');
  });

  it('gives a new member only rights the inviter holds, and keeps the last manager', async () => {
    await call('PUT', `/api/collections/${teaching}/members`, 'teacher', { kind: 'user', memberId: people.tech.id, rights: ['add', 'invite'] });
    const tooMuch = await call('PUT', `/api/collections/${teaching}/members`, 'tech', { kind: 'user', memberId: people.admin.id, rights: ['manage'] });
    expect(tooMuch.statusCode).toBe(403);
    expect(tooMuch.json().error.message).toMatch(/only rights you hold/);
    const demote = await call('PUT', `/api/collections/${teaching}/members`, 'teacher', { kind: 'user', memberId: people.teacher.id, rights: ['add'] });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.message).toMatch(/at least one manager/);
    expect((await call('DELETE', `/api/collections/${teaching}/members/user/${people.teacher.id}`, 'teacher')).statusCode).toBe(409);
    // Someone of another site is no member to add.
    expect((await call('PUT', `/api/collections/${teaching}/members`, 'teacher', { kind: 'user', memberId: people.adminB.id, rights: [] })).statusCode).toBe(404);
    // Candidates to invite: people and groups of its site by name, not yet members; for those who may invite.
    const found = (await call('GET', `/api/collections/${teaching}/candidates?q=ADM`, 'teacher')).json<{ candidates: { name: string }[] }>().candidates;
    expect(found.map((c) => c.name)).toEqual(['Admin A']);
    expect((await call('GET', `/api/collections/${teaching}/candidates?q=%25`, 'teacher')).json<{ candidates: unknown[] }>().candidates).toEqual([]);
    expect((await call('GET', `/api/collections/${teaching}/candidates?q=adm`, 'student')).statusCode).toBe(403);
    const members = (await call('GET', `/api/collections/${teaching}/members`, 'student')).json<{ members: { name: string; rights: string[] }[] }>().members;
    expect(members.map((m) => `${m.name}:${m.rights.join('+')}`).sort()).toEqual(['student:', 'teacher:manage', 'tech:add+invite']);
  });

  it('takes a study out without touching any share, and the feed tells the member it left them', async () => {
    const [shared] = await operate('teacher', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studies.case2 }, target: { userId: people.tech.id } });
    expect(shared.status).toBe('applied');
    const { cursor } = (await call('GET', '/api/changes?after=0', 'student')).json<{ cursor: number }>();
    expect((await operate('tech', { id: randomUUID(), kind: 'collection.remove', collectionId: teaching, study: { id: studies.case2 } }))[0].status).toBe('rejected');
    const [removed] = await operate('teacher', { id: randomUUID(), kind: 'collection.remove', collectionId: teaching, study: { id: studies.case2 } });
    expect(removed).toMatchObject({ status: 'applied', value: { removed: true } });
    expect(await inCollection('student', teaching)).toEqual(['case1', 'secret']);
    expect(await sees('tech')).toContain('case2');
    const feed = (await call('GET', `/api/changes?after=${cursor}`, 'student')).json<{ changes: { studyId: string; visible: boolean }[] }>().changes;
    expect(feed).toContainEqual({ studyId: studies.case2, visible: false });
  });

  it('refuses a late add to a deleted collection with why, and its members stop seeing its studies', async () => {
    board = (await call('POST', '/api/collections', 'teacher', { name: 'Tumour board' })).json<{ collection: { id: string } }>().collection.id;
    await call('PUT', `/api/collections/${board}/members`, 'teacher', { kind: 'user', memberId: people.student.id, rights: ['add'] });
    expect((await call('DELETE', `/api/collections/${board}`, 'student')).statusCode).toBe(403);
    expect((await call('DELETE', `/api/collections/${board}`, 'teacher')).statusCode).toBe(204);
    const late = await add('student', board, 'case1');
    expect(late[0]).toMatchObject({ status: 'rejected', error: { code: 'collection-deleted', message: expect.stringMatching(/Tumour board.*was deleted/) } });
    expect((await call('GET', '/api/collections', 'student')).json<{ collections: { name: string }[] }>().collections.map((c) => c.name)).toEqual(['Teaching set']);
  });

  it('records everything on the trails: the collection’s on its site’s, studies in and out on theirs', async () => {
    const changes = await db.selectFrom('audit_events').select(['detail']).where('action', '=', 'collection.change').orderBy('seq').execute();
    expect(changes.map((e) => (JSON.parse(e.detail) as { change: string }).change)).toEqual(['created', 'member-added', 'member-added', 'member-rights', 'created', 'member-added', 'deleted']);
    const studyEvents = await db.selectFrom('audit_events').select(['study_id', 'detail', 'trail']).where('action', '=', 'collection.study').orderBy('seq').execute();
    expect(studyEvents.map((e) => `${e.trail}:${Object.entries(studies).find(([, id]) => id === e.study_id)![0]}:${(JSON.parse(e.detail) as { change: string }).change}`)).toEqual([
      'study:case1:added',
      'study:case2:added',
      'study:secret:added',
      'study:case2:removed',
    ]);
  });
});
