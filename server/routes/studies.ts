/**
 * One study as a person who may see it sees it: its summary, who it is shared with (names, who
 * shared, when; which shares they may remove) and its series on the hub. Opening it is recorded
 * as a view (when the client says it was opened, not refreshed) — on the study's trail, or, for someone who sees it through an external share, on
 * that share's own trail. Also: the share targets a sharer may pick, searched as they type.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ACTION_PERMISSIONS, studyAccess, visibleShares } from '../../shared/permissions/visibility';
import { studyFacts, viewerFacts } from '../access/access-facts';
import { studyActionSql, studyVisibleSql } from '../access/visibility-sql';
import { hubStudyQuerySchema } from '../../shared/hub-api/worklists';
import { listStudies } from '../studies/study-list';
import type { HubContext } from '../app';
import { recordAudit } from '../audit/audit-trail';
import { requireAccount, requirePermission } from '../auth/sessions';
import { HttpError, parseInput } from '../http-error';

const idParam = z.object({ id: z.string().uuid() }).strict();
/** `view=opened`: the person opened the study, which the trail records; a refresh of what is on screen is not. */
const detailsQuery = z.object({ view: z.literal('opened').optional() }).strict();
const targetQuery = z
  .object({
    kind: z.enum(['location', 'group', 'user']),
    q: z.string().trim().max(200).default(''),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** The study about to be shared: targets are offered only when the caller may share it this way. */
    studyId: z.string().uuid().optional(),
  })
  .strict();

/** The share action each kind of target is (its permissions come from the visibility rules). */
const TARGET_ACTION = { location: 'share.locations', group: 'share.groups', user: 'share.users' } as const;

export const studyRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/studies/:id', async (request) => {
      const { actor } = request;
      const { id } = parseInput(idParam, request.params);
      const { view } = parseInput(detailsQuery, request.query);
      const viewer = await viewerFacts(db, actor);
      // Seen or not is decided by the same SQL condition as every list; the pure function then
      // gives what the viewer may do (the property test keeps the two in step).
      const study = await db.selectFrom('studies').selectAll().where('id', '=', id).where(studyVisibleSql(viewer, 'studies')).executeTakeFirst();
      const facts = study === undefined ? null : await studyFacts(db, study);
      const access = study === undefined || facts === null ? null : studyAccess(facts, viewer);
      if (study === undefined || access === null || !access.actions.has('view')) throw new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot see it.');
      const shares = await db
        .selectFrom('shares')
        .innerJoin('users as sharer', 'sharer.id', 'shares.shared_by')
        .leftJoin('worklists', 'worklists.id', 'shares.worklist_id')
        .leftJoin('accounts as site', 'site.id', 'worklists.account_id')
        .leftJoin('users as person', 'person.id', 'shares.user_id')
        .select([
          'shares.id',
          'shares.created_at',
          'shares.external',
          'shares.user_id',
          'sharer.id as sharer_id',
          'sharer.name as sharer_name',
          'worklists.kind',
          'worklists.name as worklist_name',
          'worklists.account_id as worklist_account',
          'site.name as site_name',
          'person.name as person_name',
          'person.email as person_email',
          'person.active as person_active',
        ])
        .where('shares.study_id', '=', study.id)
        .where('shares.removed_at', 'is', null)
        .orderBy('shares.created_at')
        .execute();
      const series = await db
        .selectFrom('study_files')
        .select(['series_uid', 'modality', 'series_description', (eb) => eb.fn.min('series_number').as('series_number'), (eb) => eb.fn.countAll<number>().as('instances')])
        .where('study_id', '=', study.id)
        .groupBy(['series_uid', 'modality', 'series_description'])
        .orderBy('series_number')
        .execute();
      const known = new Set(visibleShares(facts!, viewer).map((share) => share.id));
      const shown = shares.filter((share) => known.has(share.id));
      // Seen through an external share made to this viewer: the view goes on that share's trail.
      const through = shares.find((share) => share.external === 1 && share.user_id === actor.userId);
      if (view === 'opened') {
        await recordAudit(db, {
          at: now().toISOString(),
          accountId: study.account_id,
          studyId: study.id,
          shareId: through?.id ?? null,
          trail: through === undefined ? 'study' : 'share',
          actorId: actor.userId,
          action: 'study.view',
        });
      }
      return {
        study: { id: study.id, private: study.private === 1, summary: JSON.parse(study.summary) as unknown, actions: [...access.actions].sort() },
        shares: shown.map((share) => ({
          id: share.id,
          target:
            share.kind === null
              ? { kind: 'person', name: share.person_name ?? '', email: share.person_email, site: null }
              : { kind: share.kind, name: share.worklist_name ?? '', email: null, site: share.worklist_account === study.account_id ? null : share.site_name },
          sharedBy: { id: share.sharer_id, name: share.sharer_name },
          sharedAt: share.created_at,
          external: share.external === 1,
          // An invited address that has not registered yet.
          invitationPending: share.kind === null && share.person_active === 0,
          removable: access.removableShareIds.has(share.id),
        })),
        series: series.map((row) => ({
          seriesInstanceUid: row.series_uid,
          modality: row.modality,
          seriesDescription: row.series_description,
          seriesNumber: row.series_number,
          instances: Number(row.instances),
        })),
      };
    });

    /** Every study this user may see, with the worklist's search, filters, sort and paging. */
    app.get('/studies', async (request) => {
      const query = parseInput(hubStudyQuerySchema, request.query);
      return listStudies(db, await viewerFacts(db, request.actor), { kind: 'visible' }, query);
    });

    app.get('/share-targets', async (request) => {
      const { actor } = request;
      const { kind, q, limit, studyId } = parseInput(targetQuery, request.query);
      for (const key of ACTION_PERMISSIONS[TARGET_ACTION[kind]]) requirePermission(actor, key);
      const accountId = requireAccount(actor);
      if (studyId !== undefined) {
        // The same SQL condition as every list and the share operation itself: a study the
        // caller may not see (or may not share this way) is answered as one that does not exist.
        const viewer = await viewerFacts(db, actor);
        const study = await db.selectFrom('studies').select('id').where('id', '=', studyId).where(studyActionSql(viewer, TARGET_ACTION[kind], 'studies')).executeTakeFirst();
        if (study === undefined) throw new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot share it this way.');
      }
      const needle = q.toLowerCase();
      const matches = (...values: (string | null)[]) => needle === '' || values.some((value) => value?.toLowerCase().includes(needle));
      if (kind === 'user') {
        const rows = await db
          .selectFrom('worklists')
          .innerJoin('users', 'users.id', 'worklists.owner_id')
          .leftJoin('roles', 'roles.id', 'users.role_id')
          .select(['worklists.id as worklistId', 'users.name', 'users.email', 'roles.name as role'])
          .where('worklists.kind', '=', 'personal')
          .where('users.account_id', '=', accountId)
          .where('users.active', '=', 1)
          .where('users.id', '!=', actor.userId)
          .orderBy('users.name')
          .execute();
        return { targets: rows.filter((row) => matches(row.name, row.email)).slice(0, limit).map((row) => ({ worklistId: row.worklistId, name: row.name, detail: row.role ?? '' })) };
      }
      const rows = await db
        .selectFrom('worklists')
        .select(['id as worklistId', 'name'])
        .where('kind', '=', kind)
        .where('account_id', '=', accountId)
        .orderBy('name')
        .execute();
      return { targets: rows.filter((row) => matches(row.name)).slice(0, limit).map((row) => ({ worklistId: row.worklistId, name: row.name, detail: '' })) };
    });
  };
