/**
 * The comment routes (declared in shared/comments/comments-api.ts): reading a study's comments, a
 * comment's history, an admin's hide and the mention autocomplete. Writing comments is the sync
 * operations' (server/sharing/operations.ts → server/comments/). SQL in server/comments/.
 */
import type { FastifyPluginAsync } from 'fastify';
import { commentHistoryRoute, hideCommentRoute, listCommentsRoute, mentionCandidatesRoute } from '../../shared/comments/comments-api';
import { viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { commentHistory, hideComment, listComments, mentionCandidates } from '../comments/comments-repository';
import { addRoute } from '../http/hub-route';

export const commentRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, listCommentsRoute, async ({ params }, { actor }) => listComments(db, await viewerFacts(db, actor), params.studyId));
    addRoute(app, commentHistoryRoute, async ({ params }, { actor }) => ({ edits: await commentHistory(db, await viewerFacts(db, actor), params.id) }));
    addRoute(app, hideCommentRoute, async ({ params, body }, { actor }) => ({ comment: await hideComment(db, actor, params.id, body.hidden, now().toISOString()) }));
    addRoute(app, mentionCandidatesRoute, async ({ params, query }, { actor }) => ({ people: await mentionCandidates(db, await viewerFacts(db, actor), params.studyId, query.q) }));
  };
