/**
 * The physician directory, match reviews, who acts for whom, and the studies physicians are on
 * (issue 14, parts 1 and 2). Declared in shared/hub-api/physicians.ts; the SQL is in
 * server/physicians/. Directory, reviews and delegation need a site and admin.users, for that site
 * only: another site's physician or user is answered as not found (404), never as forbidden, so
 * ids cannot be probed across sites. Cases need only a session: they list what the caller's own
 * physicians are on, filtered by the visibility rules like every list.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  actsForRoute,
  addStudyPhysicianRoute,
  casesRoute,
  createPhysicianRoute,
  listMatchReviewsRoute,
  listPhysiciansRoute,
  myPhysiciansRoute,
  physicianDirectoryRoute,
  resolveMatchReviewRoute,
  setActsForRoute,
  studyPhysiciansRoute,
  updatePhysicianRoute,
} from '../../shared/hub-api/physicians';
import { studyAccess } from '../../shared/permissions/visibility';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { requireAccount, requirePermission, type Actor } from '../auth/sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { runRelinks } from '../physicians/physician-linking';
import { linkByHand } from '../physicians/study-physician-ops';
import { listMatchReviews, resolveMatchReview, studyPhysicianLinks } from '../physicians/physician-reviews';
import { createPhysician, listPhysicians, physicianOfUser, physiciansDelegatedTo, setDelegatedPhysicians, updatePhysician } from '../physicians/physicians-repository';
import { listStudies } from '../studies/study-list';

const studyNotFound = () => new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot see it.');

export const physicianRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    /** The caller's site, when they may manage its users and directory. */
    const admin = (actor: Actor) => {
      const accountId = requireAccount(actor);
      requirePermission(actor, 'admin.users');
      return { accountId, actorId: actor.userId, at: now().toISOString() };
    };
    /** A directory change relinks existing studies: started now, in the background, in bounded batches. */
    const relinkSoon = () => {
      setImmediate(() => {
        runRelinks(db, now).catch((error: unknown) => app.log.error({ err: error }, 'physician relink failed; retried at the next change or start'));
      });
    };
    // Relinks left unfinished by a stop are resumed at start (the queue keeps their position).
    app.addHook('onReady', async () => {
      relinkSoon();
    });
    const userOfSite = async (accountId: string, userId: string) => {
      const user = await db.selectFrom('users').select('id').where('id', '=', userId).where('account_id', '=', accountId).executeTakeFirst();
      if (user === undefined) throw new HttpError(404, 'user-not-found', 'This user is not a user of your site.');
    };

    addRoute(app, listPhysiciansRoute, async ({ query }, { actor }) => ({
      physicians: await listPhysicians(db, admin(actor).accountId, { surnamePrefix: query.surname, includeInactive: query.includeInactive === '1' }),
    }));
    addRoute(app, createPhysicianRoute, async ({ body }, { actor }) => {
      const physician = await createPhysician(db, admin(actor), body);
      relinkSoon();
      return { physician };
    });
    addRoute(app, updatePhysicianRoute, async ({ params, body }, { actor }) => {
      const physician = await updatePhysician(db, admin(actor), params.id, body);
      relinkSoon();
      return { physician };
    });

    addRoute(app, listMatchReviewsRoute, async (_input, { actor }) => ({ reviews: await listMatchReviews(db, admin(actor).accountId) }));
    addRoute(app, resolveMatchReviewRoute, async ({ params, body }, { actor }) => {
      await resolveMatchReview(db, admin(actor), params.id, body.physicianId);
    });

    addRoute(app, actsForRoute, async ({ params }, { actor }) => {
      const { accountId } = admin(actor);
      await userOfSite(accountId, params.id);
      return { physicians: await physiciansDelegatedTo(db, params.id, { accountId }) };
    });
    addRoute(app, setActsForRoute, async ({ params, body }, { actor }) => {
      const who = admin(actor);
      await userOfSite(who.accountId, params.id);
      const physicians = await setDelegatedPhysicians(db, { userId: params.id, accountId: who.accountId, kind: 'case-manager', physicianIds: body.physicianIds, by: actor.userId, at: who.at });
      return { physicians };
    });

    addRoute(app, myPhysiciansRoute, async (_input, { actor }) => ({
      self: await physicianOfUser(db, actor.userId),
      actsFor: (await physiciansDelegatedTo(db, actor.userId)).filter((p) => p.active),
    }));

    addRoute(app, casesRoute, async ({ query }, { actor }) => {
      const viewer = await viewerFacts(db, actor);
      const mine = [...(viewer.physicianIds ?? []), ...(viewer.delegatedPhysicianIds ?? [])];
      const { physician, ...studyQuery } = query;
      // One doctor: one of the caller's own; anyone else's is answered as unknown.
      if (physician !== undefined && !mine.includes(physician)) throw new HttpError(404, 'physician-not-found', 'You do not act for this physician (any more).');
      const scope = physician === undefined ? mine : [physician];
      const page = await listStudies(db, viewer, { kind: 'physicians', physicianIds: scope }, studyQuery);
      return { ...page, links: await studyPhysicianLinks(db, page.studies.map((s) => s.studyId), scope) };
    });

    addRoute(app, studyPhysiciansRoute, async ({ params }, { actor }) => {
      const viewer = await viewerFacts(db, actor);
      const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private']).where('id', '=', params.id).executeTakeFirst();
      if (study === undefined || !studyAccess(await studyFacts(db, study), viewer).actions.has('view')) throw studyNotFound();
      const links = (await studyPhysicianLinks(db, [study.id], null))[study.id] ?? [];
      const sources = await db.selectFrom('study_physicians').select(['physician_id', 'relation', 'source']).where('study_id', '=', study.id).execute();
      return {
        physicians: links.map((link) => ({
          id: link.physicianId,
          displayName: link.displayName,
          relation: link.relation,
          source: sources.find((s) => s.physician_id === link.physicianId && s.relation === link.relation)?.source ?? 'manual',
        })),
      };
    });

    addRoute(app, addStudyPhysicianRoute, async ({ params, body }, { actor }) => {
      const viewer = await viewerFacts(db, actor);
      await db.transaction().execute((trx) => linkByHand(trx, viewer, { studyId: params.id, physicianId: body.physicianId, forPhysicianId: body.forPhysicianId, actorId: actor.userId, at: now().toISOString() }));
    });

    // Add physician…'s search: the caller's own site, active physicians, names only (no admin right needed).
    addRoute(app, physicianDirectoryRoute, async ({ query }, { actor }) => {
      const accountId = requireAccount(actor);
      requirePermission(actor, 'studies.share');
      const found = await listPhysicians(db, accountId, { surnamePrefix: query.surname, includeInactive: false, limit: 20 });
      return { physicians: found.map((p) => ({ id: p.id, displayName: p.displayName, specialty: p.specialty })) };
    });
  };
