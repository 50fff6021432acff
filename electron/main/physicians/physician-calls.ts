/**
 * The desktop's calls for physicians on studies and case managers (issue 14, parts 1 and 2), as
 * thin hub calls with the signed-in user's session: the site's directory and who acts for its
 * physicians (the hub checks admin.users), and the user's own cases (their directory entry and
 * the physicians they act for). The hub decides who may do what; a refusal comes back in its words.
 */
import type { CallOutput, CallParsedInput } from '../../../shared/contract';
import {
  actsForRoute,
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
} from '../../../shared/hub-api/physicians';
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';
import { hubStudyQueryParams } from '../../../shared/hub-api/worklists';

type CallHubRoute = <R extends HubRoute>(route: R, input: HubRouteRequest<R>) => Promise<HubRouteResponse<R>>;

type PhysicianCall =
  | 'physicians:list'
  | 'physicians:save'
  | 'physicians:acts-for'
  | 'physicians:set-acts-for'
  | 'physicians:mine'
  | 'physicians:cases'
  | 'physicians:reviews'
  | 'physicians:resolve-review'
  | 'physicians:directory'
  | 'physicians:study';

export function physicianCalls(hubRoute: CallHubRoute): { [N in PhysicianCall]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> } {
  return {
    'physicians:list': ({ surname, includeInactive }) => hubRoute(listPhysiciansRoute, { query: { ...(surname === undefined || surname === '' ? {} : { surname }), includeInactive: includeInactive ? '1' : '0' } }),
    'physicians:save': async ({ id, physician }) =>
      id === undefined ? (await hubRoute(createPhysicianRoute, { body: physician })).physician : (await hubRoute(updatePhysicianRoute, { params: { id }, body: physician })).physician,
    'physicians:acts-for': ({ userId }) => hubRoute(actsForRoute, { params: { id: userId } }),
    'physicians:set-acts-for': ({ userId, physicianIds }) => hubRoute(setActsForRoute, { params: { id: userId }, body: { physicianIds } }),
    'physicians:mine': () => hubRoute(myPhysiciansRoute, {}),
    'physicians:reviews': () => hubRoute(listMatchReviewsRoute, {}),
    'physicians:resolve-review': async ({ id, physicianId }) => {
      await hubRoute(resolveMatchReviewRoute, { params: { id }, body: { physicianId } });
      return {};
    },
    'physicians:directory': ({ surname }) => hubRoute(physicianDirectoryRoute, { query: surname === '' ? {} : { surname } }),
    'physicians:study': ({ hubStudyId }) => hubRoute(studyPhysiciansRoute, { params: { id: hubStudyId } }),
    'physicians:cases': async ({ physicianId, ...query }) => {
      const page = await hubRoute(casesRoute, { query: { ...hubStudyQueryParams(query), ...(physicianId === undefined ? {} : { physician: physicianId }) } });
      return {
        total: page.total,
        totalCapped: page.totalCapped,
        nextCursor: page.nextCursor,
        links: page.links,
        // Someone of no site: each study's site and their connected sites (the Site column and filter).
        studies: page.studies.map((study) => ({ hubStudyId: study.studyId, private: study.private, sharedAt: study.sharedAt ?? '', summary: study.summary, reason: study.reason ?? null, site: study.site ?? null })),
        ...(page.sites === undefined ? {} : { sites: page.sites }),
      };
    },
  };
}
