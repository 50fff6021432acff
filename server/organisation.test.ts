/**
 * A site's organisation on both engines (issue 13): the viewing policy decides what members see
 * in their lists (participated, department, whole site; named people and roles see the whole
 * site; admins always do), departments are created, renamed, deleted and their members changed
 * with the effect at the next request, studies are marked private where the rules allow, and
 * every change is on the site's trail. Refusals say why and change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SitePolicy } from '../shared/permissions/site-policy';
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

describe.each(HUB_ENGINES)('hub: viewing policy, departments, private studies (%s)', (engine) => {
  let db: Kysely<HubDatabase>;
  let fixture: TwoSiteHub;
  const clock = new Date('2031-04-01T08:00:00Z');
  let people: Record<string, TestPerson> = {};
  const studies: Record<string, string> = {};
  let siteA = '';
  let neuro = '';

  const call = (method: HttpMethod, url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const operate = (who: string, ...operations: unknown[]) => fixture.operate(who, ...operations);
  /** The names of the studies someone's list shows, sorted. */
  const sees = async (who: string) => {
    const answer = await call('GET', '/api/studies?limit=100', who);
    expect(answer.statusCode, answer.body).toBe(200);
    const ids = answer.json<{ studies: { studyId: string }[] }>().studies.map((s) => s.studyId);
    return Object.entries(studies).filter(([, id]) => ids.includes(id)).map(([name]) => name).sort();
  };
  /** Why each study someone's list shows is there, by name (the list's `reason`). */
  const reasons = async (who: string) => {
    const answer = await call('GET', '/api/studies?limit=100', who);
    const rows = answer.json<{ studies: { studyId: string; reason: string | null }[] }>().studies;
    return Object.fromEntries(Object.entries(studies).flatMap(([name, id]) => rows.filter((r) => r.studyId === id).map((r) => [name, r.reason])));
  };
  const policy = async (change: Partial<SitePolicy>, who = 'admin') => {
    const current = (await call('GET', '/api/site/policy', who)).json<{ policy: SitePolicy }>().policy;
    return call('PUT', '/api/site/policy', who, { ...current, ...change });
  };

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['admin', 'adminB'] });
    ({ db, people } = fixture);
    siteA = fixture.siteA;
    for (const [name, role] of [
      ['rad', 'Radiologist'],
      ['phys', 'Radiologist'],
      ['tech', 'Technologist'],
      ['qa', 'Technologist'],
    ] as const) {
      await fixture.addPerson(name, siteA, role);
    }
    for (const [name, uploader] of [
      ['byRad', 'rad'],
      ['byPhys', 'phys'],
      ['byTech', 'tech'],
    ] as const) {
      const [result] = await operate(uploader, { id: randomUUID(), kind: 'study.publish', study: summary(`1.2.${Object.keys(studies).length + 1}`, name) });
      expect(result.status).toBe('applied');
      studies[name] = String(result.value!.studyId);
    }
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('starts a site on the whole-site policy: every member sees every study of the site', async () => {
    const answer = await call('GET', '/api/site/policy', 'admin');
    expect(answer.json()).toMatchObject({ policy: { viewing: 'site', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true } });
    expect(await sees('phys')).toEqual(['byPhys', 'byRad', 'byTech']);
    expect(await sees('adminB')).toEqual([]);
  });

  it('lets only those holding admin.policy read or set it, for their own site', async () => {
    for (const who of ['rad', 'phys', 'tech']) {
      expect((await call('GET', '/api/site/policy', who)).statusCode).toBe(403);
      expect((await policy({ viewing: 'participated' }, 'admin')).statusCode).toBe(200);
      expect((await call('PUT', '/api/site/policy', who, { viewing: 'site', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true })).statusCode).toBe(403);
    }
    // Site B's admin sets site B's, not A's.
    expect((await policy({ viewing: 'department' }, 'adminB')).statusCode).toBe(200);
    expect((await call('GET', '/api/site/policy', 'admin')).json()).toMatchObject({ policy: { viewing: 'participated' } });
    await policy({ viewing: 'site' });
  });

  it('manages departments: add, add members, rename; members must be of the site; on the trail', async () => {
    const added = await call('POST', '/api/departments', 'admin', { name: 'Neuro' });
    expect(added.statusCode).toBe(201);
    neuro = added.json<{ department: { id: string } }>().department.id;
    for (const who of ['rad', 'phys']) expect((await call('POST', `/api/departments/${neuro}/members`, 'admin', { userId: people[who].id })).statusCode).toBe(200);
    // Twice is once.
    const again = await call('POST', `/api/departments/${neuro}/members`, 'admin', { userId: people.rad.id });
    expect(again.json<{ department: { members: { name: string }[] } }>().department.members.map((m) => m.name)).toEqual(['phys', 'rad']);
    // Someone of another site is not a member to add.
    const stranger = await call('POST', `/api/departments/${neuro}/members`, 'admin', { userId: people.adminB.id });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().error.message).toMatch(/not a user of your site/);
    expect((await call('PUT', `/api/departments/${neuro}`, 'admin', { name: 'Neuroradiology' })).json()).toMatchObject({ department: { name: 'Neuroradiology' } });
    expect((await call('PUT', `/api/departments/${neuro}`, 'admin', { name: '  ' })).statusCode).toBe(400);
    expect((await call('GET', '/api/departments', 'tech')).statusCode).toBe(403);
    expect((await call('GET', '/api/departments', 'adminB')).json()).toEqual({ departments: [] });
    const trail = await db.selectFrom('audit_events').select(['detail', 'trail', 'account_id']).where('action', '=', 'department.change').orderBy('seq').execute();
    expect(trail.map((e) => (JSON.parse(e.detail) as { change: string }).change)).toEqual(['created', 'member-added', 'member-added', 'renamed']);
    expect(new Set(trail.map((e) => `${e.trail}:${e.account_id}`))).toEqual(new Set([`account:${siteA}`]));
  });

  it('under the department policy: members see each other’s studies, others only their own; admins and named people the whole site', async () => {
    const answer = await policy({ viewing: 'department', wholeSiteUserIds: [people.qa.id] });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(await sees('phys')).toEqual(['byPhys', 'byRad']);
    expect(await sees('rad')).toEqual(['byPhys', 'byRad']);
    expect(await sees('tech')).toEqual(['byTech']);
    expect(await sees('qa')).toEqual(['byPhys', 'byRad', 'byTech']);
    expect(await sees('admin')).toEqual(['byPhys', 'byRad', 'byTech']);
    // Each row says why it is there: the "Department" badge comes from this reason.
    expect(await reasons('phys')).toEqual({ byPhys: 'uploader', byRad: 'department' });
    expect(await reasons('qa')).toEqual({ byPhys: 'account', byRad: 'account', byTech: 'account' });
    expect(await reasons('admin')).toEqual({ byPhys: 'admin', byRad: 'admin', byTech: 'admin' });
    // The trail: from → to, ids only.
    const [event] = await db.selectFrom('audit_events').select(['detail', 'actor_id']).where('action', '=', 'site.policy').orderBy('seq', 'desc').limit(1).execute();
    expect(JSON.parse(event.detail)).toMatchObject({ from: 'site', to: 'department', wholeSiteTo: people.qa.id });
    expect(event.actor_id).toBe(people.admin.id);
  });

  it('gives a named role the whole site, and under participated only what reached each member', async () => {
    const roles = (await call('GET', '/api/site/policy', 'admin')).json<{ roles: { id: string; name: string }[] }>().roles;
    const technologist = roles.find((r) => r.name === 'Technologist')!.id;
    await policy({ viewing: 'participated', wholeSiteUserIds: [], wholeSiteRoleIds: [technologist] });
    expect(await sees('phys')).toEqual(['byPhys']);
    expect(await sees('rad')).toEqual(['byRad']);
    expect(await sees('tech')).toEqual(['byPhys', 'byRad', 'byTech']);
    await policy({ wholeSiteRoleIds: [] });
    expect(await sees('tech')).toEqual(['byTech']);
  });

  it('takes a department’s visibility away at once when a member is removed', async () => {
    await policy({ viewing: 'department' });
    expect(await sees('phys')).toEqual(['byPhys', 'byRad']);
    const removed = await call('DELETE', `/api/departments/${neuro}/members/${people.rad.id}`, 'admin');
    expect(removed.statusCode).toBe(200);
    expect(await sees('phys')).toEqual(['byPhys']);
    expect(await sees('rad')).toEqual(['byRad']);
    await call('POST', `/api/departments/${neuro}/members`, 'admin', { userId: people.rad.id });
  });

  it('hides a study made private from the department (and the whole site), not from its uploader or admins; both on the trail', async () => {
    const [made] = await operate('admin', { id: randomUUID(), kind: 'study.private', study: { id: studies.byRad }, private: true });
    expect(made.status).toBe('applied');
    expect(await sees('phys')).toEqual(['byPhys']);
    expect(await sees('rad')).toEqual(['byPhys', 'byRad']);
    expect(await sees('admin')).toEqual(['byPhys', 'byRad', 'byTech']);
    await policy({ viewing: 'site' });
    expect(await sees('tech')).toEqual(['byPhys', 'byTech']);
    const [unmarked] = await operate('rad', { id: randomUUID(), kind: 'study.private', study: { id: studies.byRad }, private: false });
    expect(unmarked.status).toBe('applied');
    expect(await sees('tech')).toEqual(['byPhys', 'byRad', 'byTech']);
    const trail = await db.selectFrom('audit_events').select(['detail', 'actor_id']).where('action', '=', 'study.private').where('study_id', '=', studies.byRad).orderBy('seq').execute();
    expect(trail.map((e) => [e.actor_id, JSON.parse(e.detail)])).toEqual([
      [people.admin.id, { private: true }],
      [people.rad.id, { private: false }],
    ]);
  });

  it('refuses marking private without the permission, someone else’s study, or as uploader where the site does not let uploaders — nothing changes', async () => {
    const [noPermission] = await operate('tech', { id: randomUUID(), kind: 'study.private', study: { id: studies.byTech }, private: true });
    expect(noPermission).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    const [notTheirs] = await operate('rad', { id: randomUUID(), kind: 'study.private', study: { id: studies.byPhys }, private: true });
    expect(notTheirs).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    await policy({ uploaderMarksPrivate: false });
    const [notAllowed] = await operate('phys', { id: randomUUID(), kind: 'study.private', study: { id: studies.byPhys }, private: true });
    expect(notAllowed).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    await policy({ uploaderMarksPrivate: true });
    const [allowed] = await operate('phys', { id: randomUUID(), kind: 'study.private', study: { id: studies.byPhys }, private: true });
    expect(allowed.status).toBe('applied');
    await operate('phys', { id: randomUUID(), kind: 'study.private', study: { id: studies.byPhys }, private: false });
    expect(await sees('tech')).toEqual(['byPhys', 'byRad', 'byTech']);
  });

  it('refuses a bad policy with words, and whole-site access for someone of another site', async () => {
    const bad = await call('PUT', '/api/site/policy', 'admin', { viewing: 'everyone', wholeSiteUserIds: [], wholeSiteRoleIds: [], uploaderMarksPrivate: true });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid-input');
    const stranger = await policy({ wholeSiteUserIds: [people.adminB.id] });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.message).toMatch(/people and roles of your site/);
    expect((await call('GET', '/api/site/policy', 'admin')).json()).toMatchObject({ policy: { wholeSiteUserIds: [] } });
  });

  it('answers a list read racing a policy change with one policy or the other, never a mix', async () => {
    await policy({ viewing: 'site' });
    const current = (await call('GET', '/api/site/policy', 'admin')).json<{ policy: SitePolicy }>().policy;
    const [listed] = await Promise.all([sees('tech'), call('PUT', '/api/site/policy', 'admin', { ...current, viewing: 'participated' })]);
    expect([['byPhys', 'byRad', 'byTech'], ['byTech']]).toContainEqual(listed);
    expect(await sees('tech')).toEqual(['byTech']);
    await policy({ viewing: 'site' });
  });

  it('refuses deleting a department whose worklist received studies (nothing lost), deletes an unused one', async () => {
    const worklist = (await call('GET', '/api/worklists', 'rad')).json<{ worklists: { id: string; name: string }[] }>().worklists.find((w) => w.name === 'Neuroradiology')!;
    const [shared] = await operate('rad', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studies.byRad }, target: { worklistId: worklist.id } });
    expect(shared.status).toBe('applied');
    const refused = await call('DELETE', `/api/departments/${neuro}`, 'admin');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/would lose them/);
    expect((await call('GET', '/api/departments', 'admin')).json<{ departments: unknown[] }>().departments).toHaveLength(1);
    const spare = (await call('POST', '/api/departments', 'admin', { name: 'Spare' })).json<{ department: { id: string } }>().department.id;
    expect((await call('DELETE', `/api/departments/${spare}`, 'admin')).statusCode).toBe(204);
    const gone = await call('POST', `/api/departments/${spare}/members`, 'admin', { userId: people.rad.id });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.message).toMatch(/does not exist/);
  });
});
