/**
 * A hub with two sites, A and B, each with its admin signed in, on one test engine: the start of
 * most route tests (who may call what, and that site B learns nothing of site A). People are
 * added by key with a built-in role and called by that key; `operate` sends outbox operations.
 * One password hash for everyone (scrypt costs a fifth of a second each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { BuiltInRole } from '../../shared/permissions/catalogue';
import { addUser, createAccount } from '../accounts/accounts-repository';
import { buildHub } from '../app';
import { hashPassword } from '../auth/password';
import { createSession } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { testHubDatabase, type HubEngine } from './test-database';

export interface TestPerson {
  readonly id: string;
  readonly token: string;
}

export interface OperationAnswer {
  readonly status: string;
  readonly value?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TwoSiteHub {
  readonly db: Kysely<HubDatabase>;
  readonly hub: FastifyInstance;
  readonly siteA: string;
  readonly siteB: string;
  readonly people: Record<string, TestPerson>;
  /** A user of `accountId` with a built-in role, signed in, known as `key` (name and email default from it). */
  addPerson(key: string, accountId: string, role: BuiltInRole, name?: string): Promise<TestPerson>;
  /** A request as `who` (a person's key), or with no session when null. */
  call(method: HttpMethod, url: string, who: string | null, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Outbox operations sent as `who`; their answers in order (a request refused as a whole throws). */
  operate(who: string, ...operations: unknown[]): Promise<OperationAnswer[]>;
  close(): Promise<void>;
}

export interface TwoSiteHubOptions {
  readonly now: () => Date;
  /** The keys of site A's and site B's admins (default 'admin' and 'adminB'). */
  readonly adminKeys?: readonly [string, string];
  readonly publicUrl?: string;
}

export async function startTwoSiteHub(engine: HubEngine, options: TwoSiteHubOptions): Promise<TwoSiteHub> {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-hub-'));
  const database = await testHubDatabase(engine);
  const db = database.db;
  const hub = buildHub({ db, blobDir: path.join(dir, 'blobs'), publicUrl: options.publicUrl ?? 'https://hub.example.org', now: options.now });
  await hub.ready();
  const passwordHash = await hashPassword('long enough password');
  const [adminA, adminB] = options.adminKeys ?? ['admin', 'adminB'];
  const a = await db.transaction().execute((trx) => createAccount(trx, 'Site A', { name: 'Admin A', email: 'admin@a.example', passwordHash }, options.now()));
  const b = await db.transaction().execute((trx) => createAccount(trx, 'Site B', { name: 'Admin B', email: 'admin@b.example', passwordHash }, options.now()));
  const people: Record<string, TestPerson> = {
    [adminA]: { id: a.user.id, token: await createSession(db, a.user.id, options.now()) },
    [adminB]: { id: b.user.id, token: await createSession(db, b.user.id, options.now()) },
  };
  const call: TwoSiteHub['call'] = (method, url, who, payload) =>
    hub.inject({ method, url, payload: payload as never, headers: who === null ? {} : { authorization: `Bearer ${people[who].token}` } });
  return {
    db,
    hub,
    siteA: a.account.id,
    siteB: b.account.id,
    people,
    addPerson: async (key, accountId, role, name = key) => {
      const site = accountId === a.account.id ? 'a' : 'b';
      const user = await db.transaction().execute((trx) => addUser(trx, accountId, { name, email: `${key}@${site}.example`, passwordHash, role }, options.now()));
      const person = { id: user.id, token: await createSession(db, user.id, options.now()) };
      people[key] = person;
      return person;
    },
    call,
    operate: async (who, ...operations) => {
      const answer = await call('POST', '/api/operations', who, { operations });
      if (answer.statusCode !== 200) throw new Error(`operations answered ${answer.statusCode}: ${answer.body}`);
      return answer.json<{ results: OperationAnswer[] }>().results;
    },
    close: async () => {
      await hub.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
