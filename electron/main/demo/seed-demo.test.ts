import { describe, expect, it } from 'vitest';
import { studyQuerySchema } from '../../../shared/types/study';
import { createStudyshareApp } from '../app/create-app';
import { queryStudies } from '../study-index/study-query';
import { tempDir } from '../test-support/temp-dir';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed-demo';

describe('--demo', () => {
  it('seeds a site with every role, places and a department, and 300 local studies — once', async () => {
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
    expect(queryStudies(app.db, studyQuerySchema.parse({ limit: 1 })).total).toBe(300);
    expect(app.hub.status().sync).toMatchObject({ state: 'online', pending: 0 });

    await seedDemo(app, dataDir, () => {});
    expect((await app.hub.adminOverview()).users).toHaveLength(DEMO_USERS.length);
    expect(queryStudies(app.db, studyQuerySchema.parse({ limit: 1 })).total).toBe(300);

    for (const user of DEMO_USERS) {
      await app.hub.signOut();
      const status = await app.hub.signIn({ email: user.email, password: DEMO_PASSWORD });
      expect(status.user?.role).toBe(user.role);
    }
    await app.close();
  });
});
