/**
 * The de-identified view of department studies (issue 13, item 1; visibility rule 14) on both
 * engines, through the hub's own routes: under "participated only" with the option on, a
 * department colleague's study is listed, detailed and viewed de-identified — the pseudonym in
 * place of name and ID, no dates, mapped UIDs — and its DICOM bytes come de-identified from the
 * viewer's instance route (parsed back with dcmjs, and the raw bytes searched for every original
 * value). A search by the real name or ID finds nothing; every other route treats the study as
 * unseen; a direct share shows it as it is; turning the option off takes it all away again.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeInstance } from '../electron/main/dicom-write/synthetic-study';
import type { SitePolicy } from '../shared/permissions/site-policy';
import type { StudySummary } from '../shared/types/study';
import { HUB_ENGINES } from './test-support/test-database';
import { startTwoSiteHub, type TwoSiteHub } from './test-support/two-site-hub';

const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { meta: Record<string, { Value: unknown[] }>; dict: Record<string, { Value: unknown[] }> } } } };

const ROOT = '1.2.826.0.1.3680043.10.1234.777';
const STUDY_UID = `${ROOT}.1`;
const SERIES_UID = `${ROOT}.1.1`;
const SOPS = [`${ROOT}.1.1.1`, `${ROOT}.1.1.2`];
const NAME = 'Zebulon^Quincey';
const PATIENT_ID = 'ZQ998877';
const ACCESSION = 'ACC-55501';
const INSTITUTION = 'Saint Quirinus Hospital';
const PRIVATE_TEXT = 'QuirinusPrivate';

const summary: StudySummary = {
  studyInstanceUid: STUDY_UID,
  patientName: NAME,
  patientId: PATIENT_ID,
  patientBirthDate: '1961-07-23',
  studyDate: '2024-03-15',
  studyTime: '10:11:12',
  patientSex: 'F',
  accessionNumber: ACCESSION,
  studyDescription: 'CT Quirinus head',
  referringPhysicianName: 'Doctor^Quentin',
  institutionName: INSTITUTION,
  modalities: ['CT'],
  seriesCount: 1,
  instanceCount: 2,
};

/** Every original value that must never reach a viewer of the de-identified study. */
const ORIGINALS = ['Zebulon', 'Quincey', PATIENT_ID, ACCESSION, 'Quirinus', 'Quentin', '19610723', '20240315', '1961-07-23', '2024-03-15', STUDY_UID, SERIES_UID, ...SOPS, PRIVATE_TEXT];

function instance(sop: string, n: number): Buffer {
  return Buffer.from(
    writeInstance({
      studyInstanceUid: STUDY_UID,
      seriesInstanceUid: SERIES_UID,
      seriesNumber: 1,
      modality: 'CT',
      sopInstanceUid: sop,
      instanceNumber: n,
      patientName: NAME,
      patientId: PATIENT_ID,
      patientBirthDate: '19610723',
      patientSex: 'F',
      studyDate: '20240315',
      studyTime: '101112',
      accessionNumber: ACCESSION,
      institutionName: INSTITUTION,
      referringPhysicianName: 'Doctor^Quentin',
      studyDescription: 'CT Quirinus head',
      seriesDescription: 'Quirinus axial',
      // A private element (odd group) and a reference to the study by UID inside a sequence.
      extra: [
        { tag: 0x00090010, vr: 'LO', value: 'QUIRINUS' },
        { tag: 0x00091010, vr: 'LO', value: PRIVATE_TEXT },
      ],
    } as never),
  );
}

function containsAny(bytes: Buffer | string, values: readonly string[]): string[] {
  const haystack = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return values.filter((value) => haystack.includes(Buffer.from(value)));
}

describe.each(HUB_ENGINES)('hub: the de-identified view of department studies (%s)', (engine) => {
  let fixture: TwoSiteHub;
  const clock = new Date('2031-05-01T08:00:00Z');
  let studyId = '';
  let departmentId = '';

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, who: string, payload?: unknown) => fixture.call(method, url, who, payload);
  const policy = async (change: Partial<SitePolicy>) => {
    const current = (await call('GET', '/api/site/policy', 'admin')).json<{ policy: SitePolicy }>().policy;
    const answer = await call('PUT', '/api/site/policy', 'admin', { ...current, ...change });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<{ policy: SitePolicy }>().policy;
  };
  const list = (who: string, query = "") => call("GET", `/api/studies?${query.includes("limit=") ? "" : "limit=100"}${query}`, who);
  const manifest = (who: string) => call('GET', `/api/studies/${studyId}/viewer`, who);

  beforeAll(async () => {
    fixture = await startTwoSiteHub(engine, { now: () => clock });
    await fixture.addPerson('rad', fixture.siteA, 'Radiologist', 'Rita Radiologist');
    await fixture.addPerson('phys', fixture.siteA, 'Physician', 'Paul Physician');
    await fixture.addPerson('loner', fixture.siteA, 'Physician', 'Lena Loner');
    const [published] = await fixture.operate('rad', { id: randomUUID(), kind: 'study.publish', study: summary });
    studyId = String(published.value!.studyId);
    for (const [n, sop] of SOPS.entries()) {
      const uploaded = await fixture.hub.inject({ method: 'PUT', url: `/api/studies/${studyId}/files/${sop}`, payload: instance(sop, n + 1), headers: { authorization: `Bearer ${fixture.people.rad.token}`, 'content-type': 'application/dicom' } });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
    }
    departmentId = (await call('POST', '/api/departments', 'admin', { name: 'Neuro' })).json<{ department: { id: string } }>().department.id;
    for (const who of ['rad', 'phys']) expect((await call('POST', `/api/departments/${departmentId}/members`, 'admin', { userId: fixture.people[who].id })).statusCode).toBe(200);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('keeps the option only under participated, and records its change from → to', async () => {
    expect((await policy({ viewing: 'department', deidentifiedDepartment: true })).deidentifiedDepartment).toBe(false);
    const set = await policy({ viewing: 'participated', deidentifiedDepartment: true });
    expect(set).toMatchObject({ viewing: 'participated', deidentifiedDepartment: true });
    const trail = await fixture.db.selectFrom('audit_events').select('detail').where('action', '=', 'site.policy').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(trail.detail)).toMatchObject({ from: 'department', to: 'participated', deidentifiedFrom: false, deidentifiedTo: true });
  });

  it('lists a colleague’s study under its pseudonym, with nothing of the patient in the answer', async () => {
    const answer = await list('phys');
    expect(answer.statusCode).toBe(200);
    const rows = answer.json<{ studies: { studyId: string; reason: string; summary: StudySummary }[] }>().studies;
    const row = rows.find((r) => r.studyId === studyId)!;
    expect(row.reason).toBe('department-deidentified');
    expect(row.summary).toMatchObject({ patientName: expect.stringMatching(/^Anonymous [0-9A-F]{4}$/), patientId: expect.stringMatching(/^ANON-[0-9A-F]{8}$/), studyDate: null, patientBirthDate: null, accessionNumber: null, institutionName: null, modalities: ['CT'] });
    expect(row.summary.studyInstanceUid).toMatch(/^2\.25\.\d+$/);
    expect(containsAny(answer.body, ORIGINALS)).toEqual([]);
    // Stable: the same pseudonym on the next request; its uploader sees it as it is.
    const again = (await list('phys')).json<{ studies: { studyId: string; summary: StudySummary }[] }>().studies.find((r) => r.studyId === studyId)!;
    expect(again.summary.patientName).toBe(row.summary.patientName);
    const own = (await list('rad')).json<{ studies: { studyId: string; reason: string; summary: StudySummary }[] }>().studies.find((r) => r.studyId === studyId)!;
    expect(own).toMatchObject({ reason: 'uploader', summary: { patientName: NAME } });
    // Outside the department: nothing.
    expect((await list('loner')).json<{ studies: { studyId: string }[] }>().studies.map((r) => r.studyId)).not.toContain(studyId);
  });

  it('finds nothing by the real name, ID, accession or date', async () => {
    for (const query of ['&text=Zebulon', `&text=${PATIENT_ID}`, `&text=${ACCESSION}`, '&dateFrom=2024-03-15&dateTo=2024-03-15']) {
      const found = (await list('phys', query)).json<{ studies: { studyId: string }[] }>().studies.map((r) => r.studyId);
      expect(found, query).not.toContain(studyId);
      // The uploader's own search does find it: the query itself is right.
      expect((await list('rad', query)).json<{ studies: { studyId: string }[] }>().studies.map((r) => r.studyId), query).toContain(studyId);
    }
  });

  it('details it de-identified, with viewing only and no shares', async () => {
    const answer = await call('GET', `/api/studies/${studyId}`, 'phys');
    expect(answer.statusCode, answer.body).toBe(200);
    const details = answer.json<{ study: { actions: string[]; summary: StudySummary }; shares: unknown[]; series: { seriesInstanceUid: string; seriesDescription: string | null; instances: number }[] }>();
    expect(details.study.actions).toEqual(['view-deidentified']);
    expect(details.study.summary.patientName).toMatch(/^Anonymous /);
    expect(details.shares).toEqual([]);
    expect(details.series).toEqual([expect.objectContaining({ seriesInstanceUid: expect.stringMatching(/^2\.25\./), seriesDescription: null, instances: 2 })]);
    expect(containsAny(answer.body, ORIGINALS)).toEqual([]);
  });

  it('serves the viewer a mapped manifest and de-identified bytes, the same on every fetch', async () => {
    const answer = await manifest('phys');
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json<{ deidentified: boolean; series: { seriesInstanceUid: string; description: string | null; instances: { sopInstanceUid: string }[] }[] }>();
    expect(body.deidentified).toBe(true);
    expect(containsAny(answer.body, ORIGINALS)).toEqual([]);
    const [series] = body.series;
    expect(series.instances).toHaveLength(2);
    const details = (await call('GET', `/api/studies/${studyId}`, 'phys')).json<{ study: { summary: StudySummary }; series: { seriesInstanceUid: string }[] }>();
    expect(series.seriesInstanceUid).toBe(details.series[0].seriesInstanceUid);
    for (const { sopInstanceUid } of series.instances) {
      const first = await call('GET', `/api/studies/${studyId}/viewer/instances/${sopInstanceUid}`, 'phys');
      expect(first.statusCode, first.body).toBe(200);
      expect(first.headers['content-type']).toBe('application/dicom');
      const bytes = first.rawPayload;
      expect(containsAny(bytes, ORIGINALS)).toEqual([]);
      // Parsed back: the pseudonym, no dates, UIDs that match the manifest and group as one study.
      const parsed = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      expect(parsed.dict['00100010'].Value).toEqual([{ Alphabetic: details.study.summary.patientName!.replace(' ', '^') }]);
      expect(parsed.dict['00100020'].Value).toEqual([details.study.summary.patientId]);
      expect(parsed.dict['00080018'].Value).toEqual([sopInstanceUid]);
      expect(parsed.meta['00020003'].Value).toEqual([sopInstanceUid]);
      expect(parsed.dict['0020000E'].Value).toEqual([series.seriesInstanceUid]);
      expect(parsed.dict['0020000D'].Value).toEqual([details.study.summary.studyInstanceUid]);
      expect(parsed.dict['00080016'].Value).toEqual(['1.2.840.10008.5.1.4.1.1.2']);
      expect(parsed.dict['00120062'].Value).toEqual(['YES']);
      expect(parsed.dict['00091010']).toBeUndefined();
      expect(parsed.dict['7FE00010']).toBeDefined();
      const second = await call('GET', `/api/studies/${studyId}/viewer/instances/${sopInstanceUid}`, 'phys');
      expect(second.rawPayload.equals(bytes)).toBe(true);
    }
    // An original UID is not a way in.
    expect((await call('GET', `/api/studies/${studyId}/viewer/instances/${SOPS[0]}`, 'phys')).statusCode).toBe(404);
  });

  it('treats it as unseen everywhere else: files, zip, sharing', async () => {
    const notFound = (await call('GET', `/api/studies/${randomUUID()}/files/${SOPS[0]}`, 'phys')).json();
    for (const url of [`/api/studies/${studyId}/files/${SOPS[0]}`, `/api/studies/${studyId}/files`, `/api/studies/${studyId}/download`]) {
      const answer = await call('GET', url, 'phys');
      expect(answer.statusCode, url).toBe(404);
      expect(containsAny(answer.body, ORIGINALS), url).toEqual([]);
    }
    expect(notFound).toBeDefined();
    const [shared] = await fixture.operate('phys', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: studyId }, target: { userId: fixture.people.loner.id } });
    expect(shared.status).toBe('rejected');
    expect(JSON.stringify(shared)).not.toContain('Zebulon');
    // Someone outside the department is answered as for a study that does not exist.
    expect((await manifest('loner')).statusCode).toBe(404);
    expect((await call('GET', `/api/studies/${studyId}`, 'loner')).statusCode).toBe(404);
  });

  it('shows it as it is once it is shared with them directly (a direct reason wins)', async () => {
    const shareId = randomUUID();
    const [shared] = await fixture.operate('rad', { id: randomUUID(), kind: 'share.create', shareId, study: { id: studyId }, target: { userId: fixture.people.phys.id } });
    expect(shared.status).toBe('applied');
    const details = (await call('GET', `/api/studies/${studyId}`, 'phys')).json<{ study: { actions: string[]; summary: StudySummary } }>();
    expect(details.study.summary.patientName).toBe(NAME);
    expect(details.study.actions).toContain('view');
    const body = (await manifest('phys')).json<{ deidentified: boolean; series: { instances: { sopInstanceUid: string }[] }[] }>();
    expect(body.deidentified).toBe(false);
    expect(body.series[0].instances.map((i) => i.sopInstanceUid).sort()).toEqual([...SOPS].sort());
    const raw = await call('GET', `/api/studies/${studyId}/viewer/instances/${SOPS[0]}`, 'phys');
    expect(raw.rawPayload.includes(Buffer.from('Zebulon'))).toBe(true);
    const [removed] = await fixture.operate('rad', { id: randomUUID(), kind: 'share.remove', shareId });
    expect(removed.status).toBe('applied');
    expect((await manifest('phys')).json<{ deidentified: boolean }>().deidentified).toBe(true);
  });

  it('seals the page cursor that ends on a de-identified row: its real name stays on the hub, the next page still follows', async () => {
    // A second study the physician sees as it is (the admin's, shared to them), sorting after the first.
    const [own] = await fixture.operate('admin', { id: randomUUID(), kind: 'study.publish', study: { ...summary, studyInstanceUid: `${ROOT}.2`, patientName: 'Zzyzx^Last', patientId: 'ZL1', accessionNumber: null } });
    expect(own.status).toBe('applied');
    const [shared] = await fixture.operate('admin', { id: randomUUID(), kind: 'share.create', shareId: randomUUID(), study: { id: String(own.value!.studyId) }, target: { userId: fixture.people.phys.id } });
    expect(shared.status).toBe('applied');
    const first = await list('phys', '&sort=patientName&direction=asc&limit=1');
    const page = first.json<{ studies: { studyId: string }[]; nextCursor: string | null }>();
    expect(page.studies.map((r) => r.studyId)).toEqual([studyId]);
    expect(page.nextCursor).not.toBeNull();
    const decoded = Buffer.from(page.nextCursor!, 'base64url').toString('utf8');
    expect(decoded).toContain('sealed:');
    expect(containsAny(decoded, ['zebulon', 'Zebulon', 'quincey', 'Quincey'])).toEqual([]);
    const next = (await list('phys', `&sort=patientName&direction=asc&limit=1&after=${page.nextCursor}`)).json<{ studies: { studyId: string; summary: StudySummary }[] }>();
    expect(next.studies.map((r) => r.summary.patientName)).toEqual(['Zzyzx^Last']);
    // An altered seal is refused like any foreign cursor.
    const forged = Buffer.from(decoded.replace(/sealed:[A-Za-z0-9_-]{4}/, 'sealed:AAAA')).toString('base64url');
    expect((await list('phys', `&sort=patientName&direction=asc&limit=1&after=${forged}`)).statusCode).toBe(400);
  });

  it('turned off, gives the colleague nothing back: not listed, not detailed, no manifest, no bytes', async () => {
    const mapped = (await manifest('phys')).json<{ series: { instances: { sopInstanceUid: string }[] }[] }>().series[0].instances[0].sopInstanceUid;
    await policy({ deidentifiedDepartment: false });
    expect((await list('phys')).json<{ studies: { studyId: string }[] }>().studies.map((r) => r.studyId)).not.toContain(studyId);
    for (const url of [`/api/studies/${studyId}`, `/api/studies/${studyId}/viewer`, `/api/studies/${studyId}/viewer/instances/${mapped}`, `/api/studies/${studyId}/viewer/instances/${SOPS[0]}`]) {
      const answer = await call('GET', url, 'phys');
      expect(answer.statusCode, url).toBe(404);
      expect(containsAny(answer.body, ORIGINALS), url).toEqual([]);
    }
    const trail = await fixture.db.selectFrom('audit_events').select('detail').where('action', '=', 'site.policy').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(trail.detail)).toMatchObject({ deidentifiedFrom: true, deidentifiedTo: false });
  });
});
