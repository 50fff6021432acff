/**
 * `--demo`: a ready-to-explore site on the embedded hub — locations, groups (one a department),
 * a user of every built-in role (passwords in the README) — and a few hundred generated studies
 * in the local index, some of them published to the hub. Running it again changes nothing.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { addUserRoute } from '../../../shared/hub-api/accounts';
import type { StudyshareApp } from '../app/create-app';
import { importPaths } from '../dicom-import/import-service';
import { FAMILY_NAMES, GIVEN_NAMES, STUDY_DESCRIPTIONS } from '../dicom-write/sample-names';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { queryStudies } from '../study-index/study-query';
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
const MODALITIES = ['CT', 'MR', 'CR', 'US', 'DX', 'MG', 'PT', 'NM'];

function writeDemoFiles(folder: string, studies: number): void {
  for (let s = 0; s < studies; s++) {
    const family = FAMILY_NAMES[(s * 7) % FAMILY_NAMES.length];
    const given = GIVEN_NAMES[(s * 13) % GIVEN_NAMES.length];
    const day = new Date(Date.UTC(2024, 0, 1) + ((s * 37) % 690) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    for (let series = 1; series <= 2; series++) {
      for (let i = 1; i <= 2; i++) {
        const file = path.join(folder, `S${s}`, `${series}-${i}.dcm`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(
          file,
          writeInstance(
            {
              specificCharacterSet: 'ISO_IR 192',
              patientName: Buffer.from(`${family}^${given}`, 'utf8'),
              patientId: `DEMO${String(1000 + (s % 220)).padStart(6, '0')}`,
              patientBirthDate: `19${40 + (s % 60)}0${1 + (s % 9)}1${s % 10}`,
              patientSex: s % 2 === 0 ? 'F' : 'M',
              studyInstanceUid: testUid(7000, s),
              studyDate: day,
              studyTime: `${String(7 + (s % 11)).padStart(2, '0')}${String((s * 7) % 60).padStart(2, '0')}00`,
              accessionNumber: `DEMO-${String(50000 + s)}`,
              studyDescription: STUDY_DESCRIPTIONS[s % STUDY_DESCRIPTIONS.length],
              referringPhysicianName: 'Physician^Paula',
              institutionName: 'Demo Hospital',
              seriesInstanceUid: testUid(7000, s, series),
              modality: series === 1 ? MODALITIES[s % MODALITIES.length] : 'SR',
              seriesNumber: series,
              seriesDescription: series === 1 ? 'Primary' : 'Report',
              sopInstanceUid: testUid(7000, s, series, i),
              instanceNumber: i,
              rows: series === 1 ? 32 : 0,
              columns: series === 1 ? 32 : 0,
            },
            { transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian },
          ),
        );
      }
    }
  }
}

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
    log(`Demo site created on the embedded hub. Every demo user's password is "${DEMO_PASSWORD}":`);
    for (const user of DEMO_USERS) log(`  ${user.role.padEnd(13)} ${user.email}`);
  }

  const folder = path.join(dataDir, 'demo-dicom');
  if (!existsSync(folder)) writeDemoFiles(folder, 300);
  const summary = await importPaths(app.db, { paths: [folder] });
  if (summary.imported > 0) log(`Demo studies: ${summary.studies} studies (${summary.imported} images) imported from ${folder}.`);

  // A few studies on the hub too, so worklists there are not empty.
  const sync = app.hub.syncClient;
  if (sync !== null && summary.imported > 0) {
    const page = queryStudies(app.db, studyQuerySchema.parse({ limit: 20 }));
    for (const study of page.rows) sync.enqueue({ kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false });
    await app.hub.syncNow();
  }
}
