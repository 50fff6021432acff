/**
 * Which local studies a person signed in at this desktop sees. The rule (issue 18, item 13):
 *
 * 1. A study this desktop knows to be on the hub (`published_studies`) follows the hub's
 *    visibility rules: it is listed only when the hub lets this user see it (the sync client's
 *    cache of what the hub says the user sees, `hub_studies`, kept for the user recorded in
 *    `sync_state.user_id`) or when this user published it from this desktop.
 * 2. A study never published has no hub rules to follow: anyone signed in at this workstation
 *    sees it (they are staff of the place whose disks it came from). This is a decision, recorded
 *    in docs/architecture.md.
 * 3. A local profile (no hub used) is not a hub user, so it sees no published study.
 *
 * The rule is one SQL condition on `studies` (the ids of the hidden studies), so totals and
 * pages are computed with it, not filtered after. The pure `studyVisibleLocally` states the same
 * rule for one study and is the oracle its test compares the SQL with.
 */
import type Database from 'better-sqlite3';
import { prepared } from './statement-cache';

/** The person looking: a hub user (their hub id), or a local profile (no hub identity). */
export interface IndexViewer {
  readonly hubUserId: string | null;
}

/** Facts about one local study, for the pure rule. */
export interface LocalStudyFacts {
  readonly published: boolean;
  /** Hub users who published it from this desktop. */
  readonly uploaders: readonly string[];
  /** Whether the hub cache (of `cacheUserId`) holds it. */
  readonly inHubCache: boolean;
  readonly cacheUserId: string | null;
}

export function studyVisibleLocally(study: LocalStudyFacts, viewer: IndexViewer): boolean {
  if (!study.published) return true;
  if (viewer.hubUserId === null) return false;
  if (study.uploaders.includes(viewer.hubUserId)) return true;
  return study.inHubCache && study.cacheUserId === viewer.hubUserId;
}

/**
 * The ids of local studies hidden from `viewer`, as a subquery and its parameters. Small in
 * practice (published studies only), so `id NOT IN (…)` is built once per query.
 */
export function hiddenStudyIds(viewer: IndexViewer): { readonly sql: string; readonly params: readonly (string | null)[] } {
  const sql = `SELECT s.id FROM published_studies p JOIN studies s ON s.study_uid = p.study_uid
    GROUP BY s.id
    HAVING NOT (
      ifnull(max(p.uploader_id = ?), 0)
      OR (? IS NOT NULL
          AND ifnull((SELECT value FROM sync_state WHERE key = 'user_id'), '') = ?
          AND EXISTS (SELECT 1 FROM hub_studies h WHERE h.study_uid = s.study_uid))
    )`;
  return { sql, params: [viewer.hubUserId, viewer.hubUserId, viewer.hubUserId] };
}

/** Whether nothing was ever published from or learnt about on this desktop: no condition needed. */
export function nothingPublished(db: Database.Database): boolean {
  return prepared(db, 'SELECT 1 FROM published_studies LIMIT 1').get() === undefined;
}

export function countHidden(db: Database.Database, viewer: IndexViewer): number {
  const hidden = hiddenStudyIds(viewer);
  return (prepared(db, `SELECT count(*) AS n FROM (${hidden.sql})`).get(...hidden.params) as { n: number }).n;
}

/** Whether `viewer` may see the local study with this UID (false when it is not in the index). */
export function localStudyVisible(db: Database.Database, studyUid: string, viewer: IndexViewer): boolean {
  const hidden = hiddenStudyIds(viewer);
  return prepared(db, `SELECT 1 FROM studies WHERE study_uid = ? AND id NOT IN (${hidden.sql})`).get(studyUid, ...hidden.params) !== undefined;
}

/** Records that a study is on the hub (published from here by `uploaderId`, or learnt from the hub with null). */
export function rememberPublished(db: Database.Database, studyUid: string, hubStudyId: string, uploaderId: string | null, now = new Date()): void {
  prepared(
    db,
    `INSERT INTO published_studies (study_uid, hub_study_id, uploader_id, known_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (study_uid, hub_study_id) DO UPDATE SET uploader_id = coalesce(published_studies.uploader_id, excluded.uploader_id)`,
  ).run(studyUid, hubStudyId, uploaderId, now.toISOString());
}
