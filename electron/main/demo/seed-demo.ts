/**
 * `--demo`: a ready-to-explore site on the embedded hub — locations, groups (one a department),
 * a user of every built-in role (passwords in the README) — and a few hundred generated studies
 * in the local index (images that look like what their modality and description say: see
 * write-demo-studies.ts), some of them published to the hub. Running it again changes nothing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { addUserRoute } from '../../../shared/hub-api/accounts';
import { createPhysicianRoute, setActsForRoute } from '../../../shared/hub-api/physicians';
import type { StudyshareApp } from '../app/create-app';
import { importPaths } from '../dicom-import/import-service';
import { queryStudies } from '../study-index/study-query';
import { SHOWCASE_STUDIES, writeDemoStudies } from './write-demo-studies';
import { seedConnections } from './seed-connections';
import { studyQuerySchema } from '../../../shared/types/study';

export const DEMO_PASSWORD = 'studyshare-demo';
export const DEMO_USERS = [
  { name: 'Ada Admin', email: 'admin@demo.studyshare', role: 'Admin' },
  { name: 'Rita Radiologist', email: 'radiologist@demo.studyshare', role: 'Radiologist' },
  { name: 'Tom Technologist', email: 'technologist@demo.studyshare', role: 'Technologist' },
  { name: 'Dr Paula Physician', email: 'physician@demo.studyshare', role: 'Physician' },
  { name: 'Carl Case Manager', email: 'casemanager@demo.studyshare', role: 'Case Manager' },
  { name: 'Dr Rob Referrer', email: 'referrer@demo.studyshare', role: 'Referrer' },
] as const;

const LOCATIONS = ['Main Campus', 'North Clinic', 'Imaging Center'];
const GROUPS = [
  { name: 'Neuroradiology', department: true },
  { name: 'Oncology Board', department: false },
  { name: 'Orthopedics', department: false },
];
/** Studies in the demo's local index: the showcase and a worklist's worth after them. */
export const DEMO_STUDIES = 300;

export async function seedDemo(app: StudyshareApp, dataDir: string, log: (line: string) => void): Promise<void> {
  // --demo on a fresh data folder: the demo site lives on the hub inside the app (the first-run choice made for the user).
  const status = app.hub.status().firstRun ? await app.hub.connect({ kind: 'embedded' }) : app.hub.status();
  if (status.mode === 'embedded' && status.needsSetup) {
    const admin = DEMO_USERS[0];
    await app.hub.setup({ siteName: 'Demo Hospital', adminName: admin.name, email: admin.email, password: DEMO_PASSWORD });
    for (const user of DEMO_USERS.slice(1)) await app.hub.hubRoute(addUserRoute, { body: { ...user, password: DEMO_PASSWORD } });
    const overview = await app.hub.adminOverview();
    const byRole = new Map(overview.users.map((user) => [user.role, user.id]));
    for (const [index, name] of LOCATIONS.entries()) {
      const { location } = await app.hub.hubRequest<{ location: { id: string } }>('POST', '/api/locations', { name });
      const members = index === 0 ? ['Technologist', 'Radiologist'] : index === 1 ? ['Physician'] : ['Technologist'];
      for (const role of members) await app.hub.hubRequest('POST', `/api/locations/${location.id}/members`, { userId: byRole.get(role) });
    }
    for (const group of GROUPS) {
      const { group: created } = await app.hub.hubRequest<{ group: { id: string } }>('POST', '/api/groups', group);
      const members = group.department ? ['Radiologist', 'Physician'] : ['Physician', 'Case Manager'];
      for (const role of members) await app.hub.hubRequest('POST', `/api/groups/${created.id}/members`, { userId: byRole.get(role) });
    }
    // Issue 14: two directory physicians with studies on them (the demo's referring names), and the case manager acts for both.
    const paula = await app.hub.hubRoute(createPhysicianRoute, { body: { displayName: 'Paula Physician', familyName: 'Physician', givenNames: 'Paula', aliases: [], identifier: null, specialty: 'Cardiology', userId: byRole.get('Physician') ?? null, active: true } });
    const rob = await app.hub.hubRoute(createPhysicianRoute, { body: { displayName: 'Rob Referrer', familyName: 'Referrer', givenNames: 'Rob', aliases: [], identifier: null, specialty: 'General practice', userId: byRole.get('Referrer') ?? null, active: true } });
    const caseManager = byRole.get('Case Manager');
    if (caseManager !== undefined) await app.hub.hubRoute(setActsForRoute, { params: { id: caseManager }, body: { physicianIds: [paula.physician.id, rob.physician.id] } });
    log(`Demo site created on the embedded hub. Every demo user's password is "${DEMO_PASSWORD}":`);
    for (const user of DEMO_USERS) log(`  ${user.role.padEnd(13)} ${user.email}`);
    await seedConnections(app, dataDir, DEMO_PASSWORD, log, [paula.physician.id, rob.physician.id]);
  }

  const folder = path.join(dataDir, 'demo-dicom');
  if (!existsSync(folder)) {
    log('Generating the demo images (once; they stay in the data folder)…');
    const written = await writeDemoStudies(folder, { fillerStudies: DEMO_STUDIES - SHOWCASE_STUDIES });
    log(
      `Demo images: ${written.studies} studies, ${written.files} files, ${(written.bytes / 1e6).toFixed(1)} MB, generated in ${(written.milliseconds / 1000).toFixed(1)} s.`,
    );
  }
  const importStarted = performance.now();
  const summary = await importPaths(app.db, { paths: [folder] });
  if (summary.imported > 0) {
    const seconds = ((performance.now() - importStarted) / 1000).toFixed(1);
    log(`Demo studies: ${summary.studies} studies (${summary.imported} files) imported from ${folder} in ${seconds} s.`);
  }

  // A few studies on the hub too, so worklists there are not empty.
  const sync = app.hub.syncClient;
  if (sync !== null && summary.imported > 0) {
    const page = queryStudies(app.db, studyQuerySchema.parse({ limit: 20 }));
    for (const study of page.rows) sync.enqueue({ kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false });
    await app.hub.syncNow();
  }
}
