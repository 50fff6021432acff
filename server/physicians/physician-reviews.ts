/**
 * Ambiguous DICOM matches waiting for an admin (a name that fits several physicians of the
 * directory), and the physicians a page of studies is on (the Relation and Doctor columns).
 */
import type { Kysely, Transaction } from 'kysely';
import type { MatchReviewView, PhysicianRelation } from '../../shared/hub-api/physicians';
import type { StudySummary } from '../../shared/types/study';
import { recordAudit } from '../audit/audit-trail';
import { lockChangeFeed, recordChange } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { linkStudyPhysician } from './physician-linking';
import type { Who } from './physicians-repository';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

/** Description · date · accession: enough for an admin to know the study. */
function studyLabel(summary: string | null): string {
  if (summary === null) return 'A study';
  const study = JSON.parse(summary) as StudySummary;
  return [study.studyDescription, study.studyDate, study.accessionNumber].filter((part) => part !== null && part !== '').join(' · ') || 'A study';
}

export async function listMatchReviews(db: Db, accountId: string): Promise<MatchReviewView[]> {
  const rows = await db.selectFrom('physician_match_reviews').selectAll().where('account_id', '=', accountId).where('resolved_at', 'is', null).orderBy('created_at').orderBy('id').limit(500).execute();
  const ids = [...new Set(rows.flatMap((row) => JSON.parse(row.candidate_ids) as string[]))];
  const names = ids.length === 0 ? [] : await db.selectFrom('physicians').select(['id', 'display_name']).where('id', 'in', ids).execute();
  const studyIds = [...new Set(rows.map((row) => row.study_id))];
  const summaries = studyIds.length === 0 ? [] : await db.selectFrom('studies').select(['id', 'summary']).where('id', 'in', studyIds).execute();
  return rows.map((row) => ({
    id: row.id,
    studyId: row.study_id,
    study: studyLabel(summaries.find((s) => s.id === row.study_id)?.summary ?? null),
    relation: row.relation,
    dicomName: row.dicom_name,
    candidates: (JSON.parse(row.candidate_ids) as string[]).map((id) => ({ id, displayName: names.find((n) => n.id === id)?.display_name ?? '' })),
    createdAt: row.created_at,
  }));
}

/** An admin's answer: the physician the name was (a link, source `manual`), or none. */
export async function resolveMatchReview(db: Kysely<HubDatabase>, who: Who, id: string, physicianId: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const review = await trx.selectFrom('physician_match_reviews').selectAll().where('id', '=', id).where('account_id', '=', who.accountId).where('resolved_at', 'is', null).executeTakeFirst();
    if (review === undefined) throw new HttpError(404, 'review-not-found', 'This question was answered already, or is not your site’s.');
    if (physicianId !== null) {
      const known = await trx.selectFrom('physicians').select('id').where('id', '=', physicianId).where('account_id', '=', who.accountId).executeTakeFirst();
      if (known === undefined) throw new HttpError(404, 'physician-not-found', 'This physician is not in your site’s directory (any more).');
      await lockChangeFeed(trx);
      await linkStudyPhysician(trx, { studyId: review.study_id, physicianId, relation: review.relation, source: 'manual', at: who.at, createdBy: who.actorId });
      await recordChange(trx, review.study_id, who.at);
    }
    await trx.updateTable('physician_match_reviews').set({ resolved_at: who.at, resolved_by: who.actorId, chosen_physician_id: physicianId }).where('id', '=', id).execute();
    await recordAudit(trx, { at: who.at, accountId: who.accountId, studyId: review.study_id, trail: 'study', actorId: who.actorId, action: 'physician.link', detail: { physician: physicianId, relation: review.relation, review: id } });
  });
}

export interface StudyLink {
  readonly physicianId: string;
  readonly displayName: string;
  readonly relation: PhysicianRelation;
}

const RELATION_ORDER: Readonly<Record<PhysicianRelation, number>> = { referring: 0, reading: 1, associated: 2 };

/** The physicians each study is on (only `among`, when given), by relation order then name. */
export async function studyPhysicianLinks(db: Db, studyIds: readonly string[], among: readonly string[] | null): Promise<Record<string, StudyLink[]>> {
  const result: Record<string, StudyLink[]> = {};
  if (studyIds.length === 0 || (among !== null && among.length === 0)) return result;
  for (let start = 0; start < studyIds.length; start += 500) {
    let query = db
      .selectFrom('study_physicians as sp')
      .innerJoin('physicians as p', 'p.id', 'sp.physician_id')
      .select(['sp.study_id', 'sp.physician_id', 'sp.relation', 'p.display_name'])
      .where('sp.study_id', 'in', studyIds.slice(start, start + 500));
    if (among !== null) query = query.where('sp.physician_id', 'in', [...among]);
    for (const row of await query.execute()) (result[row.study_id] ??= []).push({ physicianId: row.physician_id, displayName: row.display_name, relation: row.relation });
  }
  for (const links of Object.values(result)) links.sort((a, b) => RELATION_ORDER[a.relation] - RELATION_ORDER[b.relation] || a.displayName.localeCompare(b.displayName));
  return result;
}
