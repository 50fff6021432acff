/**
 * The share targets a sharer may pick in their own site, searched as they type: locations, groups
 * (by name) or physicians (people with a physician's role, by name or address, with their role),
 * never themselves.
 */
import type { Kysely } from 'kysely';
import { PHYSICIAN_ROLES } from '../../shared/permissions/catalogue';
import type { HubDatabase } from '../db/schema';

export async function shareTargets(db: Kysely<HubDatabase>, actor: { readonly userId: string }, accountId: string, query: { readonly kind: 'location' | 'group' | 'user'; readonly q: string; readonly limit: number }) {
  const { kind, q, limit } = query;
  const needle = q.toLowerCase();
  const matches = (...values: (string | null)[]) => needle === '' || values.some((value) => value?.toLowerCase().includes(needle));
  if (kind === 'user') {
    const rows = await db
      .selectFrom('worklists')
      .innerJoin('users', 'users.id', 'worklists.owner_id')
      .leftJoin('roles', 'roles.id', 'users.role_id')
      .select(['worklists.id as worklistId', 'users.name', 'users.email', 'roles.name as role'])
      .where('worklists.kind', '=', 'personal')
      .where('users.account_id', '=', accountId)
      .where('users.active', '=', 1)
      .where('users.id', '!=', actor.userId)
      // "Physicians": people whose role is a physician's, not every colleague.
      .where('roles.name', 'in', [...PHYSICIAN_ROLES])
      .orderBy('users.name')
      .execute();
    return { targets: rows.filter((row) => matches(row.name, row.email)).slice(0, limit).map((row) => ({ worklistId: row.worklistId, name: row.name, detail: row.role ?? '' })) };
  }
  const rows = await db
    .selectFrom('worklists')
    .select(['id as worklistId', 'name'])
    .where('kind', '=', kind)
    .where('account_id', '=', accountId)
    .orderBy('name')
    .execute();
  return { targets: rows.filter((row) => matches(row.name)).slice(0, limit).map((row) => ({ worklistId: row.worklistId, name: row.name, detail: '' })) };
}
