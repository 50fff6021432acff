/**
 * One study as a person who may see it sees it: its summary, who it is shared with (names, who
 * shared, when; which shares they may remove) and its series on the hub. Opening it is recorded
 * as a view (when the client says it was opened, not refreshed) — on the study's trail, or, for
 * someone who sees it through an external share, on that share's own trail.
 */
import type { Kysely } from 'kysely';
import { seesStudy, studyAccess, visibleShares, type ViewerFacts } from '../../shared/permissions/visibility';
import { deidentifySeries, deidentifySummary, seenDeidentified, studyKey } from '../deidentify/deidentify';
import type { StudySummary } from '../../shared/types/study';
import { studyFacts } from '../access/access-facts';
import { studySeenSql } from '../access/visibility-sql';
import { recordAudit } from '../audit/audit-trail';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { physicianLabel } from '../../shared/physicians/name-key';

export async function studyDetails(db: Kysely<HubDatabase>, actor: Actor, viewer: ViewerFacts, id: string, view: { readonly opened: boolean; readonly at: string }) {
  const { opened, at } = view;
  // Seen or not is decided by the same SQL condition as every list; the pure function then
  // gives what the viewer may do (the property test keeps the two in step).
  // Seen de-identified (rule 14) counts: its details are then de-identified below.
  const study = await db.selectFrom('studies').selectAll().where('id', '=', id).where(studySeenSql(viewer, 'studies')).executeTakeFirst();
  const facts = study === undefined ? null : await studyFacts(db, study);
  const access = study === undefined || facts === null ? null : studyAccess(facts, viewer);
  if (study === undefined || access === null || !seesStudy(access)) throw new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot see it.');
  const shares = await db
    .selectFrom('shares')
    .innerJoin('users as sharer', 'sharer.id', 'shares.shared_by')
    .leftJoin('worklists', 'worklists.id', 'shares.worklist_id')
    .leftJoin('accounts as site', 'site.id', 'worklists.account_id')
    .leftJoin('users as person', 'person.id', 'shares.user_id')
    // Shared by a case manager for a physician: "Carl Case Manager for Dr Paula Physician" (issue 14).
    .leftJoin('physicians as principal', 'principal.id', 'shares.on_behalf_of_physician')
    .select([
      'principal.display_name as principal_name',
      'shares.id',
      'shares.created_at',
      'shares.external',
      'shares.user_id',
      'sharer.id as sharer_id',
      'sharer.name as sharer_name',
      'worklists.kind',
      'worklists.name as worklist_name',
      'worklists.account_id as worklist_account',
      'site.name as site_name',
      'person.name as person_name',
      'person.email as person_email',
      'person.active as person_active',
    ])
    .where('shares.study_id', '=', study.id)
    .where('shares.removed_at', 'is', null)
    .orderBy('shares.created_at')
    .execute();
  const series = await db
    .selectFrom('study_files')
    .select(['series_uid', 'modality', 'series_description', (eb) => eb.fn.min('series_number').as('series_number'), (eb) => eb.fn.countAll<number>().as('instances')])
    .where('study_id', '=', study.id)
    .groupBy(['series_uid', 'modality', 'series_description'])
    .orderBy('series_number')
    .execute();
  const known = new Set(visibleShares(facts!, viewer).map((share) => share.id));
  const shown = shares.filter((share) => known.has(share.id));
  // Seen through an external share made to this viewer: the view goes on that share's trail.
  const through = shares.find((share) => share.external === 1 && share.user_id === actor.userId);
  if (opened) {
    await recordAudit(db, {
      at,
      accountId: study.account_id,
      studyId: study.id,
      shareId: through?.id ?? null,
      trail: through === undefined ? 'study' : 'share',
      actorId: actor.userId,
      action: 'study.view',
    });
  }
  const summary = JSON.parse(study.summary) as StudySummary;
  const key = seenDeidentified(access) ? await studyKey(db, study) : null;
  return {
    // De-identified: the pseudonym's summary, no shares (who has it names people), mapped series.
    study: { id: study.id, private: study.private === 1, summary: key === null ? summary : deidentifySummary(key, summary), actions: [...access.actions].sort() },
    shares: (key === null ? shown : []).map((share) => ({
      id: share.id,
      target:
        share.kind === null
          ? { kind: 'person' as const, name: share.person_name ?? '', email: share.person_email, site: null }
          : { kind: share.kind, name: share.worklist_name ?? '', email: null, site: share.worklist_account === study.account_id ? null : share.site_name },
      sharedBy: { id: share.sharer_id, name: share.principal_name === null ? share.sharer_name : `${share.sharer_name} for ${physicianLabel(share.principal_name)}` },
      sharedAt: share.created_at,
      external: share.external === 1,
      // An invited address that has not registered yet.
      invitationPending: share.kind === null && share.person_active === 0,
      removable: access.removableShareIds.has(share.id),
    })),
    series: series
      .map((row) => ({
        seriesInstanceUid: row.series_uid,
        modality: row.modality,
        seriesDescription: row.series_description,
        seriesNumber: row.series_number,
        instances: Number(row.instances),
      }))
      .map((row) => (key === null ? row : deidentifySeries(key, row))),
  };
}
