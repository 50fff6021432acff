/**
 * Comments from the desktop (issue 16), offline-first like shares: a comment, an edit or a delete
 * is a `comment.*` operation in the outbox (a local study the hub does not know yet is published
 * first, in the same outbox; a mentioned person who cannot see the study is shared with first,
 * by a `share.create` in the same outbox — the normal share path), pushed at once when the hub
 * answers, otherwise waiting. Lists merge the hub's comments (the copy in `comment_cache`, read
 * again when the change feed announces a newer revision or this desktop wrote something) with
 * what waits in the outbox (pending) or was refused there (with the hub's reason). Reading a
 * comment's history, hiding one and the mention autocomplete are plain hub calls.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CommentItem, CommentOutcome, CommentsPage, CommentView } from '../../../shared/comments/comment-schemas';
import { commentHistoryRoute, hideCommentRoute, listCommentsRoute, mentionCandidatesRoute } from '../../../shared/comments/comments-api';
import type { CallParsedInput } from '../../../shared/contract';
import type { Operation } from '../../../shared/hub-contract';
import { AppError } from '../api/app-error';
import type { HubConnection } from '../hub-connection/hub-connection';
import { findStudy } from '../study-index/study-lookup';
import type { OperationInput, OperationLabel } from '../sync-client/sync-client';

type StudyRef = { readonly uid: string } | { readonly hubId: string };

interface CacheRow {
  announced_revision: number;
  fetched_revision: number | null;
  may_comment: number;
  comments: string;
}

interface OutboxComment {
  id: string;
  kind: 'comment.add' | 'comment.edit' | 'comment.delete';
  payload: string;
  state: 'pending' | 'rejected' | 'applied';
  error_message: string | null;
  created_at: string;
}

export class CommentService {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubConnection,
  ) {}

  private hubIdOf(study: StudyRef): string | null {
    return 'hubId' in study ? study.hubId : this.hub.hubStudyId(study.uid);
  }

  /** The study's comments: the hub's (fresh or the last copy) with this desktop's own waiting or refused ones. */
  async list(study: StudyRef): Promise<CommentsPage> {
    const hubStudyId = this.hubIdOf(study);
    let online = true;
    let posted: CommentView[] = [];
    let mayComment = this.hub.userId !== null;
    if (hubStudyId !== null) {
      const cached = this.db.prepare('SELECT announced_revision, fetched_revision, may_comment, comments FROM comment_cache WHERE hub_study_id = ?').get(hubStudyId) as CacheRow | undefined;
      const fresh = cached !== undefined && cached.fetched_revision !== null && cached.fetched_revision >= cached.announced_revision;
      if (fresh) {
        posted = JSON.parse(cached.comments) as CommentView[];
        mayComment = cached.may_comment === 1;
      } else {
        try {
          const answer = await this.hub.hubRoute(listCommentsRoute, { params: { studyId: hubStudyId } });
          posted = answer.comments;
          mayComment = answer.mayComment;
          this.db
            .prepare(
              `INSERT INTO comment_cache (hub_study_id, announced_revision, fetched_revision, may_comment, comments) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (hub_study_id) DO UPDATE SET fetched_revision = excluded.fetched_revision, may_comment = excluded.may_comment, comments = excluded.comments,
                 announced_revision = max(announced_revision, excluded.announced_revision)`,
            )
            .run(hubStudyId, answer.revision, answer.revision, answer.mayComment ? 1 : 0, JSON.stringify(answer.comments));
        } catch (error) {
          // The hub refused (not found: the study left this person): nothing of its comments stays.
          if (error instanceof AppError && error.code === 'study-not-found') {
            this.db.prepare('DELETE FROM comment_cache WHERE hub_study_id = ?').run(hubStudyId);
            throw error;
          }
          // Anything else (unreachable, not answering, signed out): the last copy, said to be one.
          online = false;
          posted = cached === undefined ? [] : (JSON.parse(cached.comments) as CommentView[]);
          mayComment = cached === undefined ? mayComment : cached.may_comment === 1;
        }
      }
    }
    return { comments: this.withOutbox(study, hubStudyId, posted), online, mayComment, hubStudyId };
  }

  /** The hub's comments with what this desktop queued about the study laid over them. */
  private withOutbox(study: StudyRef, hubStudyId: string | null, posted: readonly CommentView[]): CommentItem[] {
    const rows = this.db
      .prepare(
        `SELECT id, kind, payload, state, error_message, created_at FROM outbox
         WHERE kind IN ('comment.add', 'comment.edit', 'comment.delete') AND state IN ('pending', 'rejected') AND dismissed_at IS NULL AND discarded_at IS NULL
           AND ((hub_study_id IS NOT NULL AND hub_study_id = ?) OR (study_uid IS NOT NULL AND study_uid = ?))
         ORDER BY seq`,
      )
      .all(hubStudyId, 'uid' in study ? study.uid : null) as OutboxComment[];
    const me = this.hub.status().user;
    const items = new Map<string, CommentItem>(posted.map((c) => [c.id, { ...c, anchor: c.anchor, state: 'posted', reason: null, outboxId: null }]));
    for (const row of rows) {
      const op = JSON.parse(row.payload) as Operation;
      const state = row.state === 'pending' ? 'pending' : 'refused';
      const reason = row.state === 'pending' ? 'Not on the hub yet: it is sent when the hub answers.' : row.error_message;
      if (op.kind === 'comment.add' && !items.has(op.commentId)) {
        items.set(op.commentId, {
          id: op.commentId,
          studyId: hubStudyId ?? '',
          author: { id: this.hub.userId ?? '', name: me?.name ?? 'You' },
          replyTo: op.replyTo,
          text: op.text,
          mentions: [],
          anchor: op.anchor,
          createdAt: row.created_at,
          editedAt: null,
          deletedAt: null,
          hiddenAt: null,
          mayEdit: false,
          mayHide: false,
          state,
          reason,
          outboxId: row.id,
        });
      } else if (op.kind === 'comment.edit' || op.kind === 'comment.delete') {
        const item = items.get(op.commentId);
        if (item === undefined) continue;
        if (state === 'refused') items.set(op.commentId, { ...item, reason: `Your ${op.kind === 'comment.edit' ? 'edit' : 'delete'} was refused: ${row.error_message ?? ''}`, outboxId: row.id });
        else if (op.kind === 'comment.edit') items.set(op.commentId, { ...item, text: op.text, editedAt: row.created_at, state: 'pending', reason, outboxId: row.id });
        else items.set(op.commentId, { ...item, text: '', deletedAt: row.created_at, mayEdit: false, state: 'pending', reason, outboxId: row.id });
      }
    }
    return [...items.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** Queues operations about one study (publishing it first when the hub does not know it yet), pushes, and says what became of the last one. */
  private async write(study: StudyRef, commentId: string, make: (ref: { id: string } | { uid: string }) => OperationInput[]): Promise<CommentOutcome> {
    const sync = this.hub.requireSync();
    const hubStudyId = this.hubIdOf(study);
    const uid = 'uid' in study ? study.uid : null;
    const label: OperationLabel = { studyUid: uid, hubStudyId, targetLabel: 'comment' };
    const queued: { operation: OperationInput; label: OperationLabel }[] = [];
    let ref: { id: string } | { uid: string };
    if (hubStudyId !== null) ref = { id: hubStudyId };
    else {
      if (uid === null) throw new AppError('not-found', 'That study is not on the hub any more.');
      const local = findStudy(this.db, uid);
      if (local === null) throw new AppError('not-found', 'That study is no longer in the index.');
      queued.push({ operation: { kind: 'study.publish', study: { ...local, modalities: [...local.modalities] }, private: false }, label });
      ref = { uid };
    }
    for (const operation of make(ref)) queued.push({ operation, label });
    const ids = sync.enqueueMany(queued);
    await this.hub.pushNow();
    this.hub.syncSoon();
    // Every result of this write (a share before the comment may be the one refused).
    const results = ids.map((id) => sync.result(id));
    const last = results.at(-1) ?? null;
    if (last === null) return { commentId, state: 'pending', reason: 'The hub did not answer in time: your comment waits in the outbox and is sent when it does.' };
    if (hubStudyId !== null) this.db.prepare('UPDATE comment_cache SET fetched_revision = NULL WHERE hub_study_id = ?').run(hubStudyId);
    const refused = results.find((result) => result?.status === 'rejected');
    if (refused !== undefined && refused !== null && refused.status === 'rejected') return { commentId, state: 'refused', reason: refused.error.message };
    return { commentId, state: 'posted', reason: null };
  }

  add(input: CallParsedInput<'comments:add'>): Promise<CommentOutcome> {
    const commentId = randomUUID();
    const hubStudyId = this.hubIdOf(input.study);
    if (input.anchor !== null && 'uid' in input.study && input.anchor.studyInstanceUid !== input.study.uid) throw new AppError('invalid-input', 'The place this comment points to is in another study.');
    return this.write(input.study, commentId, (study) => [
      // Mentioned people who cannot see the study yet: the share first, the comment after it (the hub applies them in order).
      ...input.shareWith.map((userId): OperationInput => ({ kind: 'share.create', shareId: randomUUID(), study, target: { userId } })),
      {
        kind: 'comment.add',
        commentId,
        study: hubStudyId !== null ? { id: hubStudyId } : study,
        text: input.text,
        anchor: input.anchor,
        replyTo: input.replyTo,
        mentions: input.mentions.map((m) => m.id),
      },
    ]);
  }

  edit(input: CallParsedInput<'comments:edit'>): Promise<CommentOutcome> {
    return this.write(input.study, input.commentId, () => [{ kind: 'comment.edit', commentId: input.commentId, text: input.text, mentions: input.mentions.map((m) => m.id) }]);
  }

  remove(input: CallParsedInput<'comments:delete'>): Promise<CommentOutcome> {
    return this.write(input.study, input.commentId, () => [{ kind: 'comment.delete', commentId: input.commentId }]);
  }

  async hide(input: CallParsedInput<'comments:hide'>): Promise<CommentView> {
    const { comment } = await this.hub.hubRoute(hideCommentRoute, { params: { id: input.commentId }, body: { hidden: input.hidden } });
    this.db.prepare('UPDATE comment_cache SET fetched_revision = NULL WHERE hub_study_id = ?').run(comment.studyId);
    return comment;
  }

  history(input: CallParsedInput<'comments:history'>) {
    return this.hub.hubRoute(commentHistoryRoute, { params: { id: input.commentId } });
  }

  mentions(input: CallParsedInput<'comments:mentions'>) {
    const hubStudyId = this.hubIdOf(input.study);
    // A study not on the hub yet: nobody but this desktop's own user sees it, so nobody to offer.
    if (hubStudyId === null) return Promise.resolve({ people: [] });
    return this.hub.hubRoute(mentionCandidatesRoute, { params: { studyId: hubStudyId }, query: { q: input.q } });
  }
}
