/**
 * Sessions: a 256-bit random token handed to the client once; only its SHA-256 is stored, so a
 * copy of the database opens no session. A session ends at the latest after the hub's absolute
 * lifetime, and earlier when unused for its idle timeout (both hub settings, checked here on
 * every request, so a changed setting applies to sessions already open).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isPermissionKey, type PermissionKey } from '../../shared/permissions/catalogue';
import { HttpError } from '../http-error';
import type { HubDatabase } from '../db/schema';

export interface SessionPolicy {
  /** Hours a session lasts from sign-in, whatever its use. */
  readonly lifetimeHours: number;
  /** Hours without a request after which a session ends. */
  readonly idleHours: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { lifetimeHours: 30 * 24, idleHours: 12 };

/** A session's last use is written at most this often (not on every request). */
const SEEN_WRITE_INTERVAL_MS = 60_000;
const HOUR_MS = 3_600_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Compares a given secret with the expected one in constant time (by their hashes, so lengths leak nothing either). */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(Buffer.from(hashToken(given)), Buffer.from(hashToken(expected)));

export async function createSession(db: Kysely<HubDatabase>, userId: string, now: Date, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + policy.lifetimeHours * HOUR_MS).toISOString(),
      last_seen_at: now.toISOString(),
    })
    .execute();
  return token;
}

/** Ends every session of a user (deactivated, password changed or reset), or all but one (the one that changed the password). */
export async function endUserSessions(db: Kysely<HubDatabase> | Transaction<HubDatabase>, userId: string, except?: string): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  const keep = /^Bearer (\S+)$/.exec(except ?? '')?.[1];
  if (keep !== undefined) query = query.where('token_hash', '!=', hashToken(keep));
  await query.execute();
}

/** Ends the session a bearer token names (nothing happens for an unknown one). */
export async function endSession(db: Kysely<HubDatabase>, authorization: string | undefined): Promise<void> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token !== undefined) await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export interface Actor {
  readonly userId: string;
  readonly accountId: string | null;
  readonly name: string;
  readonly email: string;
  readonly role: string | null;
  readonly permissions: ReadonlySet<PermissionKey>;
}

/** The signed-in user behind a bearer token, or a 401 (no session, an inactive user, past the lifetime, idle too long). */
export async function actorFor(db: Kysely<HubDatabase>, authorization: string | undefined, now: Date, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<Actor> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.id', 'users.account_id', 'users.name', 'users.email', 'users.active', 'roles.name as role', 'roles.permissions', 'sessions.expires_at', 'sessions.created_at', 'sessions.last_seen_at'])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row === undefined || row.active !== 1) throw new HttpError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
  const at = now.getTime();
  const tooOld = Date.parse(row.expires_at) <= at || Date.parse(row.created_at) + policy.lifetimeHours * HOUR_MS <= at;
  const idle = Date.parse(row.last_seen_at) + policy.idleHours * HOUR_MS <= at;
  if (tooOld || idle) {
    await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
    throw new HttpError(
      401,
      'unauthenticated',
      idle && !tooOld ? `Your session ended after ${policy.idleHours} hours without use. Sign in again.` : 'Your session has ended. Sign in again.',
    );
  }
  if (Date.parse(row.last_seen_at) + SEEN_WRITE_INTERVAL_MS <= at) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('token_hash', '=', hashToken(token)).execute();
  }
  const keys: unknown = JSON.parse(row.permissions ?? '[]');
  return {
    userId: row.id,
    accountId: row.account_id,
    name: row.name,
    email: row.email,
    role: row.role,
    permissions: new Set(Array.isArray(keys) ? keys.filter(isPermissionKey) : []),
  };
}

export function requirePermission(actor: Actor, permission: PermissionKey): void {
  if (!actor.permissions.has(permission)) {
    throw new HttpError(403, 'forbidden', 'Your role does not allow this. Ask an administrator of your site.');
  }
}

/** The actor's site; external users (no site) cannot manage one. */
export function requireAccount(actor: Actor): string {
  if (actor.accountId === null) throw new HttpError(403, 'forbidden', 'Only users of a site can do this.');
  return actor.accountId;
}
