/**
 * A site's viewing policy in the hub's tables (migration 0200): the `accounts` columns and the
 * whole-site grants. Read for every request's viewer facts (server/access/access-facts.ts reads
 * it with `sitePolicyOf`), written here in one transaction with its audit entry.
 */
import type { Kysely, Transaction } from 'kysely';
import type { SitePolicy } from '../../shared/permissions/site-policy';
import { sitePolicyOf } from '../access/access-facts';
import { recordAudit } from '../audit/audit-trail';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export { sitePolicyOf };

/** The site's people and roles, to choose whole-site access from. */
export async function policyChoices(db: Db, accountId: string) {
  const [people, roles] = await Promise.all([
    db.selectFrom('users').select(['id', 'name']).where('account_id', '=', accountId).where('active', '=', 1).orderBy('name').execute(),
    db.selectFrom('roles').select(['id', 'name']).where('account_id', '=', accountId).orderBy('name').execute(),
  ]);
  return { people, roles };
}

/**
 * Sets the policy; named people and roles must be the site's own (a 400 naming the stranger
 * otherwise, nothing changed). Records what it was and what it became on the site's trail; the
 * same policy again records nothing.
 */
export async function setSitePolicy(db: Kysely<HubDatabase>, accountId: string, actorId: string, next: SitePolicy, at: string): Promise<SitePolicy> {
  return db.transaction().execute(async (trx) => {
    const { people, roles } = await policyChoices(trx, accountId);
    const strangers = [
      ...next.wholeSiteUserIds.filter((id) => !people.some((p) => p.id === id)),
      ...next.wholeSiteRoleIds.filter((id) => !roles.some((r) => r.id === id)),
      ...next.downloadRoleIds.filter((id) => !roles.some((r) => r.id === id)),
    ];
    if (strangers.length > 0) throw new HttpError(400, 'not-in-site', 'Whole-site access and downloading can be given only to people and roles of your site.');
    const before = await sitePolicyOf(trx, accountId);
    const normalised: SitePolicy = {
      ...next,
      wholeSiteUserIds: [...new Set(next.wholeSiteUserIds)].sort(),
      wholeSiteRoleIds: [...new Set(next.wholeSiteRoleIds)].sort(),
      // Roles to download matter only under 'roles': kept empty otherwise, so one policy has one form.
      downloadRoleIds: next.download === 'roles' ? [...new Set(next.downloadRoleIds)].sort() : [],
      // The de-identified view exists under 'participated' only (rule 14): off otherwise, one form again.
      deidentifiedDepartment: next.viewing === 'participated' && next.deidentifiedDepartment,
    };
    if (JSON.stringify(before) === JSON.stringify(normalised)) return before;
    await trx
      .updateTable('accounts')
      // A new generation makes every desktop of the site read its hub cache again (issue 13, part 3;
      // migration 0260): what the policy took away changed no study, so no study's change says so.
      .set((eb) => ({ viewing_policy: normalised.viewing, uploader_marks_private: normalised.uploaderMarksPrivate ? 1 : 0, download_policy: normalised.download, deidentified_department: normalised.deidentifiedDepartment ? 1 : 0, policy_generation: eb('policy_generation', '+', 1) }))
      .where('id', '=', accountId)
      .execute();
    await trx.deleteFrom('download_roles').where('account_id', '=', accountId).execute();
    if (normalised.downloadRoleIds.length > 0) await trx.insertInto('download_roles').values(normalised.downloadRoleIds.map((role_id) => ({ account_id: accountId, role_id }))).execute();
    await trx.deleteFrom('whole_site_grants').where('account_id', '=', accountId).execute();
    const grants = [
      ...normalised.wholeSiteUserIds.map((subject_id) => ({ account_id: accountId, kind: 'user' as const, subject_id })),
      ...normalised.wholeSiteRoleIds.map((subject_id) => ({ account_id: accountId, kind: 'role' as const, subject_id })),
    ];
    if (grants.length > 0) await trx.insertInto('whole_site_grants').values(grants).execute();
    // Ids only (never names) on the trail: it is exported; the screen names them.
    await recordAudit(trx, {
      at,
      accountId,
      trail: 'account',
      actorId,
      action: 'site.policy',
      detail: {
        from: before.viewing,
        to: normalised.viewing,
        wholeSiteFrom: [...before.wholeSiteUserIds, ...before.wholeSiteRoleIds].join(' '),
        wholeSiteTo: [...normalised.wholeSiteUserIds, ...normalised.wholeSiteRoleIds].join(' '),
        uploaderMarksPrivate: normalised.uploaderMarksPrivate,
        downloadFrom: [before.download, ...before.downloadRoleIds].join(' '),
        downloadTo: [normalised.download, ...normalised.downloadRoleIds].join(' '),
        deidentifiedFrom: before.deidentifiedDepartment,
        deidentifiedTo: normalised.deidentifiedDepartment,
      },
    });
    return normalised;
  });
}
