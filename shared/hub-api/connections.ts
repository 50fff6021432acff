/**
 * The hub's routes for external users who connect to a site (issue 14, part 3): someone signed
 * up on the hub's page asks to connect to a site found by its exact name or its connection code,
 * as a physician, practice manager or external rep; the site's admins (admin.connections) see
 * the requests, assign physicians or decline. Declared once (see route.ts).
 */
import { z } from 'zod';
import { CONNECTION_KINDS, CONNECTION_STATUSES } from '../connections/connection-kinds';
import { hubRoute } from './route';

const id = z.string().uuid();
const kind = z.enum(CONNECTION_KINDS);
const status = z.enum(CONNECTION_STATUSES);
const physician = z.object({ id, name: z.string() });
/** The site's role that applies to the connected person on its studies (one role per connection); null until the first assignment. */
const role = z.object({ id, name: z.string() }).nullable();

const myConnection = z.object({
  id,
  site: z.object({ id, name: z.string() }),
  kind,
  status,
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  physicians: z.array(physician),
  role: role.optional(),
});
export type MyConnectionView = z.output<typeof myConnection>;

const siteConnection = z.object({
  id,
  user: z.object({ id, name: z.string(), email: z.string() }),
  kind,
  status,
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  physicians: z.array(physician),
  role: role.optional(),
});
export type SiteConnectionView = z.output<typeof siteConnection>;

export const requestConnectionRoute = hubRoute({
  method: 'POST',
  path: '/api/connections',
  summary: 'Asks to connect to a site, found by its exact name or its connection code (a signed-in user of no site).',
  status: 201,
  body: z.object({ site: z.string().trim().min(1, 'the site’s name or connection code').max(200), kind }).strict(),
  response: z.object({ connection: myConnection }),
});

export const myConnectionsRoute = hubRoute({
  method: 'GET',
  path: '/api/connections/mine',
  summary: 'The caller’s connection requests, each with its site, status and assigned physicians.',
  response: z.object({ connections: z.array(myConnection) }),
});

export const siteConnectionsRoute = hubRoute({
  method: 'GET',
  path: '/api/connections',
  summary: 'The connection requests to the caller’s site, those in review first, with how many wait and the site’s roles a connection may take (admin.connections).',
  response: z.object({ connections: z.array(siteConnection), reviewCount: z.number().int(), roles: z.array(z.object({ id, name: z.string() })).optional() }),
});

export const assignConnectionRoute = hubRoute({
  method: 'PUT',
  path: '/api/connections/:id/physicians',
  summary: 'Sets the physicians of the site a connected user acts for: some → Assigned, none → back to Review (admin.connections).',
  params: z.object({ id }).strict(),
  body: z.object({ physicianIds: z.array(id).max(500) }).strict(),
  response: z.object({ connection: siteConnection }),
});

export const setConnectionRoleRoute = hubRoute({
  method: 'PUT',
  path: '/api/connections/:id/role',
  summary: 'Sets the site’s role that decides what the connected person may do with its studies (one role per connection; admin.connections).',
  params: z.object({ id }).strict(),
  body: z.object({ roleId: id }).strict(),
  response: z.object({ connection: siteConnection }),
});

export const declineConnectionRoute = hubRoute({
  method: 'POST',
  path: '/api/connections/:id/decline',
  summary: 'Ends a connection request (and any physicians it had) for good (admin.connections).',
  params: z.object({ id }).strict(),
  response: z.object({ connection: siteConnection }),
});

export const connectionPhysiciansRoute = hubRoute({
  method: 'GET',
  path: '/api/connections/physicians',
  summary: 'Active physicians of the caller’s site whose surname starts with the text, for the Assign physicians dialog (admin.connections).',
  query: z.object({ q: z.string().trim().max(100).default('') }).strict(),
  response: z.object({ physicians: z.array(physician.extend({ specialty: z.string().nullable() })) }),
});

const connectionSettings = z.object({ connectionCode: z.string(), acceptsConnections: z.boolean() });
export type ConnectionSettingsView = z.output<typeof connectionSettings>;

export const connectionSettingsRoute = hubRoute({
  method: 'GET',
  path: '/api/site/connections',
  summary: 'The caller’s site’s connection code and whether it takes requests (admin.connections).',
  response: connectionSettings,
});

export const setConnectionSettingsRoute = hubRoute({
  method: 'PUT',
  path: '/api/site/connections',
  summary: 'Opens or closes the site to connection requests (admin.connections).',
  body: z.object({ acceptsConnections: z.boolean() }).strict(),
  response: connectionSettings,
});

export const regenerateConnectionCodeRoute = hubRoute({
  method: 'POST',
  path: '/api/site/connections/code',
  summary: 'Gives the site a new connection code; the old one stops finding it (admin.connections).',
  response: connectionSettings,
});
