/**
 * A connected person's sites (issue 14): the role each of their sites gave their connection (one
 * role per connection, visibility rule 15), read for the rules (`ViewerFacts.siteRoles`), set by
 * the site's admins, and the union of them all for what the desktop offers (the hub still decides
 * per study); and which sites they are connected to, by name, for the lists' Site column and
 * filter. SQL for `site_connections.role_id` (hub migration 0440) lives here only.
 */
import type { Kysely, Transaction } from 'kysely';
import { CONNECTION_DEFAULT_ROLES, connectionPermissions } from '../../shared/permissions/connection-role';
import { isPermissionKey, type PermissionKey } from '../../shared/permissions/catalogue';
import type { SiteRole } from '../../shared/permissions/visibility';
import type { ConnectionKind } from '../../shared/connections/connection-kinds';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

const keysOf = (json: string): PermissionKey[] => {
  const keys: unknown = JSON.parse(json);
  return Array.isArray(keys) ? keys.filter(isPermissionKey) : [];
};

/**
 * The role of each site the user is connected to (a request not declined, with a role), by site.
 * A request back in review keeps its role: a share from that site still reaches them as that
 * site's connection, not as their own role.
 */
export async function connectionSiteRoles(db: Db, userId: string): Promise<Map<string, SiteRole>> {
  const rows = await db
    .selectFrom('site_connections as c')
    .innerJoin('roles as r', 'r.id', 'c.role_id')
    .select(['c.account_id', 'r.id', 'r.permissions'])
    .where('c.user_id', '=', userId)
    .where('c.status', '<>', 'declined')
    // The role must be the connection's own site's (set only so; checked again here, cheaply).
    .whereRef('r.account_id', '=', 'c.account_id')
    .execute();
  return new Map(rows.map((row) => [row.account_id, { roleId: row.id, permissions: connectionPermissions(keysOf(row.permissions)) }]));
}

/** Every permission any of the user's connections gives (the desktop shows the actions; the hub checks each study's site). */
export async function connectionPermissionsAnywhere(db: Db, userId: string): Promise<Set<PermissionKey>> {
  const roles = await connectionSiteRoles(db, userId);
  return new Set([...roles.values()].flatMap((role) => [...role.permissions]));
}

/** The site's role a connection of this kind takes at its first assignment (CONNECTION_DEFAULT_ROLES), or null when the site has none by that name. */
export async function defaultConnectionRole(db: Db, accountId: string, kind: ConnectionKind): Promise<string | null> {
  const row = await db.selectFrom('roles').select('id').where('account_id', '=', accountId).where('name', '=', CONNECTION_DEFAULT_ROLES[kind]).executeTakeFirst();
  return row?.id ?? null;
}

/** A role of the admin's own site by id; another site's role is answered as one that does not exist. */
export async function siteRole(db: Db, accountId: string, roleId: string): Promise<{ id: string; name: string }> {
  const row = await db.selectFrom('roles').select(['id', 'name']).where('id', '=', roleId).where('account_id', '=', accountId).executeTakeFirst();
  if (row === undefined) throw new HttpError(404, 'no-such-role', 'No such role in your site. Reload the list of roles.');
  return row;
}

/** The sites a person of no site is connected to (an assigned connection), by name: the Site filter's choices. */
export async function connectedSites(db: Db, userId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('site_connections as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .select(['a.id', 'a.name'])
    .where('c.user_id', '=', userId)
    .where('c.status', '=', 'assigned')
    .orderBy('a.name')
    .orderBy('a.id')
    .execute();
}

/** The names of these sites (a page's rows' sites), by id. */
export async function siteNames(db: Db, accountIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(accountIds)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('accounts').select(['id', 'name']).where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}
