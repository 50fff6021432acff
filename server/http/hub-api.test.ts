/**
 * The hub's routes as declared in shared/hub-api/: a bad input is refused with 400 naming the
 * field (zod, before the handler), an answer that drifted from its declaration would be a 500,
 * and /api/openapi.json describes the declared routes with their schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserRoute, setRolePermissionsRoute, setupRoute } from '../../shared/hub-api/accounts';
import { buildHub } from '../app';
import { HUB_ENGINES, testHubDatabase, type TestHubDatabase } from '../test-support/test-database';

describe.each(HUB_ENGINES)('hub API declarations (%s)', (engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-api-'));
  let database: TestHubDatabase;
  let hub: ReturnType<typeof buildHub>;
  let token = '';

  beforeAll(async () => {
    database = await testHubDatabase(engine);
    hub = buildHub({ db: database.db, blobDir: path.join(dir, 'blobs'), publicUrl: 'https://hub.example.org' });
    const setup = await hub.inject({ method: 'POST', url: '/api/setup', payload: { accountName: 'Riverside', adminName: 'Ada Admin', email: 'ada@riverside.example', password: 'correct horse battery' } });
    token = setup.json().token;
  });
  afterAll(async () => {
    await hub.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad input with 400, naming the field and why, before the handler runs', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const bad = await hub.inject({ method: 'POST', url: '/api/users', headers, payload: { name: 'Tess', email: 'not an address', password: 'short', role: 'Technologist' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid-input');
    // In words a person reads: the field as words and what it needs (shared/input-errors.ts).
    expect(bad.json().error.message).toMatch(/Email must be an email address\..*Password must be at least 10 characters\./);
    const unknownRole = await hub.inject({ method: 'POST', url: '/api/users', headers, payload: { name: 'Tess', email: 'tess@riverside.example', password: 'long enough password', role: 'Overlord' } });
    expect(unknownRole.json().error.message).toMatch(/^Role: /);
    const extra = await hub.inject({ method: 'POST', url: '/api/users', headers, payload: { name: 'Tess', email: 'tess@riverside.example', password: 'long enough password', role: 'Technologist', admin: true } });
    expect(extra.statusCode).toBe(400);
    const badParam = await hub.inject({ method: 'PUT', url: '/api/roles/not-a-uuid', headers, payload: { permissions: [] } });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error.message).toMatch(/^Id: /);
  });

  it('answers what the declaration says, checked by the same schema', async () => {
    const created = await hub.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${token}` }, payload: { name: 'Tess Tech', email: 'Tess@Riverside.example', password: 'long enough password', role: 'Technologist' } });
    expect(created.statusCode).toBe(201);
    expect(addUserRoute.response.parse(created.json())).toMatchObject({ user: { name: 'Tess Tech', email: 'tess@riverside.example', role: 'Technologist' } });
  });

  it('describes its declared routes in /api/openapi.json, for anyone', async () => {
    const response = await hub.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, Record<string, { summary?: string; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>> }>();
    expect(document.openapi).toBe('3.1.0');
    for (const route of [setupRoute, addUserRoute, setRolePermissionsRoute]) {
      const openApiPath = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(document.paths[openApiPath]?.[route.method.toLowerCase()]?.summary).toBe(route.summary);
    }
    const body = document.paths['/api/users'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual(['email', 'name', 'password', 'role']);
    expect(body.required.sort()).toEqual(['email', 'name', 'password', 'role']);
  });
});
