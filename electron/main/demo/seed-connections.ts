/**
 * The demo's part of issue 14 (parts 3–5): a second site on the embedded hub (created by its
 * operator, the demo admin) with its own directory physician and studies on him (real DICOM
 * files, uploaded by its admin); an external rep who signed up on the hub's page, confirmed the
 * address by the mailed link, and waits in Review to connect to Demo Hospital; and a practice
 * manager connected to both sites (Demo Hospital's two physicians, Lakeside's one), so their
 * "All I can see" has the Site column and filter. Done through the hub's own pages and API, as
 * people would, so the demo shows what really happens.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSiteRoute } from '../../../shared/hub-api/sites';
import type { StudySummary } from '../../../shared/types/study';
import type { StudyshareApp } from '../app/create-app';
import { CT_IMAGE_STORAGE, writeInstance } from '../dicom-write/synthetic-study';

export const DEMO_SECOND_SITE = { siteName: 'Lakeside Surgery', adminName: 'Lena Lakeside', email: 'admin@lakeside.demo.studyshare' } as const;
export const DEMO_EXTERNAL_REP = { name: 'Eve External Rep', email: 'rep@outside.demo.studyshare' } as const;
/** Connected to Demo Hospital (a Practice manager, for its two directory physicians) and to Lakeside Surgery (an External rep, for Dr Liam Lakeside). */
export const DEMO_CONNECTED_USER = { name: 'Mia Practice Manager', email: 'practice@outside.demo.studyshare' } as const;
/** Lakeside Surgery's directory physician and the studies referred by him (UIDs under the demo's root, fixed so a rerun finds them). */
const LAKESIDE_PHYSICIAN = { displayName: 'Dr Liam Lakeside', familyName: 'Lakeside', givenNames: 'Liam', specialty: 'Orthopaedic surgery' } as const;
const LAKESIDE_STUDIES = [
  { uid: '1.2.826.0.1.3680043.10.1234.14.1', patient: 'Brook^Hanna', id: 'LS-1001', date: '20261112', description: 'CT Knee left' },
  { uid: '1.2.826.0.1.3680043.10.1234.14.2', patient: 'Marsh^Oskar', id: 'LS-1002', date: '20261119', description: 'CT Ankle right' },
  { uid: '1.2.826.0.1.3680043.10.1234.14.3', patient: 'Fenn^Ida', id: 'LS-1003', date: '20261125', description: 'CT Wrist left' },
] as const;

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** The confirmation link mailed to an address, from the embedded hub's mail drop (it waits a few seconds for the mail to be written). */
async function mailedLink(mailDrop: string, address: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (existsSync(mailDrop)) {
      for (const file of readdirSync(mailDrop)) {
        const mail = readFileSync(path.join(mailDrop, file), 'utf8').replace(/=\r?\n/g, '');
        const link = mail.includes(`To: ${address}`) ? /https?:\/\/\S+\/verify-email\/[A-Za-z0-9_-]{43}/.exec(mail)?.[0] : undefined;
        if (link !== undefined) return link;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The demo external rep’s confirmation mail did not arrive.');
}

/** One request to the hub as someone signed in (JSON in and out); a refusal stops the demo with the hub's words. */
async function call<T>(url: string, token: string, method: 'GET' | 'POST' | 'PUT', pathname: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!answer.ok) throw new Error(`The demo's ${method} ${pathname} was refused: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

async function signIn(url: string, email: string, password: string): Promise<string> {
  const answer = (await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { token: string };
  return answer.token;
}

/** Signs up on the hub's page and confirms by the mailed link, as a person would; answers their session. */
async function signUp(url: string, mailDrop: string, person: { readonly name: string; readonly email: string }, password: string): Promise<string> {
  await fetch(`${url}/sign-up`, form({ name: person.name, email: person.email, password, confirm: password }));
  const link = await mailedLink(mailDrop, person.email);
  // The link as mailed carries the hub's public address; the demo talks to it where this desktop does.
  await fetch(`${url}${new URL(link).pathname}`, { method: 'POST' });
  return signIn(url, person.email, password);
}

/** Lakeside Surgery's physician and three studies referred by him, each with a real CT image on the hub (uploaded by the site's admin). */
async function seedLakeside(url: string, token: string): Promise<string> {
  const { physician } = await call<{ physician: { id: string } }>(url, token, 'POST', '/api/physicians', { ...LAKESIDE_PHYSICIAN, aliases: [], identifier: null });
  for (const [n, study] of LAKESIDE_STUDIES.entries()) {
    const series = `${study.uid}.1`;
    const sop = `${study.uid}.1.1`;
    // The summary as the desktop's index writes it (ISO dates); the file as DICOM writes it.
    const isoDate = `${study.date.slice(0, 4)}-${study.date.slice(4, 6)}-${study.date.slice(6)}`;
    const summary: StudySummary = {
      studyInstanceUid: study.uid,
      patientName: study.patient,
      patientId: study.id,
      patientBirthDate: `19${60 + n * 7}-04-15`,
      studyDate: isoDate,
      studyTime: '10:15:00',
      patientSex: n === 1 ? 'M' : 'F',
      accessionNumber: `LS${study.date}${n}`,
      studyDescription: study.description,
      referringPhysicianName: 'Lakeside^Liam^^Dr',
      institutionName: DEMO_SECOND_SITE.siteName,
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: 1,
    };
    const { results } = await call<{ results: { status: string; value?: { studyId?: string } }[] }>(url, token, 'POST', '/api/operations', { operations: [{ id: randomUUID(), kind: 'study.publish', study: summary }] });
    const studyId = results[0]?.value?.studyId;
    if (studyId === undefined) throw new Error(`Lakeside's demo study was not published: ${JSON.stringify(results[0])}`);
    const bytes = writeInstance({
      patientName: study.patient,
      patientId: study.id,
      patientBirthDate: `19${60 + n * 7}0415`,
      patientSex: summary.patientSex ?? undefined,
      studyInstanceUid: study.uid,
      studyDate: study.date,
      studyTime: '101500',
      accessionNumber: summary.accessionNumber ?? undefined,
      studyDescription: study.description,
      referringPhysicianName: 'Lakeside^Liam^^Dr',
      institutionName: DEMO_SECOND_SITE.siteName,
      seriesInstanceUid: series,
      modality: 'CT',
      seriesNumber: 1,
      seriesDescription: 'Axial',
      sopInstanceUid: sop,
      sopClassUid: CT_IMAGE_STORAGE,
      instanceNumber: 1,
      rows: 256,
      columns: 256,
    });
    const uploaded = await fetch(`${url}/api/studies/${studyId}/files/${sop}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/dicom' }, body: bytes });
    if (!uploaded.ok) throw new Error(`Lakeside's demo image was refused: ${uploaded.status} ${await uploaded.text()}`);
  }
  return physician.id;
}

/**
 * `hospitalPhysicianIds`: Demo Hospital's directory physicians (with studies on them), whom the
 * connected practice manager is assigned to by the hospital's admin (the app's own session).
 */
export async function seedConnections(app: StudyshareApp, dataDir: string, password: string, log: (line: string) => void, hospitalPhysicianIds: readonly string[] = []): Promise<void> {
  const url = app.hub.status().url;
  if (url === null) return;
  const mailDrop = path.join(dataDir, 'hub', 'mail-drop');
  await app.hub.hubRoute(createSiteRoute, { body: { ...DEMO_SECOND_SITE, password } });
  const lakesideAdmin = await signIn(url, DEMO_SECOND_SITE.email, password);
  const liam = await seedLakeside(url, lakesideAdmin);
  const rep = await signUp(url, mailDrop, DEMO_EXTERNAL_REP, password);
  await call(url, rep, 'POST', '/api/connections', { site: 'Demo Hospital', kind: 'external-rep' });
  // One person, two sites, a role each (issue 14: the Site column and filter; one role per connection).
  const manager = await signUp(url, mailDrop, DEMO_CONNECTED_USER, password);
  const atHospital = await call<{ connection: { id: string } }>(url, manager, 'POST', '/api/connections', { site: 'Demo Hospital', kind: 'practice-manager' });
  const atLakeside = await call<{ connection: { id: string } }>(url, manager, 'POST', '/api/connections', { site: DEMO_SECOND_SITE.siteName, kind: 'external-rep' });
  if (hospitalPhysicianIds.length > 0) await app.hub.hubRequest('PUT', `/api/connections/${atHospital.connection.id}/physicians`, { physicianIds: hospitalPhysicianIds });
  await call(url, lakesideAdmin, 'PUT', `/api/connections/${atLakeside.connection.id}/physicians`, { physicianIds: [liam] });
  log(`  A second site, ${DEMO_SECOND_SITE.siteName} (${DEMO_SECOND_SITE.email}), with ${LAKESIDE_STUDIES.length} studies referred by ${LAKESIDE_PHYSICIAN.displayName}.`);
  log(`  An external rep (${DEMO_EXTERNAL_REP.email}) waiting in Review under Administration → Users.`);
  log(`  A practice manager connected to both sites (${DEMO_CONNECTED_USER.email}): All I can see shows the Site column and filter.`);
}
