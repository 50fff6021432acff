/**
 * Access requests on both engines (issue 13): someone who cannot see a study asks; its uploader
 * and its site's admins see the request, approve (a direct share: the requester sees the study,
 * and the share is removed like any other) or deny; the requester reads the answer either way;
 * asking twice is once; nobody else answers; everything is on the study's trail.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubDatabase } from './db/schema';
import { HUB_ENGINES } from './test-support/test-database';
import { startTwoSiteHub, type HttpMethod, type TestPerson, type TwoSiteHub } from './test-support/two-site-hub';

describe.each(HUB_ENGINES)('hub: access requests (%s)', (engine) => {
  let db: Kysely<HubDatabase>;
  let fixture: TwoSiteHub;
  const clock = new Date('2031-04-01T08:00:00Z');
  let people: Record<string, TestPerson> = {};
  let studyId = '';
  let requestId = '';

  const call = (method: HttpMethod, url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const sees = async (who: string) => (await call('GET', `/api/studies/${studyId}`, who)).statusCode === 200;

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock, adminKeys: ['admin', 'outsider'] });
    ({ db, people } = fixture);
    for (const [name, account, role] of [
      ['owner', fixture.siteA, 'Radiologist'],
      ['colleague', fixture.siteA, 'Radiologist'],
      ['asker', fixture.siteB, 'Physician'],
    ] as const) {
      await fixture.addPerson(name, account, role);
    }
    const study = { studyInstanceUid: '1.4.1', patientName: 'Doe^Jane', patientId: 'P1', patientBirthDate: null, studyDate: '2024-05-01', studyTime: null, patientSex: null, accessionNumber: 'A-9', studyDescription: 'CT Chest', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 1 };
    const { results } = (await call('POST', '/api/operations', 'owner', { operations: [{ id: randomUUID(), kind: 'study.publish', study }] })).json<{ results: { value: { studyId: string } }[] }>();
    studyId = results[0].value.studyId;
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('lets someone who cannot see a study ask for it, once; not someone who already sees it, nor for a study that is not there', async () => {
    expect(await sees('asker')).toBe(false);
    const asked = await call('POST', `/api/studies/${studyId}/access-requests`, 'asker', { message: 'For the tumour board' });
    expect(asked.statusCode).toBe(201);
    requestId = asked.json<{ request: { id: string } }>().request.id;
    // The requester learns nothing of the study from the request.
    expect(asked.json()).toMatchObject({ request: { study: 'A study you cannot see yet', decision: null } });
    expect(JSON.stringify(asked.json())).not.toContain('Doe');
    const again = await call('POST', `/api/studies/${studyId}/access-requests`, 'asker', {});
    expect(again.json<{ request: { id: string } }>().request.id).toBe(requestId);
    expect((await call('POST', `/api/studies/${studyId}/access-requests`, 'colleague', {})).statusCode).toBe(409);
    expect((await call('POST', `/api/studies/${randomUUID()}/access-requests`, 'asker', {})).statusCode).toBe(404);
  });

  it('shows the request to the uploader and the site’s admins, and to nobody else', async () => {
    for (const who of ['owner', 'admin']) {
      const { incoming } = (await call('GET', '/api/access-requests', who)).json<{ incoming: { id: string; study: string; requester: { name: string }; message: string }[] }>();
      expect(incoming).toEqual([expect.objectContaining({ id: requestId, study: 'CT Chest · 2024-05-01 · A-9', requester: expect.objectContaining({ name: 'asker' }), message: 'For the tumour board' })]);
    }
    for (const who of ['colleague', 'outsider']) {
      expect((await call('GET', '/api/access-requests', who)).json()).toMatchObject({ incoming: [] });
      expect((await call('POST', `/api/access-requests/${requestId}/decision`, who, { approve: true })).statusCode).toBe(404);
    }
    expect(await sees('asker')).toBe(false);
  });

  it('approves with a direct share the requester sees and that is removed like any other; the requester reads the answer', async () => {
    const approved = await call('POST', `/api/access-requests/${requestId}/decision`, 'owner', { approve: true });
    expect(approved.json()).toMatchObject({ request: { decision: 'approved' } });
    expect(await sees('asker')).toBe(true);
    expect((await call('GET', '/api/access-requests', 'asker')).json()).toMatchObject({ mine: [{ id: requestId, decision: 'approved', study: 'CT Chest · 2024-05-01 · A-9' }] });
    // Answered the same again: no change; the other way: refused.
    expect((await call('POST', `/api/access-requests/${requestId}/decision`, 'admin', { approve: true })).statusCode).toBe(200);
    expect((await call('POST', `/api/access-requests/${requestId}/decision`, 'admin', { approve: false })).statusCode).toBe(409);
    const share = await db.selectFrom('shares').select('id').where('study_id', '=', studyId).where('user_id', '=', people.asker.id).executeTakeFirstOrThrow();
    const [removed] = (await call('POST', '/api/operations', 'owner', { operations: [{ id: randomUUID(), kind: 'share.remove', shareId: share.id }] })).json<{ results: { status: string }[] }>().results;
    expect(removed.status).toBe('applied');
    expect(await sees('asker')).toBe(false);
  });

  it('denies: the requester reads it and still does not see the study; all on the study’s trail', async () => {
    const asked = (await call('POST', `/api/studies/${studyId}/access-requests`, 'asker', {})).json<{ request: { id: string } }>().request.id;
    expect(asked).not.toBe(requestId);
    expect((await call('POST', `/api/access-requests/${asked}/decision`, 'admin', { approve: false })).json()).toMatchObject({ request: { decision: 'denied' } });
    expect(await sees('asker')).toBe(false);
    expect((await call('GET', '/api/access-requests', 'asker')).json<{ mine: { decision: string; study: string }[] }>().mine.map((r) => r.decision)).toEqual(['denied', 'approved']);
    const trail = await db.selectFrom('audit_events').select(['action', 'detail']).where('study_id', '=', studyId).where('action', 'in', ['access.request', 'access.decide', 'share.create', 'share.remove']).orderBy('seq').execute();
    expect(trail.map((e) => e.action)).toEqual(['access.request', 'share.create', 'access.decide', 'share.remove', 'access.request', 'access.decide']);
  });
});
