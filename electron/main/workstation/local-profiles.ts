/**
 * Local profiles: who may sign in at a desktop that uses no hub. A name and a password, kept as
 * an scrypt hash made as the hub makes its own (server/auth/password.ts) in the local database.
 * Functions take `db` first; nothing here knows about the lock.
 */
import type Database from 'better-sqlite3';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../../server/auth/password';
import { prepared } from '../study-index/statement-cache';

/** The hub's password hashing (server/auth/password.ts): one scrypt scheme for every password we keep. */
export const hashProfilePassword = hashPassword;
export const profilePasswordMatches = verifyPassword;

export interface LocalProfile {
  readonly id: number;
  readonly name: string;
  readonly admin: boolean;
}

interface ProfileRow {
  id: number;
  name: string;
  admin: number;
  password_hash: string;
}

/** How a name is matched at sign-in: trimmed, case and width folded. */
export const profileNameKey = (name: string): string => name.normalize('NFKC').trim().toLowerCase();

export function countProfiles(db: Database.Database): number {
  return (prepared(db, 'SELECT count(*) AS n FROM local_profiles').get() as { n: number }).n;
}

export class ProfileNameTakenError extends Error {
  constructor() {
    super('profile name taken');
    this.name = 'ProfileNameTakenError';
  }
}

/** Adds a profile; the first one on this desktop is its admin (it may change the lock time, add others). */
export async function createProfile(db: Database.Database, name: string, password: string, now = new Date()): Promise<LocalProfile> {
  const hash = await hashProfilePassword(password);
  // The count and the insert in one transaction: two first profiles cannot both become admin.
  return db.transaction(() => {
    const admin = countProfiles(db) === 0;
    try {
      const { lastInsertRowid } = prepared(db, 'INSERT INTO local_profiles (name, name_key, password_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)').run(
        name.trim(),
        profileNameKey(name),
        hash,
        admin ? 1 : 0,
        now.toISOString(),
      );
      return { id: Number(lastInsertRowid), name: name.trim(), admin };
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ProfileNameTakenError();
      throw error;
    }
  }).immediate();
}

/** The profile when the name and password match; null otherwise (which of the two is wrong is not said). */
export async function verifyProfile(db: Database.Database, name: string, password: string): Promise<LocalProfile | null> {
  const row = prepared(db, 'SELECT id, name, admin, password_hash FROM local_profiles WHERE name_key = ?').get(profileNameKey(name)) as ProfileRow | undefined;
  // An unknown name costs the same hashing as a known one, so timing does not tell names apart.
  const matches = await profilePasswordMatches(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
  return row !== undefined && matches ? { id: row.id, name: row.name, admin: row.admin === 1 } : null;
}

