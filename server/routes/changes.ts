/**
 * The change feed: studies changed after a cursor, as the asking user may see them now. A study
 * they can no longer see comes as `{ studyId, visible: false }` (its id only) so that their
 * cache drops it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { studyAccess } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFactsMany, viewerFacts } from '../access/access-facts';
import { actorFor } from '../auth/sessions';
import { parseInput } from '../http-error';

const querySchema = z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) }).strict();

export const changeRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/changes', async (request) => {
      const actor = await actorFor(db, request.headers.authorization, now());
      const { after, limit } = parseInput(querySchema, request.query);
      const rows = await db.selectFrom('changes').select(['seq', 'study_id']).where('seq', '>', after).orderBy('seq').limit(limit).execute();
      const cursor = rows.at(-1)?.seq ?? after;
      // Several changes to one study in the batch: its latest state once.
      const studyIds = [...new Set(rows.map((row) => row.study_id))];
      const viewer = await viewerFacts(db, actor);
      const studies = [];
      for (let start = 0; start < studyIds.length; start += 500) {
        studies.push(...(await db.selectFrom('studies').selectAll().where('id', 'in', studyIds.slice(start, start + 500)).execute()));
      }
      const factsById = await studyFactsMany(db, studies);
      const changes = [];
      for (const study of studies) {
        const facts = factsById.get(study.id)!;
        const access = studyAccess(facts, viewer);
        if (!access.actions.has('view')) {
          changes.push({ studyId: study.id, visible: false });
          continue;
        }
        changes.push({
          studyId: study.id,
          visible: true,
          private: study.private === 1,
          summary: JSON.parse(study.summary) as unknown,
          actions: [...access.actions].sort(),
          shares: facts.shares.filter((share) => !share.removed).map((share) => ({ id: share.id, target: share.target, sharedBy: share.sharedBy, removable: access.removableShareIds.has(share.id) })),
        });
      }
      return { changes, cursor, more: rows.length === limit };
    });
  };
