/**
 * Comments on a study (issue 16): the bounds, the zod schemas the hub and main validate with, and
 * the views both sides exchange. One place spells each limit; the hub, the desktop's contract and
 * the composer's counter read it from here.
 */
import { z } from 'zod';
import type { ViewerAnchor } from '../viewer/viewer-anchor';

/** The longest comment: a long clinical note fits; a pasted document (or a 1 MB flood) does not. */
export const COMMENT_MAX_CHARS = 10_000;
/** The most people one comment may mention. */
export const COMMENT_MAX_MENTIONS = 20;
/** Per person, across every hub process (the hub's rate_limits table): a person types far fewer; a script is stopped. */
export const COMMENT_RATE = { max: 60, windowMs: 60_000 } as const;
/** How many people the mention autocomplete answers at most. */
export const MENTION_CANDIDATES_MAX = 10;

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/).max(64);
const finite = z.number().finite();

export const viewerAnchorSchema = z
  .object({
    studyInstanceUid: uid,
    seriesInstanceUid: uid.optional(),
    sopInstanceUid: uid.optional(),
    frame: z.number().int().min(1).max(100_000).optional(),
    viewport: z
      .object({
        windowCenter: finite,
        windowWidth: finite,
        zoom: finite.min(0.01).max(1000),
        pan: z.tuple([finite, finite]).readonly(),
        invert: z.boolean().optional(),
        rotation: finite.optional(),
      })
      .strict()
      .optional(),
  })
  .strict() satisfies z.ZodType<ViewerAnchor>;

/** Comment text: trimmed, not empty, bounded; the sentence is what a person sees when it is too long. */
export const commentTextSchema = z
  .string()
  .trim()
  .min(1, 'a comment (it is empty)')
  .max(COMMENT_MAX_CHARS, `a comment of at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters`);

export const mentionIdsSchema = z.array(z.string().uuid()).max(COMMENT_MAX_MENTIONS).default([]);

/** A comment as its readers see it. Deleted and hidden comments keep their place in a thread, without their text. */
export const commentViewSchema = z.object({
  id: z.string(),
  studyId: z.string(),
  author: z.object({ id: z.string(), name: z.string() }),
  replyTo: z.string().nullable(),
  /** Empty when deleted or hidden. */
  text: z.string(),
  mentions: z.array(z.object({ id: z.string(), name: z.string() })),
  anchor: viewerAnchorSchema.nullable(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  hiddenAt: z.string().nullable(),
  /** What the caller may do to it now. */
  mayEdit: z.boolean(),
  mayHide: z.boolean(),
});
export type CommentView = z.output<typeof commentViewSchema>;

export const commentEditSchema = z.object({ text: z.string(), editedAt: z.string() });
export type CommentEditView = z.output<typeof commentEditSchema>;

/** A person the mention autocomplete offers: whether they see the study, and if not whether the caller may share it with them. */
export const mentionCandidateSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  seesStudy: z.boolean(),
  mayShare: z.boolean(),
});
export type MentionCandidate = z.output<typeof mentionCandidateSchema>;

/** A comment as the desktop shows it: the hub's view, or one still in this desktop's outbox (pending) or refused there, with why. */
export interface CommentItem extends Omit<CommentView, 'anchor'> {
  readonly anchor: ViewerAnchor | null;
  readonly state: 'posted' | 'pending' | 'refused';
  /** Why it was refused, or why it is not on the hub yet. */
  readonly reason: string | null;
  /** The outbox item to dismiss a refusal by (null for posted ones). */
  readonly outboxId: string | null;
}

/** A study's comments on the desktop: from the hub when it answers, else from the last copy, with what waits in the outbox. */
export interface CommentsPage {
  readonly comments: readonly CommentItem[];
  /** False when the hub did not answer and the list is the last copy (or none). */
  readonly online: boolean;
  readonly mayComment: boolean;
  /** The study's hub id, or null while it is not on the hub yet. */
  readonly hubStudyId: string | null;
}

/** What became of a written comment (or edit, or delete): taken by the hub, waiting in the outbox, or refused with why. */
export interface CommentOutcome {
  readonly commentId: string;
  readonly state: 'posted' | 'pending' | 'refused';
  readonly reason: string | null;
}
