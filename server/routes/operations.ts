/**
 * The sync client's outbox lands here (`POST /api/operations`, declared in shared/hub-api/sync.ts):
 * a batch applied by server/sharing/operations.ts, then the mail it queued goes out.
 */
import type { FastifyPluginAsync } from 'fastify';
import { postOperationsRoute } from '../../shared/hub-api/sync';
import type { HubContext } from '../app';
import { addRoute } from '../http/hub-route';
import { applyBatch } from '../sharing/operations';

export const operationRoutes =
  ({ db, now, flushMail, publicUrl }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, postOperationsRoute, async ({ body }, { actor }) => {
      const results = await applyBatch(db, actor, body.operations, { now, publicUrl });
      // Invitations and notices queued by this batch go out after it is committed.
      void flushMail();
      return { results };
    });
  };
