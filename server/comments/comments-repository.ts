/**
 * Comments on studies in the hub's tables (migration 0400): writing them (from the sync
 * operations `comment.add` / `comment.edit` / `comment.delete`, inside the batch's transaction),
 * an admin hiding one, and reading a study's comments, one comment's history and the people a
 * comment may mention. Who may read is who sees the study (a private study's comments are as
 * private as it is); who may write is visibility's `comment` action (studies.comment) or a
 * collection's `comment` right. Every write records a change of the study (the change feed tells
 * desktops to read its comments again) and an audit event with ids only — a comment's text may
 * hold patient data, so it never goes into the trail or a log.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { COMMENT_RATE, MENTION_CANDIDATES_MAX, type CommentEditView, type CommentView, type MentionCandidate } from '../../shared/comments/comment-schemas';
import { isPermissionKey } from '../../shared/permissions/catalogue';
import { shareAction, studyAccess, type StudyAccess, type ViewerFacts } from '../../shared/permissions/visibility';
import type { ViewerAnchor } from '../../shared/viewer/viewer-anchor';
import type { NotificationInput } from '../notifications/notify';
import { notify } from '../notifications/notify';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { recordAudit } from '../audit/audit-trail';
// A case manager's comment is recorded for the physician of the study they act for (issue 14).
import { onBehalfFields, onBehalfOf } from '../physicians/acting-for';
import type { Actor } from '../auth/sessions';
import { collectionFor } from '../collections/collections-repository';
import { recordChange } from '../db/change-feed';
import type { HubDatabase } from '../db/schema';
import { HttpError } from '../http-error';
import { countHit } from '../http/throttle';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

interface StudyRow {
  id: string;
  account_id: string;
  uploader_id: string;
  private: number;
}

const NOT_FOUND = 'This study is not on the hub, or you cannot see it.';

/** The study and what the viewer may do to it; 404 when they cannot see it (as for one that is not there). */
async function seenStudy(db: Db, viewer: ViewerFacts, studyId: string): Promise<{ study: StudyRow; access: StudyAccess }> {
  const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', studyId).executeTakeFirst();
  const access = study === undefined ? null : studyAccess(await studyFacts(db, study), viewer);
  if (study === undefined || access === null || !access.actions.has('view')) throw new HttpError(404, 'study-not-found', NOT_FOUND);
  return { study, access };
}

/** Visibility's `comment` action, or the `comment` right in a collection the study is in (rule 12). */
async function mayComment(db: Db, viewer: ViewerFacts, study: StudyRow, access: StudyAccess): Promise<boolean> {
  if (access.actions.has('comment')) return true;
  if (viewer.collectionIds.size === 0) return false;
  const shared = await db
    .selectFrom('collection_studies')
    .select('collection_id')
    .where('study_id', '=', study.id)
    .where('removed_at', 'is', null)
    .where('collection_id', 'in', [...viewer.collectionIds])
    .execute();
  for (const { collection_id } of shared) {
    if ((await collectionFor(db, viewer, collection_id)).rights.has('comment')) return true;
  }
  return false;
}

const isAdminOf = (viewer: ViewerFacts, study: StudyRow) => viewer.accountId === study.account_id && viewer.permissions.has('admin.users');

/** Someone else as the visibility rules see them (a mentioned person). */
async function actorOf(db: Db, userId: string): Promise<(Actor & { active: boolean }) | null> {
  const row = await db
    .selectFrom('users')
    .leftJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.id', 'users.account_id', 'users.name', 'users.email', 'users.active', 'roles.name as role', 'roles.permissions'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) return null;
  const keys: unknown = JSON.parse(row.permissions ?? '[]');
  return {
    userId: row.id,
    accountId: row.account_id,
    name: row.name,
    email: row.email,
    role: row.role,
    permissions: new Set(Array.isArray(keys) ? keys.filter(isPermissionKey) : []),
    active: row.active === 1,
  };
}

/** Whether `userId` sees the study, and whether the viewer may share it with them (the offer a mention makes). */
async function reachOf(db: Db, viewer: ViewerFacts, access: StudyAccess, study: StudyRow, person: Actor): Promise<{ sees: boolean; mayShare: boolean }> {
  const theirs = studyAccess(await studyFacts(db, study), await viewerFacts(db, person));
  return { sees: theirs.actions.has('view'), mayShare: access.actions.has(shareAction({ kind: 'person', accountId: person.accountId }, viewer)) };
}

/**
 * Checks every mentioned person: an account that is gone (or deactivated) and someone who
 * cannot see the study are refused with why; the author learns whether sharing would cure it.
 */
async function checkMentions(db: Db, viewer: ViewerFacts, access: StudyAccess, study: StudyRow, userIds: readonly string[]): Promise<void> {
  for (const userId of new Set(userIds)) {
    const person = await actorOf(db, userId);
    if (person === null || !person.active) {
      throw new HttpError(422, 'mention-unknown', 'Someone you mentioned no longer has an account here. Remove that mention and post again.');
    }
    if (person.userId === viewer.userId) continue;
    const reach = await reachOf(db, viewer, access, study, person);
    if (reach.sees) continue;
    throw new HttpError(
      422,
      'mention-cannot-see',
      reach.mayShare
        ? `${person.name} cannot see this study. Share it with them in the same step (the comment box offers to), or remove the mention.`
        : `${person.name} cannot see this study, and your role does not let you share it with them. Remove the mention, or ask someone who may share it.`,
    );
  }
}

/** The next revision of a study's comments; the caller holds the change-feed lock (recordChange took it), so revisions never repeat. */
async function nextRevision(trx: Transaction<HubDatabase>, studyId: string): Promise<number> {
  const row = await trx.selectFrom('comments').select((eb) => eb.fn.max('revision').as('revision')).where('study_id', '=', studyId).executeTakeFirst();
  return Number(row?.revision ?? 0) + 1;
}

/** One comment per person per window across every hub process (the rate_limits table): a flood is refused with when to try again. */
async function throttle(trx: Transaction<HubDatabase>, actor: Actor, now: Date): Promise<void> {
  const { current, ttl } = await countHit(trx, `comment:${actor.userId}`, COMMENT_RATE.windowMs, now);
  if (current > COMMENT_RATE.max) {
    throw new HttpError(
      429,
      'rate-limited',
      `You have written ${COMMENT_RATE.max} comments in the last minute, the most the hub takes. Wait ${Math.ceil(ttl / 1000)} seconds and post again; nothing you wrote is lost.`,
    );
  }
}

const anchorColumns = (anchor: ViewerAnchor | null) => ({
  anchor: anchor === null ? null : JSON.stringify(anchor),
  series_uid: anchor?.seriesInstanceUid ?? null,
  sop_uid: anchor?.sopInstanceUid ?? null,
  frame: anchor?.frame ?? null,
});

const anchoredTo = (anchor: ViewerAnchor | null) => (anchor?.sopInstanceUid !== undefined ? 'image' : anchor?.seriesInstanceUid !== undefined ? 'series' : 'study');

export interface AddComment {
  readonly commentId: string;
  readonly studyId: string;
  readonly text: string;
  readonly anchor: ViewerAnchor | null;
  readonly replyTo: string | null;
  readonly mentions: readonly string[];
}

interface WriteContext {
  readonly trx: Transaction<HubDatabase>;
  readonly actor: Actor;
  readonly viewer: ViewerFacts;
  readonly at: string;
}

/** The people of a thread (its first comment's author and every reply's), for `comment.reply`. */
async function threadPeople(trx: Transaction<HubDatabase>, rootId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('comments')
    .select('author_id')
    .where((eb) => eb.or([eb('id', '=', rootId), eb('reply_to', '=', rootId)]))
    .execute();
  return [...new Set(rows.map((row) => row.author_id))];
}

export async function addComment({ trx, actor, viewer, at }: WriteContext, input: AddComment): Promise<Record<string, unknown>> {
  const existing = await trx.selectFrom('comments').select(['id', 'author_id', 'study_id']).where('id', '=', input.commentId).executeTakeFirst();
  if (existing !== undefined) {
    // The same comment id again (another operation id): the comment exists, nothing doubles.
    if (existing.author_id !== actor.userId || existing.study_id !== input.studyId) throw new HttpError(409, 'comment-exists', 'That comment id is taken.');
    return { commentId: existing.id, studyId: existing.study_id, alreadyAdded: true };
  }
  const { study, access } = await seenStudy(trx, viewer, input.studyId);
  if (!(await mayComment(trx, viewer, study, access))) {
    throw new HttpError(403, 'forbidden', 'Your role does not allow commenting on studies, and no collection this study is in gives you that right.');
  }
  if (input.anchor !== null && input.anchor.studyInstanceUid !== (await studyUid(trx, study.id))) {
    throw new HttpError(422, 'anchor-mismatch', 'The place this comment points to is in another study.');
  }
  let replyTo: string | null = null;
  if (input.replyTo !== null) {
    const parent = await trx.selectFrom('comments').select(['id', 'study_id', 'reply_to', 'deleted_at', 'hidden_at']).where('id', '=', input.replyTo).executeTakeFirst();
    if (parent === undefined || parent.study_id !== study.id) throw new HttpError(404, 'comment-not-found', 'The comment you are replying to is not on this study.');
    if (parent.deleted_at !== null) throw new HttpError(409, 'reply-to-deleted', 'The comment you are replying to was deleted by its author, so it takes no replies. Write a new comment instead; your text is kept.');
    if (parent.hidden_at !== null) throw new HttpError(409, 'reply-to-hidden', 'The comment you are replying to was hidden by an administrator, so it takes no replies. Write a new comment instead; your text is kept.');
    // Threads are one level deep: a reply to a reply joins its thread.
    replyTo = parent.reply_to ?? parent.id;
  }
  await checkMentions(trx, viewer, access, study, input.mentions);
  await throttle(trx, actor, new Date(at));
  await recordChange(trx, study.id, at);
  const revision = await nextRevision(trx, study.id);
  await trx
    .insertInto('comments')
    .values({ id: input.commentId, study_id: study.id, author_id: actor.userId, reply_to: replyTo, text: input.text, ...anchorColumns(input.anchor), created_at: at, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, revision })
    .execute();
  const mentioned = [...new Set(input.mentions)].filter((id) => id !== actor.userId);
  if (mentioned.length > 0) await trx.insertInto('comment_mentions').values(mentioned.map((user_id) => ({ comment_id: input.commentId, user_id }))).execute();
  await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'comment.add', detail: { commentId: input.commentId, replyTo, anchoredTo: anchoredTo(input.anchor), mentions: mentioned.length }, ...onBehalfFields(await onBehalfOf(trx, viewer, study.id, undefined)) });
  const base = { actorId: actor.userId, studyId: study.id, commentId: input.commentId, ...(input.anchor === null ? {} : { anchor: input.anchor }) };
  const notices: NotificationInput[] = mentioned.map((userId) => ({ ...base, userId, kind: 'comment.mention' }));
  if (replyTo !== null) {
    // Everyone in the thread, except those just mentioned (one notice each is enough).
    for (const userId of await threadPeople(trx, replyTo)) if (!mentioned.includes(userId)) notices.push({ ...base, userId, kind: 'comment.reply' });
  }
  await notify(trx, notices, at);
  return { commentId: input.commentId, studyId: study.id, replyTo, alreadyAdded: false };
}

async function studyUid(db: Db, studyId: string): Promise<string> {
  return (await db.selectFrom('studies').select('study_uid').where('id', '=', studyId).executeTakeFirstOrThrow()).study_uid;
}

/** The author's own comment, still standing; 404 for one the caller cannot see. */
async function ownComment(trx: Transaction<HubDatabase>, viewer: ViewerFacts, commentId: string) {
  const comment = await trx.selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirst();
  if (comment === undefined) throw new HttpError(404, 'comment-not-found', 'That comment is not on the hub.');
  const seen = await seenStudy(trx, viewer, comment.study_id).catch(() => null);
  if (seen === null) throw new HttpError(404, 'comment-not-found', 'That comment is not on the hub.');
  if (comment.author_id !== viewer.userId) throw new HttpError(403, 'forbidden', 'Only its author may change or delete a comment.');
  return { comment, ...seen };
}

export async function editComment({ trx, actor, viewer, at }: WriteContext, input: { commentId: string; text: string; mentions: readonly string[] }): Promise<Record<string, unknown>> {
  const { comment, study, access } = await ownComment(trx, viewer, input.commentId);
  if (comment.deleted_at !== null) throw new HttpError(409, 'comment-deleted', 'This comment was deleted, so it cannot be edited.');
  if (comment.hidden_at !== null) throw new HttpError(409, 'comment-hidden', 'An administrator hid this comment, so it cannot be edited.');
  if (comment.text === input.text) return { commentId: comment.id, edited: false };
  const before = new Set((await trx.selectFrom('comment_mentions').select('user_id').where('comment_id', '=', comment.id).execute()).map((row) => row.user_id));
  const added = [...new Set(input.mentions)].filter((id) => !before.has(id) && id !== actor.userId);
  await checkMentions(trx, viewer, access, study, added);
  await recordChange(trx, study.id, at);
  const revision = await nextRevision(trx, study.id);
  await trx.insertInto('comment_edits').values({ comment_id: comment.id, text: comment.text, replaced_at: at }).execute();
  await trx.updateTable('comments').set({ text: input.text, edited_at: at, revision }).where('id', '=', comment.id).execute();
  if (added.length > 0) await trx.insertInto('comment_mentions').values(added.map((user_id) => ({ comment_id: comment.id, user_id }))).execute();
  await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'comment.edit', detail: { commentId: comment.id, mentionsAdded: added.length }, ...onBehalfFields(await onBehalfOf(trx, viewer, study.id, undefined)) });
  const anchor = comment.anchor === null ? {} : { anchor: JSON.parse(comment.anchor) as ViewerAnchor };
  await notify(trx, added.map((userId) => ({ userId, kind: 'comment.mention' as const, actorId: actor.userId, studyId: study.id, commentId: comment.id, ...anchor })), at);
  return { commentId: comment.id, edited: true };
}

export async function deleteComment({ trx, actor, viewer, at }: WriteContext, commentId: string): Promise<Record<string, unknown>> {
  const { comment, study } = await ownComment(trx, viewer, commentId);
  if (comment.deleted_at !== null) return { commentId, deleted: false };
  await recordChange(trx, study.id, at);
  const revision = await nextRevision(trx, study.id);
  // The text is kept as the last entry of its history (for the audit's sake the trail holds ids only).
  await trx.insertInto('comment_edits').values({ comment_id: comment.id, text: comment.text, replaced_at: at }).execute();
  await trx.updateTable('comments').set({ deleted_at: at, text: '', revision }).where('id', '=', comment.id).execute();
  await recordAudit(trx, { at, accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'comment.delete', detail: { commentId }, ...onBehalfFields(await onBehalfOf(trx, viewer, study.id, undefined)) });
  return { commentId, deleted: true };
}

/** An admin of the study's site hides (or shows again) any comment; its author's text stays, for the admins. */
export async function hideComment(db: Kysely<HubDatabase>, actor: Actor, commentId: string, hidden: boolean, at: string): Promise<CommentView> {
  return db.transaction().execute(async (trx) => {
    const viewer = await viewerFacts(trx, actor);
    const comment = await trx.selectFrom('comments').select(['id', 'study_id', 'hidden_at']).where('id', '=', commentId).executeTakeFirst();
    const seen = comment === undefined ? null : await seenStudy(trx, viewer, comment.study_id).catch(() => null);
    if (comment === undefined || seen === null) throw new HttpError(404, 'comment-not-found', 'That comment is not on the hub.');
    if (!isAdminOf(viewer, seen.study)) throw new HttpError(403, 'forbidden', 'Only an administrator of the study’s site may hide comments.');
    if ((comment.hidden_at !== null) !== hidden) {
      await recordChange(trx, seen.study.id, at);
      const revision = await nextRevision(trx, seen.study.id);
      await trx.updateTable('comments').set({ hidden_at: hidden ? at : null, hidden_by: hidden ? actor.userId : null, revision }).where('id', '=', commentId).execute();
      await recordAudit(trx, { at, accountId: seen.study.account_id, studyId: seen.study.id, trail: 'study', actorId: actor.userId, action: 'comment.hide', detail: { commentId, hidden } });
    }
    const [view] = await commentViews(trx, viewer, seen.study, [commentId]);
    return view;
  });
}

/** The views of some comments (all of the study's when `ids` is null), oldest first, as `viewer` may read them. */
async function commentViews(db: Db, viewer: ViewerFacts, study: StudyRow, ids: readonly string[] | null, limit = 5000): Promise<CommentView[]> {
  let query = db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .select(['comments.id', 'comments.author_id', 'users.name as author_name', 'comments.reply_to', 'comments.text', 'comments.anchor', 'comments.created_at', 'comments.edited_at', 'comments.deleted_at', 'comments.hidden_at'])
    .where('comments.study_id', '=', study.id);
  if (ids !== null) query = query.where('comments.id', 'in', ids);
  const rows = await query.orderBy('comments.created_at').orderBy('comments.id').limit(limit).execute();
  const mentions = new Map<string, { id: string; name: string }[]>();
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500).map((row) => row.id);
    const found = await db.selectFrom('comment_mentions').innerJoin('users', 'users.id', 'comment_mentions.user_id').select(['comment_mentions.comment_id', 'users.id', 'users.name']).where('comment_mentions.comment_id', 'in', chunk).execute();
    for (const m of found) mentions.set(m.comment_id, [...(mentions.get(m.comment_id) ?? []), { id: m.id, name: m.name }]);
  }
  const admin = isAdminOf(viewer, study);
  return rows.map((row) => {
    const gone = row.deleted_at !== null || (row.hidden_at !== null && !admin);
    return {
      id: row.id,
      studyId: study.id,
      author: { id: row.author_id, name: row.author_name },
      replyTo: row.reply_to,
      text: gone ? '' : row.text,
      mentions: gone ? [] : (mentions.get(row.id) ?? []),
      anchor: row.anchor === null ? null : (JSON.parse(row.anchor) as CommentView['anchor']),
      createdAt: row.created_at,
      editedAt: row.edited_at,
      deletedAt: row.deleted_at,
      hiddenAt: row.hidden_at,
      mayEdit: row.author_id === viewer.userId && row.deleted_at === null && row.hidden_at === null,
      mayHide: admin && row.deleted_at === null,
    };
  });
}

/** A study's comments, as the viewer may read them (404 when they cannot see the study), and whether they may write one. */
export async function listComments(db: Kysely<HubDatabase>, viewer: ViewerFacts, studyId: string): Promise<{ comments: CommentView[]; revision: number; mayComment: boolean }> {
  const { study, access } = await seenStudy(db, viewer, studyId);
  const [comments, revision, may] = await Promise.all([
    commentViews(db, viewer, study, null),
    db.selectFrom('comments').select((eb) => eb.fn.max('revision').as('revision')).where('study_id', '=', study.id).executeTakeFirst(),
    mayComment(db, viewer, study, access),
  ]);
  return { comments, revision: Number(revision?.revision ?? 0), mayComment: may };
}

/** A comment's earlier texts, newest first: its readers see what "edited" changed (a hidden one's only for admins). */
export async function commentHistory(db: Kysely<HubDatabase>, viewer: ViewerFacts, commentId: string): Promise<CommentEditView[]> {
  const comment = await db.selectFrom('comments').select(['id', 'study_id', 'hidden_at', 'deleted_at']).where('id', '=', commentId).executeTakeFirst();
  const seen = comment === undefined ? null : await seenStudy(db, viewer, comment.study_id).catch(() => null);
  if (comment === undefined || seen === null) throw new HttpError(404, 'comment-not-found', 'That comment is not on the hub.');
  // A deleted comment's history is its author's and the admins'; a hidden one's the admins'.
  const admin = isAdminOf(viewer, seen.study);
  if ((comment.hidden_at !== null && !admin) || (comment.deleted_at !== null && !admin)) return [];
  const rows = await db.selectFrom('comment_edits').select(['text', 'replaced_at']).where('comment_id', '=', commentId).orderBy('seq', 'desc').execute();
  return rows.map((row) => ({ text: row.text, editedAt: row.replaced_at }));
}

/**
 * The people a comment on this study may mention, by the start of their name or address: those
 * who see the study first, then people of the caller's own site who do not (with whether the
 * caller may share it with them) — at most ten. Only for someone who sees the study (404 else).
 * Candidates come from the study's site, the caller's site and the people it is shared with
 * directly, bounded before the visibility of each is worked out.
 */
export async function mentionCandidates(db: Kysely<HubDatabase>, viewer: ViewerFacts, studyId: string, prefix: string): Promise<MentionCandidate[]> {
  const { study, access } = await seenStudy(db, viewer, studyId);
  const like = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const accountIds = [...new Set([study.account_id, viewer.accountId].filter((id): id is string => id !== null))];
  const rows = await db
    .selectFrom('users')
    .select(['users.id'])
    .where('users.active', '=', 1)
    .where('users.id', '!=', viewer.userId)
    .where((eb) =>
      eb.and([
        eb.or([eb(eb.fn('lower', ['users.name']), 'like', like), eb(eb.fn('lower', ['users.email']), 'like', like)]),
        eb.or([
          ...(accountIds.length > 0 ? [eb('users.account_id', 'in', accountIds)] : []),
          eb('users.id', 'in', eb.selectFrom('shares').select('user_id').where('study_id', '=', study.id).where('removed_at', 'is', null).where('user_id', 'is not', null).$narrowType<{ user_id: string }>()),
        ]),
      ]),
    )
    .orderBy('users.name')
    .limit(50)
    .execute();
  const people: MentionCandidate[] = [];
  for (const { id } of rows) {
    const person = await actorOf(db, id);
    if (person === null) continue;
    const reach = await reachOf(db, viewer, access, study, person);
    // Someone who cannot see it is offered only from the caller's own site (sharing elsewhere is by share code, not by a name).
    if (!reach.sees && person.accountId !== viewer.accountId) continue;
    people.push({ id: person.userId, name: person.name, role: person.role, seesStudy: reach.sees, mayShare: !reach.sees && reach.mayShare });
  }
  people.sort((a, b) => Number(b.seesStudy) - Number(a.seesStudy));
  return people.slice(0, MENTION_CANDIDATES_MAX);
}

/** Each study's comment count and revision (the change feed's `comments`), for the studies given. */
export async function commentRevisions(db: Db, studyIds: readonly string[]): Promise<Map<string, { count: number; revision: number }>> {
  const out = new Map<string, { count: number; revision: number }>();
  for (let start = 0; start < studyIds.length; start += 500) {
    const rows = await db
      .selectFrom('comments')
      // The revision counts every change (a delete, a hide too); the count only what still stands.
      .select((eb) => ['study_id', sql<number>`sum(CASE WHEN deleted_at IS NULL AND hidden_at IS NULL THEN 1 ELSE 0 END)`.as('count'), eb.fn.max('revision').as('revision')])
      .where('study_id', 'in', studyIds.slice(start, start + 500))
      .groupBy('study_id')
      .execute();
    for (const row of rows) out.set(row.study_id, { count: Number(row.count), revision: Number(row.revision) });
  }
  return out;
}
