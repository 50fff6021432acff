/**
 * bench:hub --scale, issue 14 part 3: "All doctors" for an external rep — a user of no site,
 * connected to one site as External rep and assigned 20 of its directory physicians (rows of
 * `physician_delegates`, kind 'external', as an admin's Assign physicians writes them) — first
 * page p95, through the same viewer facts and list plan as the hub's route. Called by
 * hub-scale.ts after its case-manager figures, on the same fill; the rep is added once and kept.
 */
import type { Kysely } from 'kysely';
import { hubStudyQuerySchema } from '../../shared/hub-api/worklists';
import { EXTERNAL_USER_ROLE } from '../../shared/connections/connection-kinds';
import { BUILT_IN_ROLES, type PermissionKey } from '../../shared/permissions/catalogue';
import { viewerFacts } from '../../server/access/access-facts';
import type { Actor } from '../../server/auth/sessions';
import type { HubDatabase } from '../../server/db/schema';
import { listStudies } from '../../server/studies/study-list';

const REP_ID = '0e000000-0000-4000-8000-00000000e14b';

export async function measureExternalRep(
  db: Kysely<HubDatabase>,
  site: { readonly accountId: string; readonly physicianIds: readonly string[] },
  time: (label: string, work: (run: number) => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const assigned = site.physicianIds.slice(0, 20);
  const at = '2025-01-01T00:00:00.000Z';
  // The site's role for external users is its Referrer role (shared/connections/connection-kinds.ts); the fill's are the built-in ones.
  const role = await db.selectFrom('roles').select('id').where('account_id', '=', site.accountId).where('name', '=', EXTERNAL_USER_ROLE).executeTakeFirst();
  if ((await db.selectFrom('users').select('id').where('id', '=', REP_ID).executeTakeFirst()) === undefined) {
    await db.insertInto('users').values({ id: REP_ID, account_id: null, email: 'external-rep@bench.example', name: 'Bench External Rep', password_hash: 'x', role_id: role?.id ?? null, active: 1, created_at: at }).execute();
  }
  await db.deleteFrom('physician_delegates').where('user_id', '=', REP_ID).execute();
  await db
    .insertInto('physician_delegates')
    .values(assigned.map((physician_id) => ({ user_id: REP_ID, physician_id, account_id: site.accountId, kind: 'external' as const, assigned_by: REP_ID, assigned_at: at })))
    .execute();
  const actor: Actor = { userId: REP_ID, accountId: null, name: '', email: '', role: 'Referrer', permissions: new Set<PermissionKey>(BUILT_IN_ROLES[EXTERNAL_USER_ROLE]) };
  const rep = await viewerFacts(db, actor);
  const query = hubStudyQuerySchema.parse({ limit: '100' });
  const all = { kind: 'physicians' as const, physicianIds: [...(rep.delegatedPhysicianIds ?? [])] };
  const first = await listStudies(db, rep, all, query);
  await time(`"All doctors" first page: external rep assigned ${all.physicianIds.length} physicians (total ${first.total?.toLocaleString('en')}${first.totalCapped ? '+' : ''})`, () => listStudies(db, rep, all, query));
  // What "All I can see" gives the same person (their physicians' studies are all they see of the site).
  await time('external rep: "All I can see" first page', () => listStudies(db, rep, { kind: 'visible' }, query));
}
