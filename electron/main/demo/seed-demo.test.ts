import { describe, expect, it } from 'vitest';
import { studyQuerySchema } from '../../../shared/types/study';
import { createStudyshareApp } from '../app/create-app';
import { queryStudies } from '../study-index/study-query';
import { tempDir } from '../test-support/temp-dir';
import { DEMO_PASSWORD, DEMO_STUDIES, DEMO_USERS, seedDemo } from './seed-demo';
import { siteConnectionsRoute } from '../../../shared/hub-api/connections';
import { listFilesRoute } from '../../../shared/hub-api/files';
import { visibleStudiesRoute } from '../../../shared/hub-api/studies';
import { DEMO_CONNECTED_USER, DEMO_EXTERNAL_REP, DEMO_SECOND_SITE } from './seed-connections';

describe('--demo', () => {
  it('seeds a site with every role, places and a department, and 300 local studies whose modality, description and patient agree — once', async () => {
    const dataDir = tempDir();
    const app = createStudyshareApp(dataDir, { kind: 'browser' }, { syncEveryMs: 0 });
    await app.start();
    const lines: string[] = [];
    await seedDemo(app, dataDir, (line) => lines.push(line));
    expect(lines.join('\n')).toContain(`password is "${DEMO_PASSWORD}"`);
    const overview = await app.hub.adminOverview();
    expect(overview.users.map((u) => u.role).sort()).toEqual(DEMO_USERS.map((u) => u.role).sort());
    expect(overview.locations).toHaveLength(3);
    expect(overview.groups.filter((g) => g.department).map((g) => g.name)).toEqual(['Neuroradiology']);
    // Issue 14: an external rep waits in Review, a practice manager is connected (and to the second site too).
    const connections = await app.hub.hubRoute(siteConnectionsRoute, {});
    expect(connections.reviewCount).toBe(1);
    expect(connections.connections.map((c) => [c.user.email, c.kind, c.status, c.role?.name ?? null])).toEqual([
      [DEMO_EXTERNAL_REP.email, 'external-rep', 'review', null],
      [DEMO_CONNECTED_USER.email, 'practice-manager', 'assigned', 'Case Manager'],
    ]);
    expect(lines.join('\n')).toContain(DEMO_SECOND_SITE.siteName);
    expect(lines.join('\n')).toMatch(/Demo images: 300 studies, \d+ files, [\d.]+ MB, generated in [\d.]+ s\./);
    const studies = queryStudies(app.db, studyQuerySchema.parse({ limit: 1000 }));
    expect(studies.total).toBe(DEMO_STUDIES);
    expect(DEMO_STUDIES).toBe(300);
    // What the index shows agrees: a description names the modality it holds, a mammogram is a woman's.
    const modalityOf: ReadonlyArray<readonly [RegExp, string]> = [[/^CT /, 'CT'], [/^MR /, 'MR'], [/^XR /, 'CR'], [/^Mammo /, 'MG'], [/^XA /, 'XA']];
    for (const study of studies.rows) {
      const rule = modalityOf.find(([pattern]) => pattern.test(study.studyDescription ?? ''));
      expect(study.modalities, study.studyDescription ?? '').toEqual([rule?.[1]]);
      if (study.modalities.includes('MG')) expect(study.patientSex).toBe('F');
      expect(study.accessionNumber).toMatch(/^DH\d{8,}$/);
    }
    const chest = studies.rows.filter((study) => study.patientName === 'Walker^Robert');
    expect(chest.map((study) => [study.studyDescription, study.seriesCount, study.instanceCount]).sort()).toEqual([
      ['CT Chest w/o contrast', 1, 60],
      ['CT Chest w/o contrast', 2, 120],
      ['XR Chest PA', 1, 1],
    ]);
    expect(app.hub.status().sync).toMatchObject({ state: 'online', pending: 0 });

    await seedDemo(app, dataDir, () => {});
    expect((await app.hub.adminOverview()).users).toHaveLength(DEMO_USERS.length);
    expect(queryStudies(app.db, studyQuerySchema.parse({ limit: 1 })).total).toBe(DEMO_STUDIES);

    // The practice manager's list spans both sites: each study names its site (the Site column), Lakeside's with its image on the hub.
    await app.hub.signOut();
    await app.hub.signIn({ email: DEMO_CONNECTED_USER.email, password: DEMO_PASSWORD });
    const visible = await app.hub.hubRoute(visibleStudiesRoute, { query: { limit: '500' } });
    expect(visible.sites?.map((site) => site.name)).toEqual(['Demo Hospital', DEMO_SECOND_SITE.siteName]);
    const lakeside = visible.studies.filter((study) => study.site?.name === DEMO_SECOND_SITE.siteName);
    expect(lakeside.map((study) => study.summary.patientName).sort()).toEqual(['Brook^Hanna', 'Fenn^Ida', 'Marsh^Oskar']);
    expect(visible.studies.some((study) => study.site?.name === 'Demo Hospital')).toBe(true);
    const files = await app.hub.hubRoute(listFilesRoute, { params: { studyId: lakeside[0].studyId } });
    expect(files.files).toHaveLength(1);

    for (const user of DEMO_USERS) {
      await app.hub.signOut();
      const status = await app.hub.signIn({ email: user.email, password: DEMO_PASSWORD });
      expect(status.user?.role).toBe(user.role);
    }
    await app.close();
  }, 300_000);
});
