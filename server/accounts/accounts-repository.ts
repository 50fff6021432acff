/**
 * The accounts domain's SQL: sites with their built-in roles, users with their personal
 * worklists, roles' permissions, and the lookups sign-in needs. Functions take the database (or
 * a transaction) first; the routes in server/routes/accounts.ts only call them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { BUILT_IN_ROLES, type BuiltInRole } from '../../shared/permissions/catalogue';
import { recordAudit } from '../audit/audit-trail';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { uniqueShareCode } from '../routes/worklist-codes';
import { NO_PASSWORD } from '../sharing/email-recipient';
import { uniqueConnectionCode } from '../sites/sites-repository';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** Adds a user and their personal worklist. The password is hashed before, outside any transaction: scrypt is slow on purpose. */
export async function addUser(db: Db, accountId: string, given: { name: string; email: string; passwordHash: string; role: BuiltInRole }, now: Date) {
  // Addresses are compared as sign-in reads them: trimmed and lower-case.
  const input = { ...given, email: given.email.trim().toLowerCase() };
  const exists = await db.selectFrom('users').select(['id', 'active', 'password_hash']).where('email', '=', input.email).executeTakeFirst();
  const role = await db.selectFrom('roles').select('id').where('account_id', '=', accountId).where('name', '=', input.role).executeTakeFirstOrThrow();
  if (exists !== undefined && exists.active === 0 && exists.password_hash === NO_PASSWORD) {
    // Someone invited by email who never registered: the address is theirs to claim, with the
    // link mailed to it. Whoever else sets a password on it (another site's admin, or the
    // inviting site's) would read every study shared with that address.
    throw new HttpError(
      409,
      'invitation-pending',
      'Studies were shared with this address and its owner has not registered yet. Only they can claim it, with the link in their invitation mail; ask them to register.',
    );
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
  // The hub's first site's admin is its operator, who may create further sites (issue 14, part 4).
  const firstSite = !(await hasAnySite(trx));
  await trx.insertInto('accounts').values({ id: accountId, name: accountName, created_at: now.toISOString(), connection_code: await uniqueConnectionCode(trx) }).execute();
  for (const [roleName, permissions] of Object.entries(BUILT_IN_ROLES)) {
    await trx.insertInto('roles').values({ id: randomUUID(), account_id: accountId, name: roleName, permissions: JSON.stringify(permissions), built_in: 1 }).execute();
  }
  const user = await addUser(trx, accountId, { ...admin, role: 'Admin' }, now);
  if (firstSite) await trx.updateTable('users').set({ hub_operator: 1 }).where('id', '=', user.id).execute();
  return { account: { id: accountId, name: accountName }, user };
}

/** Whether any site exists yet (a fresh hub needs setup). */
export async function hasAnySite(db: Db): Promise<boolean> {
  return (await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** What sign-in checks: the user with this (normalised) address, if any. */
export function findUserForSignIn(db: Db, email: string) {
  return db.selectFrom('users').select(['id', 'password_hash', 'active']).where('email', '=', email).executeTakeFirst();
}

export async function listRoles(db: Db, accountId: string) {
  const rows = await db.selectFrom('roles').select(['id', 'name', 'permissions', 'built_in']).where('account_id', '=', accountId).orderBy('name').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, builtIn: row.built_in === 1, permissions: JSON.parse(row.permissions) as string[] }));
}

export function findRole(db: Db, accountId: string, roleId: string) {
  return db.selectFrom('roles').select(['id', 'name']).where('id', '=', roleId).where('account_id', '=', accountId).executeTakeFirst();
}

export async function setRolePermissions(db: Db, roleId: string, permissions: readonly string[]): Promise<void> {
  await db.updateTable('roles').set({ permissions: JSON.stringify(permissions) }).where('id', '=', roleId).execute();
}

export async function listUsers(db: Db, accountId: string) {
  const rows = await managedUsers(db).where('users.account_id', '=', accountId).orderBy('users.name').execute();
  return rows.map(managedUser);
}

/** Users as an admin manages them: role, whether they may sign in, whether wrong passwords locked them. */
function managedUsers(db: Db) {
  return db
    .selectFrom('users')
    .leftJoin('roles', 'roles.id', 'users.role_id')
    .leftJoin('sign_in_failures', 'sign_in_failures.email', 'users.email')
    .select(['users.id', 'users.name', 'users.email', 'roles.name as role', 'users.active', 'sign_in_failures.locked_at']);
}

function managedUser(row: { id: string; name: string; email: string; role: string | null; active: number; locked_at: string | null }) {
  return { id: row.id, name: row.name, email: row.email, role: row.role, active: row.active === 1, locked: row.locked_at !== null };
}

/** One user of a site, as an admin manages them; undefined for anyone else (another site's, an invitee). */
export async function findSiteUser(db: Db, accountId: string, userId: string) {
  const row = await managedUsers(db).where('users.id', '=', userId).where('users.account_id', '=', accountId).executeTakeFirst();
  return row === undefined ? undefined : managedUser(row);
}

/** Lets a user sign in again, or not; a deactivated user's sessions end in the same transaction. */
export async function setUserActive(trx: Transaction<HubDatabase>, userId: string, active: boolean): Promise<void> {
  await trx.updateTable('users').set({ active: active ? 1 : 0 }).where('id', '=', userId).execute();
  if (!active) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** What changing one's password checks: the current hash. */
export function findPasswordHash(db: Db, userId: string) {
  return db.selectFrom('users').select(['password_hash', 'email']).where('id', '=', userId).executeTakeFirst();
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** A site's workstation lock time in minutes (migration 0160); undefined for no such site. */
export async function siteLockMinutes(db: Db, accountId: string): Promise<number | undefined> {
  const row = await db.selectFrom('accounts').select('workstation_lock_minutes').where('id', '=', accountId).executeTakeFirst();
  return row?.workstation_lock_minutes;
}

/**
 * Sets a site's workstation lock time; a change is on the site's trail with what it was and what
 * it became, in the same transaction (the row is locked first so two admins' changes each record
 * the value they replaced).
 */
export async function setSiteLockMinutes(db: Kysely<HubDatabase>, change: { readonly accountId: string; readonly minutes: number; readonly actorId: string; readonly at: Date }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // A no-op write first: it takes the row's lock (PostgreSQL) or the write lock (SQLite) before the old value is read.
    const before = await trx
      .updateTable('accounts')
      .set((eb) => ({ workstation_lock_minutes: eb.ref('workstation_lock_minutes') }))
      .where('id', '=', change.accountId)
      .returning('workstation_lock_minutes')
      .executeTakeFirst();
    if (before === undefined) throw new HttpError(404, 'not-found', 'Your site no longer exists.');
    if (before.workstation_lock_minutes === change.minutes) return change.minutes;
    await trx.updateTable('accounts').set({ workstation_lock_minutes: change.minutes }).where('id', '=', change.accountId).execute();
    await recordAudit(trx, {
      at: change.at.toISOString(),
      accountId: change.accountId,
      trail: 'account',
      actorId: change.actorId,
      action: 'site.settings',
      detail: { setting: 'lockMinutes', from: before.workstation_lock_minutes, to: change.minutes },
    });
    return change.minutes;
  });
}
