/**
 * Sites, users and sessions: the first-run setup of a site and its admin, signing in and out,
 * who am I, and user management for admins.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { BUILT_IN_ROLES, PERMISSION_KEYS, type BuiltInRole, type PermissionKey } from '../../shared/permissions/catalogue';
import type { HubContext } from '../app';
import { normalizeSetupCode } from '../config/setup-code';
import { hashPassword, verifyPassword } from '../auth/password';
import { createSession, hashToken, requireAccount, requirePermission, sameSecret } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { HttpError, parseInput } from '../http-error';
import { NO_PASSWORD } from '../sharing/email-recipient';
import { uniqueShareCode } from './worklist-codes';

const email = z.string().trim().toLowerCase().email('an email address').max(254);
const password = z.string().min(10, 'at least 10 characters').max(200);
const name = z.string().trim().min(1).max(200);

const rolePermissionsSchema = z.object({ permissions: z.array(z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]])).max(100) }).strict();
const setupSchema = z.object({ accountName: name, adminName: name, email, password, setupToken: z.string().max(200).optional() }).strict();
const signInSchema = z.object({ email, password: z.string().max(200) }).strict();
const newUserSchema = z
  .object({ name, email, password, role: z.enum(Object.keys(BUILT_IN_ROLES) as [BuiltInRole, ...BuiltInRole[]]) })
  .strict();

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** Adds a user and their personal worklist. The password is hashed before, outside any transaction: scrypt is slow on purpose. */
export async function addUser(db: Db, accountId: string, given: { name: string; email: string; passwordHash: string; role: BuiltInRole }, now: Date) {
  // Addresses are compared as sign-in reads them: trimmed and lower-case.
  const input = { ...given, email: given.email.trim().toLowerCase() };
  const exists = await db.selectFrom('users').select(['id', 'active', 'password_hash']).where('email', '=', input.email).executeTakeFirst();
  const role = await db.selectFrom('roles').select('id').where('account_id', '=', accountId).where('name', '=', input.role).executeTakeFirstOrThrow();
  if (exists !== undefined && exists.active === 0 && exists.password_hash === NO_PASSWORD) {
    // Someone invited by email who never registered joins the site instead: the studies shared
    // with them stay theirs, and the registration link stops working.
    await db.updateTable('users').set({ account_id: accountId, name: input.name, password_hash: input.passwordHash, role_id: role.id, active: 1 }).where('id', '=', exists.id).execute();
    await db.updateTable('worklists').set({ account_id: accountId, name: input.name }).where('kind', '=', 'personal').where('owner_id', '=', exists.id).execute();
    await db.updateTable('invitations').set({ accepted_at: now.toISOString() }).where('user_id', '=', exists.id).where('accepted_at', 'is', null).execute();
    return { id: exists.id, name: input.name, email: input.email, role: input.role };
  }
  if (exists !== undefined) throw new HttpError(409, 'email-taken', 'A user with this email address already exists.');
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({ id, account_id: accountId, email: input.email, name: input.name, password_hash: input.passwordHash, role_id: role.id, active: 1, created_at: now.toISOString() })
    .execute();
  // Every user has a personal worklist, where studies shared with them land.
  await db
    .insertInto('worklists')
    .values({ id: randomUUID(), kind: 'personal', owner_id: id, account_id: accountId, name: input.name, share_code: await uniqueShareCode(db) })
    .execute();
  return { id, name: input.name, email: input.email, role: input.role };
}

/** A site with the built-in roles and its first admin. */
export async function createAccount(
  trx: Transaction<HubDatabase>,
  accountName: string,
  admin: { name: string; email: string; passwordHash: string },
  now: Date,
) {
  const accountId = randomUUID();
  await trx.insertInto('accounts').values({ id: accountId, name: accountName, created_at: now.toISOString() }).execute();
  for (const [roleName, permissions] of Object.entries(BUILT_IN_ROLES)) {
    await trx.insertInto('roles').values({ id: randomUUID(), account_id: accountId, name: roleName, permissions: JSON.stringify(permissions), built_in: 1 }).execute();
  }
  const user = await addUser(trx, accountId, { ...admin, role: 'Admin' }, now);
  return { account: { id: accountId, name: accountName }, user };
}

export const accountRoutes =
  ({ db, now, setupToken }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.post('/setup', { config: { public: true } }, async (request, reply) => {
      const input = parseInput(setupSchema, request.body);
      // Whoever reaches a fresh hub first must not become its admin: they need the code the hub
      // printed on its console (or that the desktop's embedded hub keeps in-process).
      if (setupToken !== null && !sameSecret(normalizeSetupCode(input.setupToken ?? ''), setupToken)) {
        throw new HttpError(403, 'setup-token', 'The setup code is missing or wrong. It is printed on the hub’s console when it starts without a site.');
      }
      const passwordHash = await hashPassword(input.password);
      const result = await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('accounts').select('id').executeTakeFirst();
        if (existing !== undefined) throw new HttpError(409, 'already-set-up', 'This hub is already set up. Sign in instead.');
        return createAccount(trx, input.accountName, { name: input.adminName, email: input.email, passwordHash }, now());
      });
      const token = await createSession(db, result.user.id, now());
      return reply.status(201).send({ ...result, token });
    });

    app.post('/sessions', { config: { public: true } }, async (request, reply) => {
      const input = parseInput(signInSchema, request.body);
      const user = await db.selectFrom('users').select(['id', 'password_hash', 'active']).where('email', '=', input.email).executeTakeFirst();
      // The same answer, after the same work, whether the address exists or not.
      const valid = await verifyPassword(input.password, user?.password_hash ?? 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      if (user === undefined || !valid || user.active !== 1) throw new HttpError(401, 'wrong-credentials', 'The email address or the password is wrong.');
      return reply.status(201).send({ token: await createSession(db, user.id, now()) });
    });

    app.delete('/sessions', async (request, reply) => {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
      return reply.status(204).send();
    });

    app.get('/me', async (request) => {
      const { actor } = request;
      return { id: actor.userId, name: actor.name, email: actor.email, accountId: actor.accountId, role: actor.role, permissions: [...actor.permissions].sort() };
    });

    app.get('/roles', async (request) => {
      const { actor } = request;
      requirePermission(actor, 'admin.roles');
      const rows = await db.selectFrom('roles').select(['id', 'name', 'permissions', 'built_in']).where('account_id', '=', requireAccount(actor)).orderBy('name').execute();
      return { roles: rows.map((row) => ({ id: row.id, name: row.name, builtIn: row.built_in === 1, permissions: JSON.parse(row.permissions) as string[] })) };
    });

    app.put<{ Params: { id: string } }>('/roles/:id', async (request) => {
      const { actor } = request;
      requirePermission(actor, 'admin.roles');
      const { permissions } = parseInput(rolePermissionsSchema, request.body);
      const role = await db.selectFrom('roles').select(['id', 'name']).where('id', '=', request.params.id).where('account_id', '=', requireAccount(actor)).executeTakeFirst();
      if (role === undefined) throw new HttpError(404, 'not-found', 'No such role in your site.');
      // An admin cannot lock everyone out: the Admin role keeps the permissions that manage roles and users.
      if (role.name === 'Admin' && !(permissions.includes('admin.roles') && permissions.includes('admin.users'))) {
        throw new HttpError(409, 'admin-lockout', 'The Admin role must keep “Manage roles” and “Manage users”.');
      }
      const unique = [...new Set(permissions)].sort();
      await db.updateTable('roles').set({ permissions: JSON.stringify(unique) }).where('id', '=', role.id).execute();
      return { role: { id: role.id, name: role.name, permissions: unique } };
    });

    app.get('/users', async (request) => {
      const { actor } = request;
      requirePermission(actor, 'admin.users');
      const rows = await db
        .selectFrom('users')
        .leftJoin('roles', 'roles.id', 'users.role_id')
        .select(['users.id', 'users.name', 'users.email', 'roles.name as role', 'users.active'])
        .where('users.account_id', '=', actor.accountId)
        .orderBy('users.name')
        .execute();
      return { users: rows.map((row) => ({ ...row, active: row.active === 1 })) };
    });

    app.post('/users', async (request, reply) => {
      const { actor } = request;
      requirePermission(actor, 'admin.users');
      const accountId = requireAccount(actor);
      const input = parseInput(newUserSchema, request.body);
      const passwordHash = await hashPassword(input.password);
      const user = await db.transaction().execute((trx) => addUser(trx, accountId, { name: input.name, email: input.email, passwordHash, role: input.role }, now()));
      return reply.status(201).send({ user });
    });
  };
