/**
 * A site's download policy on both engines (issue 13, part 2; visibility rule 13): nobody,
 * everyone who can view, or selected roles decide who may save a study's files — the zip route,
 * a guest link that allows downloading, a collection's download right — while viewing (the
 * per-instance files route the viewer reads) stays open to whoever sees the study. Refusals say
 * why; an outsider is answered as for a study that does not exist; changes are on the trail.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../electron/main/dicom-write/synthetic-study';
import type { SitePolicy } from '../shared/permissions/site-policy';
import type { HubDatabase } from './db/schema';
import { testStudySummary } from './test-support/study-summary';
import { HUB_ENGINES } from './test-support/test-database';
import { startTwoSiteHub, type HttpMethod, type TestPerson, type TwoSiteHub } from './test-support/two-site-hub';

const ROOT = '1.2.826.0.1.3680043.10.1234.640';
const SOP = `${ROOT}.1.1.1`;

describe.each(HUB_ENGINES)('hub: the download policy (%s)', (engine) => {
  let db: Kysely<HubDatabase>;
  let fixture: TwoSiteHub;
  const clock = new Date('2031-04-01T08:00:00Z');
  let people: Record<string, TestPerson> = {};
  let studyId = '';
  let roles: { id: string; name: string }[] = [];

  const call = (method: HttpMethod, url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const download = (who: string, id = studyId) => call('GET', `/api/studies/${id}/download`, who);
  const policy = async (change: Partial<SitePolicy>) => {
    const current = (await call('GET', '/api/site/policy', 'admin')).json<{ policy: SitePolicy }>().policy;
    const answer = await call('PUT', '/api/site/policy', 'admin', { ...current, ...change });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<{ policy: SitePolicy }>().policy;
  };
  const roleId = (name: string) => roles.find((r) => r.name === name)!.id;

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['admin', 'adminB'] });
    ({ db, people } = fixture);
    for (const [name, role] of [
      ['rad', 'Radiologist'],
      ['tech', 'Technologist'],
      ['student', 'Physician'],
    ] as const) {
      await fixture.addPerson(name, fixture.siteA, role);
    }
    const published = await call('POST', '/api/operations', 'rad', { operations: [{ id: randomUUID(), kind: 'study.publish', study: testStudySummary(ROOT, 1) }] });
    studyId = String(published.json<{ results: { value: { studyId: string } }[] }>().results[0].value.studyId);
    const bytes = Buffer.from(writeInstance({ studyInstanceUid: `${ROOT}.1`, seriesInstanceUid: `${ROOT}.1.1`, seriesNumber: 1, modality: 'CT', sopInstanceUid: SOP, instanceNumber: 1 }));
    const uploaded = await fixture.hub.inject({ method: 'PUT', url: `/api/studies/${studyId}/files/${SOP}`, payload: bytes, headers: { authorization: `Bearer ${people.rad.token}`, 'content-type': 'application/dicom' } });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    roles = (await call('GET', '/api/site/policy', 'admin')).json<{ roles: { id: string; name: string }[] }>().roles;
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('starts a site on “everyone who can view”: a colleague downloads the zip, and it is on the study’s trail', async () => {
    expect((await call('GET', '/api/site/policy', 'admin')).json()).toMatchObject({ policy: { download: 'viewers', downloadRoleIds: [] } });
    const answer = await download('tech');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(answer.rawPayload.includes(Buffer.from(`${ROOT}.1/1-1-${SOP}.dcm`))).toBe(true);
    const trail = await db.selectFrom('audit_events').select(['actor_id', 'study_id']).where('action', '=', 'study.download').execute();
    expect(trail).toEqual([{ actor_id: people.tech.id, study_id: studyId }]);
  });

  it('under “nobody”: nobody but the site’s admins downloads, everyone who sees it still views its images', async () => {
    await policy({ download: 'nobody' });
    for (const who of ['tech', 'rad']) {
      const refused = await download(who);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({ code: 'no-download', message: expect.stringMatching(/download policy.*still view/) });
      // Viewing is not downloading: the viewer's per-instance route and the study's actions.
      expect((await call('GET', `/api/studies/${studyId}/files/${SOP}`, who)).statusCode).toBe(200);
    }
    expect((await download('admin')).statusCode).toBe(200);
    const actions = (await call('GET', `/api/studies/${studyId}`, 'tech')).json<{ study: { actions: string[] } }>().study.actions;
    expect(actions).toContain('view');
    expect(actions).not.toContain('download');
  });

  it('answers an outsider as for a study that does not exist', async () => {
    const outsider = await download('adminB');
    const missing = await download('adminB', randomUUID());
    expect([outsider.statusCode, missing.statusCode]).toEqual([404, 404]);
    expect(outsider.json()).toEqual(missing.json());
  });

  it('under “selected roles”: the people of a chosen role download, others do not; roles must be the site’s', async () => {
    await policy({ download: 'roles', downloadRoleIds: [roleId('Technologist')] });
    expect((await download('tech')).statusCode).toBe(200);
    expect((await download('rad')).statusCode).toBe(403);
    const stranger = await call('PUT', '/api/site/policy', 'admin', { ...(await call('GET', '/api/site/policy', 'admin')).json<{ policy: SitePolicy }>().policy, downloadRoleIds: [randomUUID()] });
    expect(stranger.statusCode).toBe(400);
    expect((await call('GET', '/api/site/policy', 'admin')).json()).toMatchObject({ policy: { download: 'roles', downloadRoleIds: [roleId('Technologist')] } });
  });

  it('refuses a guest link that allows downloading to someone the policy does not let download; one without downloading is made', async () => {
    const refused = await call('POST', '/api/guest-links', 'rad', { studyIds: [studyId], protection: { kind: 'none' }, allowDownload: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/cannot allow downloading/);
    expect((await call('POST', '/api/guest-links', 'rad', { studyIds: [studyId], protection: { kind: 'none' }, allowDownload: false })).statusCode).toBe(201);
    expect((await db.selectFrom('guest_links').select('allow_download').execute()).map((l) => l.allow_download)).toEqual([0]);
  });

  it('needs a collection’s download right from someone who sees the study only through it', async () => {
    await policy({ viewing: 'participated', download: 'viewers', downloadRoleIds: [] });
    const collection = (await call('POST', '/api/collections', 'rad', { name: 'Teaching' })).json<{ collection: { id: string } }>().collection.id;
    await call('POST', '/api/operations', 'rad', { operations: [{ id: randomUUID(), kind: 'collection.add', collectionId: collection, study: { id: studyId } }] });
    await call('PUT', `/api/collections/${collection}/members`, 'rad', { kind: 'user', memberId: people.student.id, rights: [] });
    const refused = await download('student');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/rights in the collection/);
    await call('PUT', `/api/collections/${collection}/members`, 'rad', { kind: 'user', memberId: people.student.id, rights: ['download'] });
    expect((await download('student')).statusCode).toBe(200);
  });

  it('records each change of the download policy from what to what', async () => {
    const events = await db.selectFrom('audit_events').select(['detail', 'actor_id']).where('action', '=', 'site.policy').orderBy('seq').execute();
    const changes = events.map((e) => JSON.parse(e.detail) as { downloadFrom: string; downloadTo: string });
    expect(changes.map((c) => `${c.downloadFrom} → ${c.downloadTo}`)).toEqual(['viewers → nobody', `nobody → roles ${roleId('Technologist')}`, `roles ${roleId('Technologist')} → viewers`]);
    expect(new Set(events.map((e) => e.actor_id))).toEqual(new Set([people.admin.id]));
  });
});
