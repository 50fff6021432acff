/**
 * A hub on its own (as `npm run hub` runs it) for tests with several desktops: real HTTP on
 * loopback, mail written to a drop folder the test reads, and sites and people seeded straight
 * into its database (a hub operator's job; the admin screens are tested elsewhere).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildHub } from '../../server/app';
import { hashPassword } from '../../server/auth/password';
import { openHubDatabase } from '../../server/db/open-hub-db';
import type { HubDatabase } from '../../server/db/schema';
import { freePort } from '../../electron/main/test-support/free-port';
import { addUser, createAccount } from '../../server/accounts/accounts-repository';
import type { BuiltInRole } from '../../shared/permissions/catalogue';

export const PASSWORD = 'long enough password';

export interface HubServer {
  readonly url: string;
  readonly db: Kysely<HubDatabase>;
  readonly app: FastifyInstance;
  readonly dropDir: string;
  /** Adds a site with its admin (email admin@<domain>). */
  site(name: string, domain: string): Promise<{ accountId: string; adminToken: string }>;
  user(accountId: string, name: string, email: string, role: BuiltInRole): Promise<string>;
  /** Calls the hub's API as someone (by their session token). */
  api<T>(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T>;
  mails(): string[];
  /** Stops answering (the hub is down) until `resume`, on the same address and data. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHubServer(): Promise<HubServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-e2e-hub-'));
  const dropDir = path.join(dir, 'mail-drop');
  const db = await openHubDatabase(path.join(dir, 'hub.sqlite'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const build = () => buildHub({ db, blobDir: path.join(dir, 'blobs'), mail: { dropDir }, publicUrl: url });
  let app = build();
  await app.listen({ port, host: '127.0.0.1' });
  const passwordHash = await hashPassword(PASSWORD);
  const api = async <T>(token: string, method: 'GET' | 'POST', pathname: string, payload?: unknown): Promise<T> => {
    const response = await app.inject({ method, url: pathname, payload: payload as never, headers: { authorization: `Bearer ${token}` } });
    if (response.statusCode >= 400) throw new Error(`${method} ${pathname}: ${response.body}`);
    return response.json<T>();
  };
  return {
    url,
    db,
    get app() {
      return app;
    },
    dropDir,
    async site(name, domain) {
      const created = await db.transaction().execute((trx) => createAccount(trx, name, { name: `${name} Admin`, email: `admin@${domain}`, passwordHash }, new Date()));
      const signIn = await app.inject({ method: 'POST', url: '/api/sessions', payload: { email: `admin@${domain}`, password: PASSWORD } });
      return { accountId: created.account.id, adminToken: signIn.json().token as string };
    },
    async user(accountId, name, email, role) {
      return (await db.transaction().execute((trx) => addUser(trx, accountId, { name, email, passwordHash, role }, new Date()))).id;
    },
    api,
    mails: () => (existsSync(dropDir) ? readdirSync(dropDir).sort().map((file) => readFileSync(path.join(dropDir, file), 'utf8')) : []),
    async pause() {
      app.server.closeAllConnections();
      await app.close();
    },
    async resume() {
      app = build();
      await app.listen({ port, host: '127.0.0.1' });
    },
    async stop() {
      if (app.server.listening) await app.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
