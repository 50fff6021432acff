/**
 * A run of `collection.add` operations to one collection, applied set-wise (issue 13, part 4):
 * Actions → Add to collection… on 1,000 studies sends 1,000 operations, and applying them one by
 * one cost nine statements each (the study, its entry, the insert, the feed, the trail, the
 * operation's record, a savepoint around each) — seconds on a busy hub. Here the whole run
 * reads the collection's rights once, the studies with their visibility in one query per 500,
 * their entries likewise, and writes entries, feed rows, trail entries and operation records in
 * multi-row inserts. The answers are the same, operation by operation, as addStudyToCollection
 * (collections-repository.ts) gives: applied (`alreadyIn` or not), or refused with why (the
 * collection deleted meanwhile, no right to add, a study one cannot see, a private study not
 * one's own) — a refused operation writes nothing but its record. An operation id already
 * answered gets its stored answer again (idempotent, as the rest of the batch).
 */
import { sql, type Transaction } from 'kysely';
import type { Operation, OperationResult } from '../../shared/hub-contract';
import { mayAddStudy, type CollectionRight } from '../../shared/permissions/collections';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { studyVisibleSql } from '../access/visibility-sql';
import type { Actor } from '../auth/sessions';
import { lockChangeFeed } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { collectionFor } from './collections-repository';

export type CollectionAddOp = Extract<Operation, { kind: 'collection.add' }>;

/** Rows per statement: well under both engines' limits on bound values (10 columns × 500). */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) out.push(items.slice(start, start + CHUNK));
  return out;
}

/** Operations that may go together: consecutive `collection.add`s to one collection. */
export function collectionAddRunLength(operations: readonly Operation[], from: number): number {
  const first = operations[from];
  if (first.kind !== 'collection.add') return 0;
  let end = from + 1;
  while (end < operations.length) {
    const next = operations[end];
    if (next.kind !== 'collection.add' || next.collectionId !== first.collectionId) break;
    end++;
  }
  return end - from;
}

export async function applyCollectionAddRun(trx: Transaction<HubDatabase>, actor: Actor, viewer: ViewerFacts, run: readonly CollectionAddOp[], at: string): Promise<OperationResult[]> {
  const collectionId = run[0].collectionId;
  const done = new Map<string, { user_id: string; result: string }>();
  for (const ids of chunks(run.map((op) => op.id))) {
    for (const row of await trx.selectFrom('operations').select(['id', 'user_id', 'result']).where('id', 'in', ids).execute()) done.set(row.id, row);
  }
  // The collection's rights, once: a deleted collection or no membership refuses every operation with the same why.
  let rights: ReadonlySet<CollectionRight> | null = null;
  let refusal: { code: string; message: string } | null = null;
  try {
    rights = (await collectionFor(trx, viewer, collectionId)).rights;
  } catch (error) {
    if (error instanceof HttpError && error.status >= 400 && error.status < 500) refusal = { code: error.code, message: error.message };
    else throw error;
  }
  // Studies named by UID (published earlier in this batch) are the actor's site's.
  const uids = [...new Set(run.flatMap((op) => ('uid' in op.study ? [op.study.uid] : [])))];
  const byUid = new Map<string, string>();
  if (uids.length > 0 && actor.accountId !== null) {
    for (const part of chunks(uids)) {
      for (const row of await trx.selectFrom('studies').select(['id', 'study_uid']).where('account_id', '=', actor.accountId).where('study_uid', 'in', part).execute()) byUid.set(row.study_uid, row.id);
    }
  }
  const studyIdOf = (op: CollectionAddOp) => ('id' in op.study ? op.study.id : (byUid.get(op.study.uid) ?? null));
  const wanted = [...new Set(run.map(studyIdOf).filter((id): id is string => id !== null))];
  const studies = new Map<string, { account_id: string; uploader_id: string; private: number; visible: number }>();
  const entries = new Map<string, { removed_at: string | null; series_uids: string | null }>();
  if (refusal === null) {
    for (const part of chunks(wanted)) {
      const rows = await trx
        .selectFrom('studies')
        .select(['id', 'account_id', 'uploader_id', 'private', sql<number>`CASE WHEN ${studyVisibleSql(viewer, 'studies')} THEN 1 ELSE 0 END`.as('visible')])
        .where('id', 'in', part)
        .execute();
      for (const row of rows) studies.set(row.id, row);
      const present = await trx.selectFrom('collection_studies').select(['study_id', 'removed_at', 'series_uids']).where('collection_id', '=', collectionId).where('study_id', 'in', part).execute();
      for (const row of present) entries.set(row.study_id, row);
    }
  }

  const results: OperationResult[] = [];
  const records: { id: string; user_id: string; kind: string; result: string; applied_at: string }[] = [];
  // What each study's entry becomes: written once at the end, however many operations named it.
  const writes = new Map<string, { series: string | null; existed: boolean }>();
  const applied: { studyId: string; accountId: string; series: string }[] = [];
  for (const op of run) {
    const before = done.get(op.id);
    if (before !== undefined) {
      results.push(before.user_id !== actor.userId ? { id: op.id, status: 'rejected', error: { code: 'duplicate-id', message: 'This operation id was used by someone else.' } } : (JSON.parse(before.result) as OperationResult));
      continue;
    }
    let result: OperationResult;
    const studyId = studyIdOf(op);
    const study = studyId === null ? undefined : studies.get(studyId);
    if (refusal !== null) result = { id: op.id, status: 'rejected', error: refusal };
    else if (studyId === null || study === undefined || Number(study.visible) !== 1) result = { id: op.id, status: 'rejected', error: { code: 'study-not-found', message: 'This study is not on the hub, or you cannot see it.' } };
    else {
      // Only its uploader or its site's admins put a private study in a collection (its members become participants).
      const ownerOrAdmin = study.uploader_id === actor.userId || (actor.accountId === study.account_id && actor.permissions.has('admin.users'));
      const may = mayAddStudy(rights!, { private: study.private === 1, mayMarkPrivate: ownerOrAdmin });
      if (!may.ok) result = { id: op.id, status: 'rejected', error: { code: 'forbidden', message: may.why } };
      else {
        const series = op.seriesUids === null ? null : JSON.stringify([...new Set(op.seriesUids)].sort());
        const existing = entries.get(studyId);
        if (existing !== undefined && existing.removed_at === null && existing.series_uids === series) result = { id: op.id, status: 'applied', value: { studyId, alreadyIn: true } };
        else {
          writes.set(studyId, { series, existed: writes.get(studyId)?.existed ?? existing !== undefined });
          entries.set(studyId, { removed_at: null, series_uids: series });
          applied.push({ studyId, accountId: study.account_id, series: op.seriesUids === null ? 'all' : String(op.seriesUids.length) });
          result = { id: op.id, status: 'applied', value: { studyId, alreadyIn: false } };
        }
      }
    }
    results.push(result);
    records.push({ id: op.id, user_id: actor.userId, kind: op.kind, result: JSON.stringify(result), applied_at: at });
  }

  const inserts = [...writes].filter(([, w]) => !w.existed).map(([studyId, w]) => ({ collection_id: collectionId, study_id: studyId, series_uids: w.series, added_by: actor.userId, added_at: at, removed_at: null }));
  for (const part of chunks(inserts)) await trx.insertInto('collection_studies').values(part).execute();
  for (const [studyId, w] of writes) {
    if (w.existed) await trx.updateTable('collection_studies').set({ series_uids: w.series, added_by: actor.userId, added_at: at, removed_at: null }).where('collection_id', '=', collectionId).where('study_id', '=', studyId).execute();
  }
  if (applied.length > 0) {
    await lockChangeFeed(trx);
    for (const part of chunks(applied)) {
      await trx.insertInto('changes').values(part.map((a) => ({ study_id: a.studyId, at }))).execute();
      await trx
        .insertInto('audit_events')
        .values(part.map((a) => ({ at, account_id: a.accountId, study_id: a.studyId, share_id: null, trail: 'study' as const, actor_id: actor.userId, on_behalf_of: null, on_behalf_of_physician: null, action: 'collection.study' as const, detail: JSON.stringify({ change: 'added', collection: collectionId, series: a.series }) })))
        .execute();
    }
  }
  for (const part of chunks(records)) await trx.insertInto('operations').values(part).execute();
  return results;
}
