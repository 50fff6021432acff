/**
 * Every hub route under /api answers 401 to a caller without a session, except the few that say
 * they are public: listed here by name, so a new public route is a decision someone wrote down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildHub } from '../app';
import { HUB_ENGINES, testHubDatabase } from '../test-support/test-database';

const PUBLIC = ['GET /api/hub', 'GET /api/openapi.json', 'POST /api/setup', 'POST /api/sessions', 'POST /api/password-resets', 'POST /api/sites'];

it.each(HUB_ENGINES)('refuses every non-public /api route without a session, and with a made-up one (%s)', async (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-auth-'));
  const hubDatabase = await testHubDatabase(engine);
  const db = hubDatabase.db;
  const hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
  const routes: { method: string; url: string }[] = [];
  hub.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url.startsWith('/api/')) routes.push({ method, url: route.url });
  });
  try {
    await hub.ready();
    expect(routes.length).toBeGreaterThan(25);
    const open: string[] = [];
    for (const route of routes) {
      // Path parameters filled with something well-formed: the session is checked before anything else.
      const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      for (const authorization of [undefined, 'Bearer made-up-token']) {
        const response = await hub.inject({ method: route.method as 'GET', url, headers: authorization === undefined ? {} : { authorization }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        if (response.statusCode !== 401) open.push(`${route.method} ${route.url}`);
      }
    }
    expect([...new Set(open)].sort()).toEqual([...PUBLIC].sort());
  } finally {
    await hub.close();
    await hubDatabase.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
