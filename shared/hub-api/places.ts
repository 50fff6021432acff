/**
 * The hub's routes for a site's places and their worklists: the worklists a user has, a worklist
 * found by its share code, a new code, and locations and groups (each with its worklist) with
 * their members. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';

const id = z.string().uuid();
const name = z.string().trim().min(1).max(200);
const kind = z.enum(['location', 'group', 'personal']);
const member = z.object({ id, name: z.string() });

export const listWorklistsRoute = hubRoute({
  method: 'GET',
  path: '/api/worklists',
  summary: 'The worklists of the caller’s site and their own; `member` marks those they work from.',
  response: z.object({ worklists: z.array(z.object({ id, kind, name: z.string(), shareCode: z.string(), ownerId: id, member: z.boolean() })) }),
});

export const worklistByCodeRoute = hubRoute({
  method: 'GET',
  path: '/api/worklists/by-code/:code',
  summary: 'A worklist anywhere on the hub, by its share code (typed loosely), with its site: shown before anything is shared into it.',
  params: z.object({ code: z.string().max(40) }).strict(),
  response: z.object({ worklist: z.object({ id, kind, name: z.string(), site: z.string().nullable(), shareCode: z.string() }) }),
});

export const regenerateShareCodeRoute = hubRoute({
  method: 'POST',
  path: '/api/worklists/:id/share-code',
  summary: 'Gives a worklist a new share code; the old one stops working (the admin permission for its kind).',
  params: z.object({ id }).strict(),
  response: z.object({ shareCode: z.string() }),
});

export const listLocationsRoute = hubRoute({
  method: 'GET',
  path: '/api/locations',
  summary: 'The site’s locations with their members (admin.locations).',
  response: z.object({ locations: z.array(z.object({ id, name: z.string(), members: z.array(member) })) }),
});

export const listGroupsRoute = hubRoute({
  method: 'GET',
  path: '/api/groups',
  summary: 'The site’s groups (departments flagged) with their members (admin.groups).',
  response: z.object({ groups: z.array(z.object({ id, name: z.string(), department: z.boolean(), members: z.array(member) })) }),
});

export const addLocationRoute = hubRoute({
  method: 'POST',
  path: '/api/locations',
  summary: 'Adds a location and its worklist (admin.locations).',
  status: 201,
  body: z.object({ name }).strict(),
  response: z.object({ location: z.object({ id, name: z.string() }) }),
});

export const addGroupRoute = hubRoute({
  method: 'POST',
  path: '/api/groups',
  summary: 'Adds a group and its worklist; a department shares every member’s studies with every member (admin.groups).',
  status: 201,
  body: z.object({ name, department: z.boolean().default(false) }).strict(),
  response: z.object({ group: z.object({ id, name: z.string(), department: z.boolean() }) }),
});

const memberBody = z.object({ userId: id }).strict();
export const addLocationMemberRoute = hubRoute({
  method: 'POST',
  path: '/api/locations/:id/members',
  summary: 'Adds a user of the site to a location (admin.locations).',
  status: 204,
  params: z.object({ id }).strict(),
  body: memberBody,
});
export const addGroupMemberRoute = hubRoute({
  method: 'POST',
  path: '/api/groups/:id/members',
  summary: 'Adds a user of the site to a group (admin.groups).',
  status: 204,
  params: z.object({ id }).strict(),
  body: memberBody,
});
