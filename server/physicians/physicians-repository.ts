/**
 * A site's physician directory and who acts for its physicians (issue 14): the SQL of the
 * `physicians`, `physician_names` and `physician_delegates` tables (migration 0300). Every change
 * is on the site's trail in the same transaction; a directory change queues a background relink
 * of existing studies (physician-linking.ts). Physicians of another site are answered as not
 * found (404), never as forbidden: whether an id exists elsewhere is not the caller's business.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DelegateKind, DelegationView, PhysicianInput, PhysicianView } from '../../shared/hub-api/physicians';
import { personNameKey } from '../../shared/physicians/name-key';
import { recordAudit } from '../audit/audit-trail';
import type { HubDatabase, PhysicianTable } from '../db/schema';
import { HttpError } from '../http-error';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export interface Who {
  readonly accountId: string;
  readonly actorId: string;
  readonly at: string;
}

const notFound = () => new HttpError(404, 'physician-not-found', 'This physician is not in your site’s directory (any more).');

function toView(row: PhysicianTable & { user_name: string | null }): PhysicianView {
  return {
    id: row.id,
    displayName: row.display_name,
    familyName: row.family_name,
    givenNames: row.given_names,
    aliases: JSON.parse(row.aliases) as string[],
    identifier: row.identifier,
    specialty: row.specialty,
    userId: row.user_id,
    userName: row.user_name,
    active: row.active === 1,
  };
}

function selectPhysicians(db: Db) {
  return db.selectFrom('physicians as p').leftJoin('users as u', 'u.id', 'p.user_id').selectAll('p').select('u.name as user_name');
}

/** Every key a physician answers to: their display name, "family^given", and each alias. */
export function physicianKeys(input: Pick<PhysicianInput, 'displayName' | 'familyName' | 'givenNames' | 'aliases'>): string[] {
  const names = [input.displayName, `${input.familyName}^${input.givenNames}`, ...input.aliases];
  return [...new Set(names.map(personNameKey).filter((key) => key !== ''))].sort();
}

export async function listPhysicians(db: Db, accountId: string, options: { readonly surnamePrefix?: string; readonly includeInactive?: boolean; readonly limit?: number } = {}): Promise<PhysicianView[]> {
  let query = selectPhysicians(db).where('p.account_id', '=', accountId);
  if (options.includeInactive !== true) query = query.where('p.active', '=', 1);
  const prefix = options.surnamePrefix?.trim() ?? '';
  // Case-insensitive on both engines, with no LIKE (its case and escape rules differ between them).
  if (prefix !== '') query = query.where(sql<SqlBool>`substr(lower(p.family_name), 1, ${prefix.length}) = ${prefix.toLowerCase()}`);
  const rows = await query.orderBy('p.family_name').orderBy('p.given_names').orderBy('p.id').limit(options.limit ?? 1000).execute();
  return rows.map(toView);
}

/** The assign-physicians modal's search: active physicians of the site whose surname starts so. */
export function searchPhysicians(db: Db, accountId: string, surnamePrefix: string): Promise<PhysicianView[]> {
  return listPhysicians(db, accountId, { surnamePrefix, limit: 50 });
}

export async function getPhysician(db: Db, accountId: string, id: string): Promise<PhysicianView> {
  const row = await selectPhysicians(db).where('p.id', '=', id).where('p.account_id', '=', accountId).executeTakeFirst();
  if (row === undefined) throw notFound();
  return toView(row);
}

/** The directory entry a signed-in user is (active only), or null. */
export async function physicianOfUser(db: Db, userId: string): Promise<PhysicianView | null> {
  const row = await selectPhysicians(db).where('p.user_id', '=', userId).where('p.active', '=', 1).executeTakeFirst();
  return row === undefined ? null : toView(row);
}

async function checkLinkedUser(db: Db, accountId: string, userId: string | null, physicianId: string | null): Promise<void> {
  if (userId === null) return;
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).where('account_id', '=', accountId).executeTakeFirst();
  if (user === undefined) throw new HttpError(400, 'user-not-in-site', 'The linked user is not a user of your site.');
  let taken = db.selectFrom('physicians').select('display_name').where('user_id', '=', userId);
  if (physicianId !== null) taken = taken.where('id', '<>', physicianId);
  const other = await taken.executeTakeFirst();
  if (other !== undefined) throw new HttpError(409, 'user-already-linked', `This user is already linked to ${other.display_name} in the directory.`);
}

async function writeNames(db: Db, accountId: string, physicianId: string, input: PhysicianInput): Promise<void> {
  await db.deleteFrom('physician_names').where('physician_id', '=', physicianId).execute();
  const keys = physicianKeys(input);
  if (keys.length > 0) await db.insertInto('physician_names').values(keys.map((name_key) => ({ account_id: accountId, name_key, physician_id: physicianId }))).execute();
}

/** Asks the background linker to (re)match this physician against existing studies from the start. */
export async function requestRelink(db: Db, accountId: string, physicianId: string, at: string): Promise<void> {
  await db
    .insertInto('physician_relinks')
    .values({ physician_id: physicianId, account_id: accountId, after_study_id: '', requested_at: at, finished_at: null })
    // A new generation, so a step still running on the previous request records nothing for it (migration 0510).
    .onConflict((oc) => oc.column('physician_id').doUpdateSet({ after_study_id: '', requested_at: at, finished_at: null, generation: sql<number>`physician_relinks.generation + 1` }))
    .execute();
}

/** A physician's columns as the directory form gives them (create and update write the same). */
function physicianColumns(input: PhysicianInput) {
  return {
    display_name: input.displayName,
    family_name: input.familyName,
    given_names: input.givenNames,
    name_key: personNameKey(input.displayName),
    aliases: JSON.stringify(input.aliases),
    identifier: input.identifier,
    specialty: input.specialty,
    user_id: input.userId,
    active: input.active ? 1 : 0,
  };
}

export async function createPhysician(db: Kysely<HubDatabase>, who: Who, input: PhysicianInput): Promise<PhysicianView> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    await checkLinkedUser(trx, who.accountId, input.userId, null);
    await trx
      .insertInto('physicians')
      .values({ id, account_id: who.accountId, ...physicianColumns(input), created_at: who.at, updated_at: who.at })
      .execute();
    await writeNames(trx, who.accountId, id, input);
    await requestRelink(trx, who.accountId, id, who.at);
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'physician.change', detail: { change: 'created', physician: id } });
  });
  return getPhysician(db, who.accountId, id);
}

export async function updatePhysician(db: Kysely<HubDatabase>, who: Who, id: string, input: PhysicianInput): Promise<PhysicianView> {
  await db.transaction().execute(async (trx) => {
    const before = await getPhysician(trx, who.accountId, id);
    await checkLinkedUser(trx, who.accountId, input.userId, id);
    await trx
      .updateTable('physicians')
      .set({ ...physicianColumns(input), updated_at: who.at })
      .where('id', '=', id)
      .execute();
    await writeNames(trx, who.accountId, id, input);
    await requestRelink(trx, who.accountId, id, who.at);
    const change = before.active && !input.active ? 'deactivated' : !before.active && input.active ? 'activated' : 'changed';
    await recordAudit(trx, { at: who.at, accountId: who.accountId, trail: 'account', actorId: who.actorId, action: 'physician.change', detail: { change, physician: id } });
  });
  return getPhysician(db, who.accountId, id);
}

export interface DelegatedPhysician extends DelegationView {
  readonly accountId: string;
}

/** The physicians a user acts for (every kind, every site), active or not: the admin's panel shows both. */
export async function physiciansDelegatedTo(db: Db, userId: string, options: { readonly accountId?: string } = {}): Promise<DelegatedPhysician[]> {
  let query = db
    .selectFrom('physician_delegates as d')
    .innerJoin('physicians as p', 'p.id', 'd.physician_id')
    .select(['d.physician_id', 'd.account_id', 'd.kind', 'p.display_name', 'p.active', 'p.family_name'])
    .where('d.user_id', '=', userId);
  if (options.accountId !== undefined) query = query.where('d.account_id', '=', options.accountId);
  const rows = await query.orderBy('p.family_name').orderBy('p.display_name').orderBy('p.id').execute();
  return rows.map((row) => ({ physicianId: row.physician_id, accountId: row.account_id, displayName: row.display_name, kind: row.kind, active: row.active === 1 }));
}

/** The active physicians a user acts for: what delegation reaches (a deactivated one reaches nothing). */
export async function activeDelegatedPhysicianIds(db: Db, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('physician_delegates as d')
    .innerJoin('physicians as p', 'p.id', 'd.physician_id')
    .select('d.physician_id')
    .where('d.user_id', '=', userId)
    .where('p.active', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.physician_id));
}

export interface SetDelegation {
  readonly userId: string;
  /** The site whose physicians these are (and whose admin assigns them). */
  readonly accountId: string;
  readonly kind: DelegateKind;
  readonly physicianIds: readonly string[];
  /** The admin assigning. */
  readonly by: string;
  readonly at?: string;
}

/**
 * Replaces the set of this site's physicians a user acts for (of this kind), in one transaction,
 * with one entry on the site's trail saying what was added and removed. Every physician must be
 * of the site (404 otherwise, whether or not it exists elsewhere). The user's rows for other
 * sites are untouched. A physician the user already acts for under the other kind changes kind.
 */
export async function setDelegatedPhysicians(db: Kysely<HubDatabase>, change: SetDelegation): Promise<DelegatedPhysician[]> {
  const at = change.at ?? new Date().toISOString();
  const wanted = [...new Set(change.physicianIds)];
  await db.transaction().execute(async (trx) => {
    if (wanted.length > 0) {
      const found = await trx.selectFrom('physicians').select('id').where('account_id', '=', change.accountId).where('id', 'in', wanted).execute();
      if (found.length !== wanted.length) throw notFound();
    }
    const current = await trx.selectFrom('physician_delegates').select(['physician_id', 'kind']).where('user_id', '=', change.userId).where('account_id', '=', change.accountId).execute();
    const keep = new Set(wanted);
    const removed = current.filter((row) => !keep.has(row.physician_id) && row.kind === change.kind).map((row) => row.physician_id);
    const had = new Set(current.filter((row) => row.kind === change.kind).map((row) => row.physician_id));
    const added = wanted.filter((id) => !had.has(id));
    if (removed.length > 0) await trx.deleteFrom('physician_delegates').where('user_id', '=', change.userId).where('physician_id', 'in', removed).execute();
    if (added.length > 0) {
      await trx
        .insertInto('physician_delegates')
        .values(added.map((physician_id) => ({ user_id: change.userId, physician_id, account_id: change.accountId, kind: change.kind, assigned_by: change.by, assigned_at: at })))
        .onConflict((oc) => oc.columns(['user_id', 'physician_id']).doUpdateSet({ kind: change.kind, assigned_by: change.by, assigned_at: at }))
        .execute();
    }
    if (added.length > 0 || removed.length > 0) {
      await recordAudit(trx, {
        at,
        accountId: change.accountId,
        trail: 'account',
        actorId: change.by,
        action: 'delegation.change',
        detail: { user: change.userId, kind: change.kind, added: added.join(','), removed: removed.join(',') },
      });
    }
  });
  return physiciansDelegatedTo(db, change.userId, { accountId: change.accountId });
}
