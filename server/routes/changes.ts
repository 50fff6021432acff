/**
 * The change feed: studies changed after a cursor, as the asking user may see them now. A study
 * they can no longer see comes as `{ studyId, visible: false }` (its id only) so that their
 * cache drops it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { studyAccess, visibleShares } from '../../shared/permissions/visibility';
import type { HubContext } from '../app';
import { studyFactsMany, viewerFacts } from '../access/access-facts';

import { parseInput } from '../http-error';
import type { Selectable } from 'kysely';
import type { StudyTable } from '../db/schema';

const querySchema = z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) }).strict();

export const changeRoutes =
  ({ db }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/changes', async (request) => {
      const { actor } = request;
      const { after, limit } = parseInput(querySchema, request.query);
      // Each changed study once, in the order of its latest change: a study changed many times
      // since the cursor (published, then shared five times) costs one entry, not six. Every
      // study whose latest change is at or before the page's cursor is in the page, so the
      // next page starts after it without missing any.
      const rows = await db
        .selectFrom('changes')
        .select((eb) => ['study_id', eb.fn.max('seq').as('seq')])
        .where('seq', '>', after)
        .groupBy('study_id')
        .orderBy('seq')
        .limit(limit)
        .execute();
      const cursor = rows.at(-1)?.seq ?? after;
      const studyIds = rows.map((row) => row.study_id);
      const viewer = await viewerFacts(db, actor);
      const byId = new Map<string, Selectable<StudyTable>>();
      for (let start = 0; start < studyIds.length; start += 500) {
        for (const study of await db.selectFrom('studies').selectAll().where('id', 'in', studyIds.slice(start, start + 500)).execute()) byId.set(study.id, study);
      }
      // In the feed's order (the order of their latest change).
      const studies = studyIds.map((id) => byId.get(id)).filter((study) => study !== undefined);
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
          shares: visibleShares(facts, viewer).map((share) => ({ id: share.id, target: share.target, sharedBy: share.sharedBy, removable: access.removableShareIds.has(share.id) })),
        });
      }
      return { changes, cursor, more: rows.length === limit };
    });
  };
