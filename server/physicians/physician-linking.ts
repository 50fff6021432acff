/**
 * Links studies to the physicians of their site's directory (issue 14, part 1).
 *
 * - On arrival (a study published or published again): the DICOM names it carries — Referring
 *   Physician's Name (0008,0090) → `referring`, Name of Physician(s) Reading Study (0008,1060) →
 *   `reading` — are kept by key (`study_physician_names`) and matched: one active physician with
 *   the key links; several leave a review for an admin; none leaves the name for a later
 *   directory change. In the publish transaction: a study and its links arrive together.
 * - A share to a physician's personal worklist links them as `reading` (source `share`).
 * - Actions → Add physician… links one as `associated` (source `manual`).
 * - A directory change relinks existing studies in the background (`runRelinks`): bounded
 *   batches by keyset on the study id, each its own short transaction, the position kept in
 *   `physician_relinks` so a restart resumes. Matching is idempotent, so two hub processes working
 *   the same queue (PostgreSQL, several processes) only repeat work, never double it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { personNameKey } from '../../shared/physicians/name-key';
import type { HubDatabase, StudyPhysicianTable } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;
type DicomRelation = 'referring' | 'reading';

export interface StudyDicomNames {
  readonly referring: string | null;
  readonly reading: readonly string[];
}

/** The physician names a published study summary carries. */
export function dicomPhysicianNames(study: { readonly referringPhysicianName: string | null; readonly readingPhysicianNames?: string | null }): StudyDicomNames {
  return { referring: study.referringPhysicianName, reading: study.readingPhysicianNames === undefined || study.readingPhysicianNames === null ? [] : [study.readingPhysicianNames] };
}

/** Splits a DICOM multi-valued name (values separated by `\`) and keeps what has a key. */
function named(relation: DicomRelation, values: readonly (string | null)[]): { relation: DicomRelation; dicomName: string; key: string }[] {
  return values
    .flatMap((value) => (value ?? '').split('\\'))
    .map((dicomName) => ({ relation, dicomName: dicomName.trim(), key: personNameKey(dicomName) }))
    .filter((name) => name.key !== '');
}

/** The active physicians of a site answering to a key. */
async function candidates(db: Db, accountId: string, key: string): Promise<string[]> {
  const rows = await db
    .selectFrom('physician_names as n')
    .innerJoin('physicians as p', 'p.id', 'n.physician_id')
    .select('p.id')
    .where('n.account_id', '=', accountId)
    .where('n.name_key', '=', key)
    .where('p.active', '=', 1)
    .orderBy('p.id')
    .execute();
  return rows.map((row) => row.id);
}

export interface NewLink {
  readonly studyId: string;
  readonly physicianId: string;
  readonly relation: StudyPhysicianTable['relation'];
  readonly source: StudyPhysicianTable['source'];
  readonly at: string;
  readonly createdBy?: string | null;
  readonly onBehalfOf?: string | null;
}

/** Adds a link (nothing if it is there already); true when it was new. */
export async function linkStudyPhysician(db: Db, link: NewLink): Promise<boolean> {
  const result = await db
    .insertInto('study_physicians')
    .values({
      study_id: link.studyId,
      physician_id: link.physicianId,
      relation: link.relation,
      source: link.source,
      created_at: link.at,
      created_by: link.createdBy ?? null,
      on_behalf_of: link.onBehalfOf ?? null,
    })
    .onConflict((oc) => oc.columns(['study_id', 'physician_id', 'relation']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * A share to someone's personal worklist (or to them in person): when they are an active physician
 * of the study's site, they are `reading` on it (source `share`).
 */
export async function linkSharedPhysician(db: Db, share: { readonly studyId: string; readonly accountId: string; readonly userId: string | null; readonly at: string; readonly createdBy: string; readonly onBehalfOf: string | null }): Promise<void> {
  if (share.userId === null) return;
  const physician = await db.selectFrom('physicians').select('id').where('user_id', '=', share.userId).where('account_id', '=', share.accountId).where('active', '=', 1).executeTakeFirst();
  if (physician === undefined) return;
  await linkStudyPhysician(db, { studyId: share.studyId, physicianId: physician.id, relation: 'reading', source: 'share', at: share.at, createdBy: share.createdBy, onBehalfOf: share.onBehalfOf });
}

/**
 * Matches one DICOM name of a study against the directory as it is now: one candidate links it
 * (and a DICOM link to someone who no longer answers to the name goes); several drop the DICOM
 * links among them and leave one open review (unless an admin already answered for this name).
 */
async function matchName(db: Db, accountId: string, studyId: string, relation: DicomRelation, dicomName: string, key: string, at: string): Promise<void> {
  const found = await candidates(db, accountId, key);
  if (found.length === 1) {
    await linkStudyPhysician(db, { studyId, physicianId: found[0], relation, source: 'dicom', at });
    return;
  }
  if (found.length < 2) return;
  await db.deleteFrom('study_physicians').where('study_id', '=', studyId).where('relation', '=', relation).where('source', '=', 'dicom').where('physician_id', 'in', found).execute();
  const asked = await db.selectFrom('physician_match_reviews').select('id').where('study_id', '=', studyId).where('relation', '=', relation).where('name_key', '=', key).executeTakeFirst();
  if (asked !== undefined) return;
  await db
    .insertInto('physician_match_reviews')
    .values({ id: randomUUID(), account_id: accountId, study_id: studyId, relation, dicom_name: dicomName, name_key: key, candidate_ids: JSON.stringify(found), created_at: at, resolved_at: null, resolved_by: null, chosen_physician_id: null })
    .execute();
}

/**
 * A study arrived (or arrived again with new data): keep its DICOM physician names and link them.
 * DICOM links for names it no longer carries go (an admin's or a share's links stay).
 */
export async function linkArrivingStudy(db: Db, accountId: string, studyId: string, names: StudyDicomNames, at: string): Promise<void> {
  const all = [...named('referring', [names.referring]), ...named('reading', names.reading)];
  const unique = [...new Map(all.map((name) => [`${name.relation}|${name.key}`, name])).values()];
  await db.deleteFrom('study_physician_names').where('study_id', '=', studyId).execute();
  if (unique.length > 0) {
    await db
      .insertInto('study_physician_names')
      .values(unique.map((name) => ({ study_id: studyId, relation: name.relation, name_key: name.key, dicom_name: name.dicomName, account_id: accountId })))
      .execute();
  }
  await removeStaleDicomLinks(db, { studyId });
  for (const name of unique) await matchName(db, accountId, studyId, name.relation, name.dicomName, name.key, at);
}

/**
 * Deletes DICOM links whose physician no longer answers to any name the study carries for that
 * relation (a renamed alias, a new study version), for one study or, bounded, for one physician.
 */
async function removeStaleDicomLinks(db: Db, scope: { readonly studyId: string } | { readonly physicianId: string; readonly limit: number }): Promise<number> {
  let stale = db
    .selectFrom('study_physicians as sp')
    .select(['sp.study_id', 'sp.physician_id', 'sp.relation'])
    .where('sp.source', '=', 'dicom')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('study_physician_names as n')
            .innerJoin('physician_names as k', 'k.name_key', 'n.name_key')
            .select('n.study_id')
            .whereRef('n.study_id', '=', 'sp.study_id')
            .whereRef('n.relation', '=', 'sp.relation')
            .whereRef('k.physician_id', '=', 'sp.physician_id'),
        ),
      ),
    );
  stale = 'studyId' in scope ? stale.where('sp.study_id', '=', scope.studyId) : stale.where('sp.physician_id', '=', scope.physicianId).limit(scope.limit);
  const rows = await stale.execute();
  for (const row of rows) {
    await db.deleteFrom('study_physicians').where('study_id', '=', row.study_id).where('physician_id', '=', row.physician_id).where('relation', '=', row.relation).execute();
  }
  return rows.length;
}

export interface RelinkTuning {
  /** Rows of `study_physician_names` matched per transaction. */
  readonly batchSize: number;
}
// 2,000 names a step: each step is a transaction of about eight statements, and on a loaded
// PostgreSQL every statement waits its turn for a core, so 100,000 studies in steps of 500 (200
// transactions) took 67 s there; 2,000 keeps a step's write lock on SQLite to tens of ms.
export const DEFAULT_RELINK_TUNING: RelinkTuning = { batchSize: 2000 };

/**
 * One bounded step of the background relink: the oldest unfinished request, its next batch of
 * studies carrying one of its keys (in study id order after the position reached), matched, and
 * the position moved — in one short transaction. False when there is nothing to do.
 */
export async function relinkStep(
  db: Kysely<HubDatabase>,
  now: () => Date,
  tuning: RelinkTuning = DEFAULT_RELINK_TUNING,
  /** Tests only: runs in the step's transaction just before it records its progress (a request arriving then). */
  beforeRecord?: (trx: Transaction<HubDatabase>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('physician_relinks').selectAll().where('finished_at', 'is', null).orderBy('requested_at').orderBy('physician_id').limit(1).executeTakeFirst();
    if (job === undefined) return false;
    const at = now().toISOString();
    if (job.after_study_id === '') {
      // First, bounded too: DICOM links the physician no longer answers to.
      if ((await removeStaleDicomLinks(trx, { physicianId: job.physician_id, limit: tuning.batchSize })) === tuning.batchSize) return true;
    }
    const keys = (await trx.selectFrom('physician_names').select('name_key').where('physician_id', '=', job.physician_id).execute()).map((row) => row.name_key);
    const rows =
      keys.length === 0
        ? []
        : await trx
            .selectFrom('study_physician_names')
            .select(['study_id', 'relation', 'name_key', 'dicom_name'])
            .where('account_id', '=', job.account_id)
            .where('name_key', 'in', keys)
            .where('study_id', '>', job.after_study_id)
            .orderBy('study_id')
            .limit(tuning.batchSize)
            .execute();
    // The candidates of a key are the same for every study in the batch: look them up once.
    const byKey = new Map<string, string[]>();
    for (const key of new Set(rows.map((row) => row.name_key))) byKey.set(key, await candidates(trx, job.account_id, key));
    const single = rows.filter((row) => byKey.get(row.name_key)!.length === 1);
    // 500 rows of 7 values a statement: within SQLite's 32,766 bound values.
    for (let start = 0; start < single.length; start += 500) {
      const chunk = single.slice(start, start + 500);
      await trx
        .insertInto('study_physicians')
        .values(chunk.map((row) => ({ study_id: row.study_id, physician_id: byKey.get(row.name_key)![0], relation: row.relation, source: 'dicom' as const, created_at: at, created_by: null, on_behalf_of: null })))
        .onConflict((oc) => oc.columns(['study_id', 'physician_id', 'relation']).doNothing())
        .execute();
    }
    for (const row of rows.filter((r) => byKey.get(r.name_key)!.length > 1)) await matchName(trx, job.account_id, row.study_id, row.relation, row.dicom_name, row.name_key, at);
    // A batch that ended inside one study's names is taken again from that study (matching is idempotent).
    const finished = rows.length < tuning.batchSize;
    await beforeRecord?.(trx);
    await trx
      .updateTable('physician_relinks')
      .set(finished ? { finished_at: at } : { after_study_id: previousStudy(rows) })
      .where('physician_id', '=', job.physician_id)
      // Only for the request this step read: a newer one (even within the same millisecond) starts again from the first study.
      .where('generation', '=', job.generation)
      .execute();
    return true;
  });
}

/** The last study id of a batch whose names were all seen (the final study may continue in the next batch). */
function previousStudy(rows: readonly { study_id: string }[]): string {
  const last = rows.at(-1)!.study_id;
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i].study_id !== last) return rows[i].study_id;
  return last;
}

/** Runs relink steps until none is left (or `maxSteps`); the number of steps taken. */
export async function runRelinks(db: Kysely<HubDatabase>, now: () => Date, options: { readonly maxSteps?: number; readonly tuning?: RelinkTuning } = {}): Promise<number> {
  let steps = 0;
  while (steps < (options.maxSteps ?? Number.POSITIVE_INFINITY) && (await relinkStep(db, now, options.tuning))) steps++;
  return steps;
}
