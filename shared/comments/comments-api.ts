/**
 * The hub's comment routes (issue 16), declared once (shared/hub-api/route.ts). Comments are
 * written through the sync operations `comment.add` / `comment.edit` / `comment.delete`
 * (offline-first, like shares); reading them, a comment's history, an admin's hide and the
 * mention autocomplete are here.
 */
import { z } from 'zod';
import { hubRoute } from '../hub-api/route';
import { commentEditSchema, commentViewSchema, mentionCandidateSchema } from './comment-schemas';

const id = z.string().uuid();

export const listCommentsRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/comments',
  summary: 'A study’s comments, oldest first, as the caller may read them (who sees the study), its comments’ revision, and whether the caller may comment.',
  params: z.object({ studyId: id }).strict(),
  response: z.object({ comments: z.array(commentViewSchema), revision: z.number().int(), mayComment: z.boolean() }),
});

export const commentHistoryRoute = hubRoute({
  method: 'GET',
  path: '/api/comments/:id/history',
  summary: 'A comment’s earlier texts, newest first (its readers; a hidden or deleted one’s only for the site’s admins).',
  params: z.object({ id }).strict(),
  response: z.object({ edits: z.array(commentEditSchema) }),
});

export const hideCommentRoute = hubRoute({
  method: 'PUT',
  path: '/api/comments/:id/hidden',
  summary: 'Hides a comment from everyone but the site’s admins, or shows it again (admins of the study’s site).',
  params: z.object({ id }).strict(),
  body: z.object({ hidden: z.boolean() }).strict(),
  response: z.object({ comment: commentViewSchema }),
});

export const mentionCandidatesRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/mention-candidates',
  summary: 'Up to ten people whose name or address starts with `q` that a comment on this study may mention: those who see it, then people of the caller’s site who do not (with whether the caller may share it with them). Only for people who see the study.',
  params: z.object({ studyId: id }).strict(),
  query: z.object({ q: z.string().trim().min(1).max(100) }).strict(),
  response: z.object({ people: z.array(mentionCandidateSchema) }),
});
