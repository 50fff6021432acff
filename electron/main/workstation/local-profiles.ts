/**
 * Local profiles: who may sign in at a desktop that uses no hub. A name and a password, kept as
 * an scrypt hash (memory-hard, N=2^15 r=8 p=1 as the hub's passwords; a fresh 128-bit salt per
 * profile) in the local database. Functions take `db` first; nothing here knows about the lock.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type Database from 'better-sqlite3';
import { prepared } from '../study-index/statement-cache';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // 128 * N * r bytes = 32 MiB for these parameters: the default maxmem (32 MiB) is just short.
    scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error === null ? resolve(key) : reject(error))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash, so they can change later. */
export async function hashProfilePassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function profilePasswordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

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
  const matches = await profilePasswordMatches(password, row?.password_hash ?? DUMMY_HASH);
  return row !== undefined && matches ? { id: row.id, name: row.name, admin: row.admin === 1 } : null;
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;
