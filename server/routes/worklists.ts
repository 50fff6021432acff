/**
 * Worklists and places: the worklists a user has, looking one up by share code (to share into it
 * from anywhere in the ecosystem), regenerating a code (the old one stops working), locations and
 * groups with their members, and a worklist's studies. Routes are declared in
 * shared/hub-api/places.ts (and worklists.ts for the study list); the SQL is in
 * server/worklists/worklists-repository.ts and server/studies/study-list.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  addGroupMemberRoute,
  addGroupRoute,
  addLocationMemberRoute,
  addLocationRoute,
  listGroupsRoute,
  listLocationsRoute,
  listWorklistsRoute,
  regenerateShareCodeRoute,
  worklistByCodeRoute,
} from '../../shared/hub-api/places';
import { worklistStudiesRoute } from '../../shared/hub-api/studies';
import { parseShareCode, SHARE_CODE_TYPING_MISTAKE, unmatchedShareCode } from '../../shared/share-code';
import { viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { requireAccount, requirePermission } from '../auth/sessions';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { listStudies } from '../studies/study-list';
import { addPlaceMember, createPlace, findWorklist, placesWithMembers, regenerateShareCode, worklistByCode, worklistsFor } from '../worklists/worklists-repository';

export const worklistRoutes =
  ({ db }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, listWorklistsRoute, async (_input, { actor }) => {
      const rows = await worklistsFor(db, actor.userId, actor.accountId);
      // `member`: the worklists this user works from (their own, their locations', their groups').
      const viewer = await viewerFacts(db, actor);
      return {
        worklists: rows.map((row) => ({
          ...row,
          member: row.kind === 'personal' || (row.kind === 'location' ? viewer.locationIds : viewer.groupIds).has(row.ownerId),
        })),
      };
    });

    addRoute(app, worklistByCodeRoute, async ({ params }, { actor }) => {
      requirePermission(actor, 'studies.share.code');
      const parsed = parseShareCode(params.code);
      if (!parsed.ok) throw new HttpError(400, `share-code-${parsed.problem}`, parsed.message);
      const row = await worklistByCode(db, parsed.code);
      if (row === undefined) {
        if (unmatchedShareCode(parsed) === 'check') throw new HttpError(400, 'share-code-check', SHARE_CODE_TYPING_MISTAKE);
        throw new HttpError(404, 'share-code-unknown', 'No worklist has this share code. Check it with the person who gave it to you.');
      }
      return { worklist: row };
    });

    addRoute(app, regenerateShareCodeRoute, async ({ params }, { actor }) => {
      const worklist = await findWorklist(db, params.id);
      if (worklist === undefined || worklist.account_id !== actor.accountId) throw new HttpError(404, 'not-found', 'No such worklist in your site.');
      requirePermission(actor, worklist.kind === 'location' ? 'admin.locations' : worklist.kind === 'group' ? 'admin.groups' : 'admin.users');
      return { shareCode: await regenerateShareCode(db, worklist.id) };
    });

    addRoute(app, worklistStudiesRoute, async ({ params, query }, { actor }) => {
      const worklist = await findWorklist(db, params.id);
      if (worklist === undefined) throw new HttpError(404, 'not-found', 'No such worklist.');
      const viewer = await viewerFacts(db, actor);
      const member =
        worklist.kind === 'personal'
          ? worklist.owner_id === actor.userId
          : (worklist.kind === 'location' ? viewer.locationIds : viewer.groupIds).has(worklist.owner_id) ||
            (worklist.account_id === actor.accountId && actor.permissions.has('admin.users'));
      // Another site's worklist is answered as one that does not exist (issue 14: nothing of a site is guessable from another).
      if (!member && worklist.account_id !== actor.accountId) throw new HttpError(404, 'not-found', 'No such worklist.');
      if (!member) throw new HttpError(403, 'forbidden', 'This is not one of your worklists.');
      // What is shared to the worklist (and, for a personal one, to its owner in person), as far
      // as this viewer may see it: filtered in the query, before the page is cut.
      return listStudies(db, viewer, { kind: 'worklist', worklistId: worklist.id, personalOwnerId: worklist.kind === 'personal' ? worklist.owner_id : null }, query);
    });

    // Locations and groups of the site with their members (for the admin screens).
    addRoute(app, listLocationsRoute, async (_input, { actor }) => {
      requirePermission(actor, 'admin.locations');
      return { locations: (await placesWithMembers(db, requireAccount(actor), 'location')).map(({ department: _department, ...place }) => place) };
    });
    addRoute(app, listGroupsRoute, async (_input, { actor }) => {
      requirePermission(actor, 'admin.groups');
      return { groups: await placesWithMembers(db, requireAccount(actor), 'group') };
    });

    for (const [route, kind] of [
      [addLocationMemberRoute, 'location'],
      [addGroupMemberRoute, 'group'],
    ] as const) {
      addRoute(app, route, async ({ params, body }, { actor }) => {
        requirePermission(actor, kind === 'location' ? 'admin.locations' : 'admin.groups');
        if (!(await addPlaceMember(db, requireAccount(actor), kind, params.id, body.userId))) throw new HttpError(404, 'not-found', `No such ${kind} or user in your site.`);
      });
    }

    addRoute(app, addLocationRoute, async ({ body }, { actor }) => {
      requirePermission(actor, 'admin.locations');
      const id = await createPlace(db, requireAccount(actor), 'location', body.name);
      return { location: { id, name: body.name } };
    });

    addRoute(app, addGroupRoute, async ({ body }, { actor }) => {
      requirePermission(actor, 'admin.groups');
      const id = await createPlace(db, requireAccount(actor), 'group', body.name, body.department);
      return { group: { id, name: body.name, department: body.department } };
    });
  };
