/**
 * Sessions: a 256-bit random token handed to the client once; only its SHA-256 is stored, so a
 * copy of the database opens no session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isPermissionKey, type PermissionKey } from '../../shared/permissions/catalogue';
import { HttpError } from '../http-error';
import type { HubDatabase } from '../db/schema';

const SESSION_DAYS = 30;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Compares a given secret with the expected one in constant time (by their hashes, so lengths leak nothing either). */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(Buffer.from(hashToken(given)), Buffer.from(hashToken(expected)));

export async function createSession(db: Kysely<HubDatabase>, userId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
    })
    .execute();
  return token;
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

/** The signed-in user behind a bearer token, or a 401. */
export async function actorFor(db: Kysely<HubDatabase>, authorization: string | undefined, now: Date): Promise<Actor> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.id', 'users.account_id', 'users.name', 'users.email', 'users.active', 'roles.name as role', 'roles.permissions', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row === undefined || row.active !== 1 || row.expires_at <= now.toISOString()) {
    throw new HttpError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
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
