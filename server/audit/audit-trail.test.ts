/**
 * Who may read a study's audit trail, and for which studies the share dialog offers targets: both
 * decided by the visibility SQL condition (server/access/visibility-sql.ts), on both engines. An
 * auditor of the site who may not see a private study gets 404 for its trail, as for a study that
 * does not exist; an admin reads it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../shared/permissions/catalogue';
import type { StudySummary } from '../../shared/types/study';
import { buildHub } from '../app';
import { createSession } from '../auth/sessions';
import { HUB_ENGINES, testHubDatabase } from '../test-support/test-database';

const summary = (n: number): StudySummary => ({
  studyInstanceUid: `1.2.840.77.${n}`, patientName: `Audit^${n}`, patientId: `AU${n}`, patientBirthDate: null, studyDate: '2024-05-01', studyTime: null, patientSex: null,
  accessionNumber: null, studyDescription: 'CT', referringPhysicianName: null, institutionName: null, modalities: ['CT'], seriesCount: 1, instanceCount: 1,
});

describe.each(HUB_ENGINES)('audit trail and share targets follow visibility (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-audit-'));
  let close: () => Promise<void>;
  let hub: FastifyInstance;
  const token: Record<string, string> = {};
  let open = '';
  let hidden = '';
  let hiddenShare = '';

  const get = (url: string, who: string) => hub.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token[who]}` } });
  const operations = async (who: string, ops: unknown[]) => {
    const response = await hub.inject({ method: 'POST', url: '/api/operations', headers: { authorization: `Bearer ${token[who]}` }, payload: { operations: ops } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().results as { status: string; value: { studyId: string } }[];
  };

  beforeAll(async () => {
    const database = await testHubDatabase(engine);
    const { db } = database;
    close = database.close;
    hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
    await hub.ready();
    const at = new Date().toISOString();
    await db.insertInto('accounts').values({ id: 'site', name: 'Site', created_at: at }).execute();
    await db
      .insertInto('roles')
      .values([
        { id: 'admin', account_id: 'site', name: 'Admin', permissions: JSON.stringify(BUILT_IN_ROLES.Admin), built_in: 1 },
        { id: 'rad', account_id: 'site', name: 'Radiologist', permissions: JSON.stringify(BUILT_IN_ROLES.Radiologist), built_in: 1 },
        // May read the trail, but is no admin: sees what any site member sees, private studies excepted.
        { id: 'auditor', account_id: 'site', name: 'Auditor', permissions: JSON.stringify(['studies.view', 'audit.view']), built_in: 0 },
      ])
      .execute();
    for (const key of ['admin', 'rad', 'rad2', 'rad3', 'auditor']) {
      const id = randomUUID();
      await db.insertInto('users').values({ id, account_id: 'site', email: `${key}@example.org`, name: key, password_hash: 'x', role_id: key.replace(/\d$/, ''), active: 1, created_at: at }).execute();
      await db.insertInto('worklists').values({ id: randomUUID(), kind: 'personal', owner_id: id, account_id: 'site', name: key, share_code: `P-${key}` }).execute();
      token[key] = await createSession(db, id, new Date());
    }
    [open, hidden] = (await operations('rad', [0, 1].map((n) => ({ id: randomUUID(), kind: 'study.publish', study: summary(n), private: n === 1 })))).map((r) => r.value.studyId);
    const targets = (await get('/api/share-targets?kind=user&q=rad2', 'rad')).json().targets as { worklistId: string }[];
    hiddenShare = randomUUID();
    const shared = await operations('rad', [{ id: randomUUID(), kind: 'share.create', shareId: hiddenShare, study: { id: hidden }, target: { worklistId: targets[0].worklistId } }]);
    expect(shared[0].status).toBe('applied');
  });

  afterAll(async () => {
    await hub?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets an auditor read the trail of a study they may see, and not of a private one they may not", async () => {
    expect((await get(`/api/studies/${open}/audit`, 'auditor')).statusCode).toBe(200);
    expect((await get(`/api/studies/${hidden}/audit`, 'auditor')).statusCode).toBe(404);
    expect((await get(`/api/audit?studyId=${hidden}`, 'auditor')).statusCode).toBe(404);
    expect((await get(`/api/audit.csv?studyId=${hidden}`, 'auditor')).statusCode).toBe(404);
    expect((await get(`/api/shares/${hiddenShare}/audit`, 'auditor')).statusCode).toBe(404);
    expect((await get(`/api/studies/${randomUUID()}/audit`, 'auditor')).statusCode).toBe(404);
    // The admin sees the site's private studies, so reads their trail.
    const trail = (await get(`/api/studies/${hidden}/audit`, 'admin')).json().events as { action: string }[];
    expect(trail.map((e) => e.action).sort()).toEqual(['share.create', 'study.import']);
    expect((await get(`/api/shares/${hiddenShare}/audit`, 'admin')).statusCode).toBe(200);
    expect((await get(`/api/audit?studyId=${open}`, 'auditor')).json().events.map((e: { action: string }) => e.action)).toEqual(['study.import']);
  });

  it('names each event’s study as readers know it (patient, accession, date), not only by its UID', async () => {
    const [event] = (await get(`/api/audit?studyId=${open}`, 'admin')).json().events as { studyUid: string; study: unknown }[];
    expect(event.studyUid).toBe('1.2.840.77.0');
    expect(event.study).toEqual({ patientName: 'Audit^0', accessionNumber: null, studyDate: '2024-05-01' });
    const csv = (await get(`/api/audit.csv?studyId=${open}`, 'admin')).body.trim().split('\r\n');
    // The export names the study by accession and date, never by the patient's name.
    expect(csv[0]).toBe('time,action,trail,actor,actor email,on behalf of,accession,study date,study instance uid,share id,target,detail');
    expect(csv[1]).toContain(',,2024-05-01,1.2.840.77.0,');
    expect(csv.join('\n')).not.toContain('Audit^0');
  });

  it('offers share targets for a study only to whom may share it', async () => {
    expect((await get(`/api/share-targets?kind=user&studyId=${hidden}`, 'rad')).statusCode).toBe(200);
    expect((await get(`/api/share-targets?kind=user&studyId=${open}`, 'rad3')).statusCode).toBe(200);
    // A colleague it was not shared with does not see the private study: no targets for it.
    expect((await get(`/api/share-targets?kind=user&studyId=${hidden}`, 'rad3')).statusCode).toBe(404);
    expect((await get(`/api/share-targets?kind=user`, 'rad3')).statusCode).toBe(200);
    expect((await get(`/api/share-targets?kind=user&studyId=${randomUUID()}`, 'rad')).statusCode).toBe(404);
    expect((await get(`/api/share-targets?kind=user&studyId=not-a-uuid`, 'rad')).statusCode).toBe(400);
  });
});
