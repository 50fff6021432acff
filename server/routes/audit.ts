/**
 * Reading the audit trail (permission audit.view, own site only): the site's trail with filters,
 * as JSON pages or as a CSV export; one study's trail (without what happened through its
 * external shares); one share's own trail. A study's trail (by its route, or the site's trail
 * filtered to it) and a share's are only for a caller who may see the study: the visibility SQL
 * condition decides, as for every list; otherwise 404, as for a study that does not exist.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubContext } from '../app';
import { shareAuditRoute, siteAuditCsvRoute, siteAuditRoute, studyAuditRoute } from '../../shared/hub-api/audit';
import { viewerFacts } from '../access/access-facts';
import { auditCsv, mayReadShareTrail, mayReadStudyTrail, queryAudit, type AuditFilter } from '../audit/audit-trail';
import { requireAccount, requirePermission, type Actor } from '../auth/sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

/** The most a CSV export holds; a bigger trail is exported by date range. */
const CSV_LIMIT = 100_000;

export const auditRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    const auditor = (actor: Actor): { actor: Actor; accountId: string } => {
      requirePermission(actor, 'audit.view');
      return { actor, accountId: requireAccount(actor) };
    };

    const requireStudyTrail = async (actor: Actor, accountId: string, studyId: string | undefined): Promise<void> => {
      if (studyId === undefined) return;
      if (!(await mayReadStudyTrail(db, await viewerFacts(db, actor), accountId, studyId))) throw new HttpError(404, 'not-found', 'No such study in your site, or you cannot see it.');
    };

    addRoute(app, siteAuditRoute, async ({ query: filter }, request) => {
      const { accountId } = auditor(request.actor);
      await requireStudyTrail(request.actor, accountId, filter.studyId);
      return { events: await queryAudit(db, { ...filter, accountId }) };
    });

    addRoute(app, siteAuditCsvRoute, async ({ query }, request, reply) => {
      const { accountId } = auditor(request.actor);
      const filter: AuditFilter = { ...query, accountId, limit: CSV_LIMIT };
      await requireStudyTrail(request.actor, accountId, filter.studyId);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="studyshare-audit-${now().toISOString().slice(0, 10)}.csv"`)
        .header('cache-control', 'no-store')
        .send(auditCsv(await queryAudit(db, filter)));
    });

    addRoute(app, studyAuditRoute, async ({ params: { id } }, request) => {
      const { accountId } = auditor(request.actor);
      await requireStudyTrail(request.actor, accountId, id);
      return { events: await queryAudit(db, { accountId, studyId: id, limit: 1000 }) };
    });

    addRoute(app, shareAuditRoute, async ({ params: { id } }, request) => {
      const { accountId } = auditor(request.actor);
      if (!(await mayReadShareTrail(db, await viewerFacts(db, request.actor), accountId, id))) throw new HttpError(404, 'not-found', 'No such share in your site, or you cannot see its study.');
      return { events: await queryAudit(db, { accountId, shareId: id, limit: 1000 }) };
    });
  };
