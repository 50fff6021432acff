/**
 * The hub's routes for sites, people and sessions: first-run setup, signing in and out, who am I,
 * roles and users. Declared once (see route.ts): the hub validates with these, the desktop calls
 * with them, and /api/openapi.json describes them.
 */
import { z } from 'zod';
import { BUILT_IN_ROLE_NAMES, PERMISSION_KEYS, type PermissionKey } from '../permissions/catalogue';
import { hubRoute } from './route';

const id = z.string().uuid();
const email = z.string().trim().toLowerCase().email('an email address').max(254);
const password = z.string().min(10, 'at least 10 characters').max(200);
const name = z.string().trim().min(1).max(200);
const permissionKey = z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]]);
const builtInRole = z.enum(BUILT_IN_ROLE_NAMES);

const userSummary = z.object({ id, name: z.string(), email: z.string(), role: z.string().nullable() });

export const setupRoute = hubRoute({
  method: 'POST',
  path: '/api/setup',
  summary: 'Creates the first site and its admin (needs the setup code printed on the hub’s console).',
  public: true,
  status: 201,
  body: z.object({ accountName: name, adminName: name, email, password, setupToken: z.string().max(200).optional() }).strict(),
  response: z.object({ account: z.object({ id, name: z.string() }), user: userSummary, token: z.string() }),
});

export const signInRoute = hubRoute({
  method: 'POST',
  path: '/api/sessions',
  summary: 'Signs in; answers a session token (only its hash is kept).',
  public: true,
  status: 201,
  body: z.object({ email, password: z.string().max(200) }).strict(),
  response: z.object({ token: z.string() }),
});

export const signOutRoute = hubRoute({ method: 'DELETE', path: '/api/sessions', summary: 'Ends this session.', status: 204 });

export const meRoute = hubRoute({
  method: 'GET',
  path: '/api/me',
  summary: 'Who the session belongs to, with their permissions.',
  response: z.object({ id, name: z.string(), email: z.string(), accountId: id.nullable(), role: z.string().nullable(), permissions: z.array(z.string()) }),
});

const role = z.object({ id, name: z.string(), builtIn: z.boolean(), permissions: z.array(z.string()) });

export const listRolesRoute = hubRoute({
  method: 'GET',
  path: '/api/roles',
  summary: 'The roles of the caller’s site (admin.roles).',
  response: z.object({ roles: z.array(role) }),
});

export const setRolePermissionsRoute = hubRoute({
  method: 'PUT',
  path: '/api/roles/:id',
  summary: 'Replaces a role’s permissions (admin.roles); the Admin role keeps the ones that manage roles and users.',
  params: z.object({ id }).strict(),
  body: z.object({ permissions: z.array(permissionKey).max(100) }).strict(),
  response: z.object({ role: role.omit({ builtIn: true }) }),
});

export const listUsersRoute = hubRoute({
  method: 'GET',
  path: '/api/users',
  summary: 'The users of the caller’s site (admin.users).',
  response: z.object({ users: z.array(userSummary.extend({ active: z.boolean() })) }),
});

export const addUserRoute = hubRoute({
  method: 'POST',
  path: '/api/users',
  summary: 'Adds a user with a built-in role and a personal worklist (admin.users).',
  status: 201,
  body: z.object({ name, email, password, role: builtInRole }).strict(),
  response: z.object({ user: userSummary }),
});

export const requestPasswordResetRoute = hubRoute({
  method: 'POST',
  path: '/api/password-resets',
  summary: 'Mails a single-use link that sets a new password, valid one hour; the same answer whether or not the address has an account.',
  public: true,
  status: 202,
  body: z.object({ email: email }).strict(),
  response: z.object({ sent: z.literal(true) }),
});
