/**
 * bench:hub --scale --lists — the list figures of issues 13 and 14 on the scale fill, in place on
 * either engine (called by hub-scale.ts for SQLite and for PostgreSQL):
 * - issue 13: the first page of "every study I see" for a department member of site 1 under each
 *   viewing policy (participated, department, whole site), and for a member of 10 collections of
 *   100 studies (participated);
 * - issue 14 (hub-scale.ts measurePhysicians): "All doctors" for a case manager acting for 50
 *   physicians, one doctor of them, an external rep assigned 20, and relinking 100,000 studies.
 * The fill is changed only for the measure and put back after (the site's policy; the ten
 * collections are deleted), so a kept fill stays as it was generated.
 */
import type { Kysely } from 'kysely';
import { hubStudyQuerySchema } from '../../shared/hub-api/worklists';
import type { PermissionKey } from '../../shared/permissions/catalogue';
import { viewerFacts } from '../../server/access/access-facts';
import type { Actor } from '../../server/auth/sessions';
import type { HubDatabase } from '../../server/db/schema';
import { listStudies } from '../../server/studies/study-list';

type Time = (label: string, work: (run: number) => Promise<unknown>) => Promise<void>;

const SITE = 'site-1';
/** Deterministic ids, so a run cut short is cleaned up by the next. */
const collectionId = (c: number) => `0c000000-0000-4000-8000-0000000013${String(c).padStart(2, '0')}`;

async function actorOf(db: Kysely<HubDatabase>, id: string): Promise<Actor> {
  const row = await db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.id', 'users.account_id', 'roles.permissions', 'roles.name']).where('users.id', '=', id).executeTakeFirstOrThrow();
  return { userId: row.id, accountId: row.account_id, name: '', email: '', role: row.name, permissions: new Set(JSON.parse(row.permissions) as PermissionKey[]) };
}

async function removeCollections(db: Kysely<HubDatabase>): Promise<void> {
  const ids = Array.from({ length: 10 }, (_, c) => collectionId(c));
  await db.deleteFrom('collection_studies').where('collection_id', 'in', ids).execute();
  await db.deleteFrom('collection_members').where('collection_id', 'in', ids).execute();
  await db.deleteFrom('collections').where('id', 'in', ids).execute();
}

export async function measureCollaborationLists(db: Kysely<HubDatabase>, time: Time): Promise<void> {
  // A department of site 1 whose members uploaded studies (radiologists upload in the fill), and one of its physicians.
  const department = await db
    .selectFrom('groups')
    .innerJoin('group_members as m', 'm.owner_id', 'groups.id')
    .innerJoin('studies as s', 's.uploader_id', 'm.user_id')
    .select('groups.id')
    .where('groups.department', '=', 1)
    .where('groups.account_id', '=', SITE)
    .orderBy('groups.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const member = await db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('roles as r', 'r.id', 'u.role_id')
    .select('u.id')
    .where('m.owner_id', '=', department.id)
    .where('r.name', '=', 'Physician')
    .orderBy('u.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const actor = await actorOf(db, member.id);
  const query = hubStudyQuerySchema.parse({ limit: '100' });
  const show = (page: { studies: readonly unknown[]; total: number | null; totalCapped: boolean }) => `${page.studies.length} rows of ${page.total?.toLocaleString('en')}${page.totalCapped ? '+' : ''}`;
  const original = (await db.selectFrom('accounts').select('viewing_policy').where('id', '=', SITE).executeTakeFirstOrThrow()).viewing_policy;
  try {
    for (const policy of ['participated', 'department', 'site'] as const) {
      await db.updateTable('accounts').set({ viewing_policy: policy }).where('id', '=', SITE).execute();
      // The viewer's facts are read per request, as the route does (the policy is among them).
      const first = await listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query);
      await time(`issue 13: department member, policy ${policy} (${show(first)})`, async () => listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query));
    }

    // Ten collections of 100 studies each of site 1, made by one of its people, the member in each.
    await db.updateTable('accounts').set({ viewing_policy: 'participated' }).where('id', '=', SITE).execute();
    await removeCollections(db);
    const pool = await db.selectFrom('studies').select(['id', 'uploader_id']).where('account_id', '=', SITE).where('private', '=', 0).orderBy('id').limit(1000).execute();
    const maker = pool[0].uploader_id;
    const at = new Date().toISOString();
    for (let c = 0; c < 10; c++) {
      const id = collectionId(c);
      await db.insertInto('collections').values({ id, account_id: SITE, name: `Bench ${c}`, description: '', created_by: maker, created_at: at, deleted_at: null }).execute();
      await db
        .insertInto('collection_members')
        .values([
          { collection_id: id, member_kind: 'user', member_id: maker, rights: JSON.stringify(['manage']), added_at: at },
          { collection_id: id, member_kind: 'user', member_id: member.id, rights: '[]', added_at: at },
        ])
        .execute();
      await db
        .insertInto('collection_studies')
        .values(pool.slice(c * 100, c * 100 + 100).map((s) => ({ collection_id: id, study_id: s.id, series_uids: null, added_by: maker, added_at: at, removed_at: null })))
        .execute();
    }
    const first = await listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query);
    await time(`issue 13: member of 10 collections, participated (${show(first)})`, async () => listStudies(db, await viewerFacts(db, actor), { kind: 'visible' }, query));
    const one = await listStudies(db, await viewerFacts(db, actor), { kind: 'collection', collectionId: collectionId(0) }, query);
    await time(`issue 13: one collection's list (${show(one)})`, async () => listStudies(db, await viewerFacts(db, actor), { kind: 'collection', collectionId: collectionId(0) }, query));
  } finally {
    await removeCollections(db);
    await db.updateTable('accounts').set({ viewing_policy: original }).where('id', '=', SITE).execute();
  }
}
