/**
 * The desktop's calls for external users who connect (issue 14, part 3), as thin hub calls with
 * the signed-in user's session: the site's review for its admins (requests, the number waiting,
 * the site's connection code), assigning physicians, declining, finding or adding a directory
 * physician from the same dialog; and an external user's own requests. The hub decides who may
 * do what; a refusal comes back in its own words.
 */
import type { CallOutput, CallParsedInput } from '../../../shared/contract';
import {
  assignConnectionRoute,
  connectionPhysiciansRoute,
  connectionSettingsRoute,
  declineConnectionRoute,
  myConnectionsRoute,
  requestConnectionRoute,
  setConnectionRoleRoute,
  siteConnectionsRoute,
} from '../../../shared/hub-api/connections';
import { createPhysicianRoute } from '../../../shared/hub-api/physicians';
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';

type CallHubRoute = <R extends HubRoute>(route: R, input: HubRouteRequest<R>) => Promise<HubRouteResponse<R>>;

type ConnectionCall =
  | 'connections:site'
  | 'connections:assign'
  | 'connections:decline'
  | 'connections:physicians'
  | 'connections:create-physician'
  | 'connections:mine'
  | 'connections:request'
  | 'connections:set-role';

export function connectionCalls(hubRoute: CallHubRoute, permissions: () => readonly string[]): { [N in ConnectionCall]: (input: CallParsedInput<N>) => Promise<CallOutput<N>> } {
  return {
    'connections:site': async () => {
      // Someone whose role does not manage connections sees none (an empty answer, not an error: the badge asks for everyone).
      if (!permissions().includes('admin.connections')) return { connections: [], reviewCount: 0, settings: null };
      const [list, settings] = await Promise.all([hubRoute(siteConnectionsRoute, {}), hubRoute(connectionSettingsRoute, {})]);
      return { ...list, settings };
    },
    'connections:assign': async ({ connectionId, physicianIds }) => (await hubRoute(assignConnectionRoute, { params: { id: connectionId }, body: { physicianIds } })).connection,
    'connections:set-role': async ({ connectionId, roleId }) => (await hubRoute(setConnectionRoleRoute, { params: { id: connectionId }, body: { roleId } })).connection,
    'connections:decline': async ({ connectionId }) => (await hubRoute(declineConnectionRoute, { params: { id: connectionId } })).connection,
    'connections:physicians': ({ q }) => hubRoute(connectionPhysiciansRoute, { query: { q } }),
    'connections:create-physician': async ({ givenNames, familyName, specialty }) => {
      const displayName = `Dr ${[givenNames, familyName].filter((part) => part !== '').join(' ')}`;
      const { physician } = await hubRoute(createPhysicianRoute, { body: { displayName, familyName, givenNames, specialty: specialty === '' ? null : specialty } });
      return { id: physician.id, name: physician.displayName, specialty: physician.specialty };
    },
    'connections:mine': () => hubRoute(myConnectionsRoute, {}),
    'connections:request': async (input) => (await hubRoute(requestConnectionRoute, { body: input })).connection,
  };
}
