/**
 * Connection requests (issue 14, part 3): an external user (no site) asks to connect to a site;
 * its admins assign the physicians the user acts for (rows of `physician_delegates`, kind
 * 'external', through which the visibility rules show those physicians' studies) or decline.
 * Every decision is on the site's trail, and the user is told in the app (notify) and by mail,
 * in the same transaction. A request, an id or a physician of another site is answered exactly
 * as one that does not exist.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { assignmentProblem, CONNECTION_KIND_LABELS, EXTERNAL_USER_ROLE, type ConnectionKind } from '../../shared/connections/connection-kinds';
import type { MyConnectionView, SiteConnectionView } from '../../shared/hub-api/connections';
import { recordAudit } from '../audit/audit-trail';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { queueMail } from '../mail/mail-queue';
import { notify } from '../notifications/notify';
import { findSiteForConnection } from '../sites/sites-repository';
import { defaultConnectionRole, siteRole } from './connection-roles';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

const NO_SITE = 'No site by that name or connection code takes connection requests. Check the name (exactly as the site spells it) or ask the site for its connection code.';
const NO_REQUEST = 'No such connection request in your site.';

/** The physicians a user acts for at a site as an external user, by surname. */
async function externalPhysicians(db: Db, userId: string, accountId: string) {
  const rows = await db
    .selectFrom('physician_delegates')
    .innerJoin('physicians', 'physicians.id', 'physician_delegates.physician_id')
    .select(['physicians.id', 'physicians.display_name as name'])
    .where('physician_delegates.user_id', '=', userId)
    .where('physician_delegates.account_id', '=', accountId)
    .where('physician_delegates.kind', '=', 'external')
    .orderBy('physicians.family_name')
    .orderBy('physicians.display_name')
    .execute();
  return rows;
}

/** Asks to connect; refused when the caller belongs to a site, the site is unknown or closed, or a request is already open there. */
export async function requestConnection(db: Kysely<HubDatabase>, actor: Actor, input: { site: string; kind: ConnectionKind }, at: string): Promise<MyConnectionView> {
  if (actor.accountId !== null) {
    throw new HttpError(409, 'site-member', 'You are a user of a site. Connection requests are for people outside any site; ask your administrator to share with the other site instead.');
  }
  return db.transaction().execute(async (trx) => {
    const site = await findSiteForConnection(trx, input.site);
    if (site === undefined) throw new HttpError(404, 'no-such-site', NO_SITE);
    const open = await trx.selectFrom('site_connections').select('status').where('user_id', '=', actor.userId).where('account_id', '=', site.id).where('status', '<>', 'declined').executeTakeFirst();
    if (open !== undefined) {
      throw new HttpError(
        409,
        'request-open',
        open.status === 'review' ? `Your request to connect to ${site.name} is already waiting for its administrators.` : `You are already connected to ${site.name}.`,
      );
    }
    const id = randomUUID();
    // The partial unique index (one open request per person and site) settles two racing submits.
    await trx.insertInto('site_connections').values({ id, user_id: actor.userId, account_id: site.id, kind: input.kind, status: 'review', created_at: at, decided_by: null, decided_at: null }).execute();
    await recordAudit(trx, { at, accountId: site.id, trail: 'account', actorId: actor.userId, action: 'connection.request', detail: { connectionId: id, kind: input.kind } });
    const admins = await connectionAdmins(trx, site.id);
    await notify(trx, admins.map((userId) => ({ userId, kind: 'connection.requested' as const, actorId: actor.userId })), at);
    return { id, site, kind: input.kind, status: 'review' as const, createdAt: at, decidedAt: null, physicians: [] };
  });
}

/** The site's users whose role manages connections (they are told of a new request). */
async function connectionAdmins(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.id', 'roles.permissions'])
    .where('users.account_id', '=', accountId)
    .where('users.active', '=', 1)
    .execute();
  return rows.filter((row) => (JSON.parse(row.permissions) as unknown[]).includes('admin.connections')).map((row) => row.id);
}

export async function myConnections(db: Db, userId: string): Promise<MyConnectionView[]> {
  const rows = await db
    .selectFrom('site_connections')
    .innerJoin('accounts', 'accounts.id', 'site_connections.account_id')
    .leftJoin('roles', 'roles.id', 'site_connections.role_id')
    .select(['site_connections.id', 'site_connections.account_id', 'accounts.name as site', 'site_connections.kind', 'site_connections.status', 'site_connections.created_at', 'site_connections.decided_at', 'roles.id as role_id', 'roles.name as role_name'])
    .where('site_connections.user_id', '=', userId)
    .orderBy('site_connections.created_at', 'desc')
    .execute();
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      site: { id: row.account_id, name: row.site },
      kind: row.kind,
      status: row.status,
      createdAt: row.created_at,
      decidedAt: row.decided_at,
      physicians: row.status === 'assigned' ? await externalPhysicians(db, userId, row.account_id) : [],
      role: roleView(row),
    })),
  );
}

const roleView = (row: { role_id: string | null; role_name: string | null }) => (row.role_id === null || row.role_name === null ? null : { id: row.role_id, name: row.role_name });

function siteConnectionRows(db: Db, accountId: string) {
  return db
    .selectFrom('site_connections')
    .innerJoin('users', 'users.id', 'site_connections.user_id')
    .leftJoin('roles', 'roles.id', 'site_connections.role_id')
    .select(['site_connections.id', 'site_connections.user_id', 'users.name', 'users.email', 'site_connections.kind', 'site_connections.status', 'site_connections.created_at', 'site_connections.decided_at', 'roles.id as role_id', 'roles.name as role_name'])
    .where('site_connections.account_id', '=', accountId);
}

type SiteConnectionRow = Awaited<ReturnType<ReturnType<typeof siteConnectionRows>['executeTakeFirstOrThrow']>>;

async function siteConnectionView(db: Db, accountId: string, row: SiteConnectionRow): Promise<SiteConnectionView> {
  return {
    id: row.id,
    user: { id: row.user_id, name: row.name, email: row.email },
    kind: row.kind,
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    physicians: row.status === 'assigned' ? await externalPhysicians(db, row.user_id, accountId) : [],
    role: roleView(row),
  };
}

/** A site's requests, those waiting for review first, then the newest; and the site's roles, which a connection may take (one role per connection). */
export async function siteConnections(db: Db, accountId: string): Promise<{ connections: SiteConnectionView[]; reviewCount: number; roles: { id: string; name: string }[] }> {
  const rows = await siteConnectionRows(db, accountId).orderBy('site_connections.created_at', 'desc').execute();
  const order = { review: 0, assigned: 1, declined: 2 } as const;
  rows.sort((a, b) => order[a.status] - order[b.status]);
  const connections = await Promise.all(rows.map((row) => siteConnectionView(db, accountId, row)));
  const roles = await db.selectFrom('roles').select(['id', 'name']).where('account_id', '=', accountId).orderBy('name').execute();
  return { connections, reviewCount: rows.filter((row) => row.status === 'review').length, roles };
}

/** How many requests wait for the site's admins (the Administration badge). */
export async function reviewCount(db: Db, accountId: string): Promise<number> {
  const row = await db.selectFrom('site_connections').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).where('status', '=', 'review').executeTakeFirstOrThrow();
  return Number(row.n);
}

async function openConnection(trx: Transaction<HubDatabase>, accountId: string, connectionId: string) {
  // A no-op write first: it takes the row's lock (PostgreSQL) before the status is read, so two admins deciding at once queue.
  const locked = await trx.updateTable('site_connections').set((eb) => ({ status: eb.ref('status') })).where('id', '=', connectionId).where('account_id', '=', accountId).returning('id').executeTakeFirst();
  if (locked === undefined) throw new HttpError(404, 'not-found', NO_REQUEST);
  const row = await siteConnectionRows(trx, accountId).where('site_connections.id', '=', connectionId).executeTakeFirstOrThrow();
  if (row.status === 'declined') throw new HttpError(409, 'declined', 'This request was declined; the person may ask again.');
  return row;
}

async function tellUser(trx: Transaction<HubDatabase>, row: SiteConnectionRow, accountId: string, actorId: string, sentence: string, at: string) {
  await notify(trx, [{ userId: row.user_id, kind: 'connection.decided', actorId }], at);
  const site = await trx.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirstOrThrow();
  await queueMail(trx, { to: row.email, subject: `Your connection to ${site.name}`, text: `Hello ${row.name},\n\n${sentence.replace('{site}', site.name)}\n\nStudyshare\n` }, at);
}

/**
 * Sets the physicians of the site a connected user acts for: some → Assigned (the user sees
 * their studies from the next request), none → back to Review. Every physician must be an
 * active one of the admin's own site; a Physician connection takes exactly one.
 */
export async function assignPhysicians(db: Kysely<HubDatabase>, actor: Actor, accountId: string, connectionId: string, physicianIds: readonly string[], at: string): Promise<SiteConnectionView> {
  const ids = [...new Set(physicianIds)];
  return db.transaction().execute(async (trx) => {
    const row = await openConnection(trx, accountId, connectionId);
    const problem = assignmentProblem(row.kind, ids.length);
    if (problem !== null) throw new HttpError(409, 'one-physician', problem);
    if (ids.length > 0) {
      const found = await trx.selectFrom('physicians').select('id').where('id', 'in', ids).where('account_id', '=', accountId).where('active', '=', 1).execute();
      // Another site's physician is answered as one that does not exist.
      if (found.length !== ids.length) throw new HttpError(404, 'no-such-physician', 'One of the chosen physicians is not in your site’s directory (or no longer active). Reload the list.');
    }
    const before = (await externalPhysicians(trx, row.user_id, accountId)).map((p) => p.id);
    await trx.deleteFrom('physician_delegates').where('user_id', '=', row.user_id).where('account_id', '=', accountId).where('kind', '=', 'external').execute();
    if (ids.length > 0) {
      await trx
        .insertInto('physician_delegates')
        .values(ids.map((physicianId) => ({ user_id: row.user_id, physician_id: physicianId, account_id: accountId, kind: 'external' as const, assigned_by: actor.userId, assigned_at: at })))
        .execute();
    }
    if (ids.length > 0) {
      // A user who has no role yet takes the site's role for external users (EXTERNAL_USER_ROLE).
      const role = await trx.selectFrom('roles').select('id').where('account_id', '=', accountId).where('name', '=', EXTERNAL_USER_ROLE).executeTakeFirst();
      if (role !== undefined) await trx.updateTable('users').set({ role_id: role.id }).where('id', '=', row.user_id).where('role_id', 'is', null).execute();
    }
    // One role per connection (visibility rule 15): the first assignment gives the connection its kind's role of the site.
    let connectionRole = roleView(row);
    if (ids.length > 0 && row.role_id === null) {
      const roleId = await defaultConnectionRole(trx, accountId, row.kind);
      if (roleId !== null) {
        await trx.updateTable('site_connections').set({ role_id: roleId }).where('id', '=', connectionId).execute();
        connectionRole = await siteRole(trx, accountId, roleId);
      }
    }
    const status = ids.length > 0 ? ('assigned' as const) : ('review' as const);
    await trx.updateTable('site_connections').set({ status, decided_by: actor.userId, decided_at: at }).where('id', '=', connectionId).execute();
    await recordAudit(trx, { at, accountId, trail: 'account', actorId: actor.userId, action: 'connection.decide', detail: { connectionId, status, physicians: ids.length } });
    const changed = before.length !== ids.length || before.some((id) => !ids.includes(id));
    if (changed) {
      const kindLabel = CONNECTION_KIND_LABELS[row.kind];
      await tellUser(
        trx,
        row,
        accountId,
        actor.userId,
        ids.length === 0
          ? 'Your connection to {site} is back in review: no physicians are assigned to you for now.'
          : before.length === 0
            ? `Your request to connect to {site} as ${kindLabel} was accepted: you now see the studies of ${ids.length === 1 ? 'one physician' : `${ids.length} physicians`}. Open Studyshare to see them.`
            : `The physicians you act for at {site} changed: ${ids.length === 1 ? 'one physician' : `${ids.length} physicians`} now.`,
        at,
      );
    }
    return siteConnectionView(trx, accountId, { ...row, status, decided_at: at, role_id: connectionRole?.id ?? null, role_name: connectionRole?.name ?? null });
  });
}

/**
 * Sets the site's role that decides what a connected person may do with the site's studies (one
 * role per connection, visibility rule 15): any role of the admin's own site; only its study
 * keys count for a connected person (shared/permissions/connection-role.ts). Audited on the
 * site's trail; the person is told in the app.
 */
export async function setConnectionRole(db: Kysely<HubDatabase>, actor: Actor, accountId: string, connectionId: string, roleId: string, at: string): Promise<SiteConnectionView> {
  return db.transaction().execute(async (trx) => {
    const row = await openConnection(trx, accountId, connectionId);
    const role = await siteRole(trx, accountId, roleId);
    if (row.role_id !== role.id) {
      await trx.updateTable('site_connections').set({ role_id: role.id }).where('id', '=', connectionId).execute();
      await recordAudit(trx, { at, accountId, trail: 'account', actorId: actor.userId, action: 'connection.decide', detail: { connectionId, status: row.status, role: role.name } });
      await notify(trx, [{ userId: row.user_id, kind: 'connection.decided', actorId: actor.userId }], at);
    }
    return siteConnectionView(trx, accountId, { ...row, role_id: role.id, role_name: role.name });
  });
}

/** Ends a request for good; any physicians it had are taken away in the same transaction. */
export async function declineConnection(db: Kysely<HubDatabase>, actor: Actor, accountId: string, connectionId: string, at: string): Promise<SiteConnectionView> {
  return db.transaction().execute(async (trx) => {
    const row = await openConnection(trx, accountId, connectionId);
    await trx.deleteFrom('physician_delegates').where('user_id', '=', row.user_id).where('account_id', '=', accountId).where('kind', '=', 'external').execute();
    await trx.updateTable('site_connections').set({ status: 'declined', decided_by: actor.userId, decided_at: at }).where('id', '=', connectionId).execute();
    await recordAudit(trx, { at, accountId, trail: 'account', actorId: actor.userId, action: 'connection.decide', detail: { connectionId, status: 'declined', physicians: 0 } });
    await tellUser(trx, row, accountId, actor.userId, 'Your request to connect to {site} was declined.', at);
    return siteConnectionView(trx, accountId, { ...row, status: 'declined', decided_at: at });
  });
}

/** Physicians of the site for the Assign dialog: active, surname starting with the text (accents and case as typed). */
export async function searchSitePhysicians(db: Db, accountId: string, text: string) {
  let query = db.selectFrom('physicians').select(['id', 'display_name as name', 'specialty']).where('account_id', '=', accountId).where('active', '=', 1);
  const prefix = text.trim();
  if (prefix !== '') {
    // LIKE's wildcards are dropped rather than escaped: SQLite and PostgreSQL escape differently, and no surname needs them.
    const escaped = prefix.toLowerCase().replace(/[\\%_]/g, '');
    query = query.where((eb) => eb(eb.fn('lower', ['family_name']), 'like', `${escaped}%`));
  }
  return query.orderBy('family_name').orderBy('display_name').limit(50).execute();
}
