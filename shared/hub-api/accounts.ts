/**
 * The hub's routes for sites, people and sessions: first-run setup, signing in and out, who am I,
 * roles and users. Declared once (see route.ts): the hub validates with these, the desktop calls
 * with them, and /api/openapi.json describes them.
 */
import { z } from 'zod';
import { BUILT_IN_ROLE_NAMES, PERMISSION_KEYS, type PermissionKey } from '../permissions/catalogue';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../password-policy';
import { hubRoute } from './route';

const id = z.string().uuid();
const email = z.string().trim().toLowerCase().email('an email address').max(254);
/** A new password: refused with the policy's sentence when too short or easy to guess (shared/password-policy.ts). */
const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH)
  .superRefine((value, context) => {
    // Length is said above; the rest of the policy in its own words.
    const problem = value.length < PASSWORD_MIN_LENGTH || value.length > PASSWORD_MAX_LENGTH ? null : passwordProblem(value);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });
const name = z.string().trim().min(1).max(200);
const permissionKey = z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]]);
const builtInRole = z.enum(BUILT_IN_ROLE_NAMES);

/** Bounds of the workstation lock time a site sets (the accounts table checks them too, migration 0160). */
export const LOCK_MINUTES_MIN = 1;
export const LOCK_MINUTES_MAX = 240;
const lockMinutes = z.number().int().min(LOCK_MINUTES_MIN, `at least ${LOCK_MINUTES_MIN} minute`).max(LOCK_MINUTES_MAX, `at most ${LOCK_MINUTES_MAX} minutes`);

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
  summary: 'Who the session belongs to, with their permissions and their site’s workstation lock time (null for users outside any site).',
  response: z.object({
    id,
    name: z.string(),
    email: z.string(),
    accountId: id.nullable(),
    role: z.string().nullable(),
    permissions: z.array(z.string()),
    // Defaulted, so a desktop reads the answer of a hub from before site lock times (it keeps its own setting).
    lockMinutes: lockMinutes.nullable().default(null),
  }),
});

export const siteSettingsRoute = hubRoute({
  method: 'PUT',
  path: '/api/account/settings',
  summary: 'Sets the caller’s site’s policies: the minutes without activity after which its users’ desktops lock (admin.users).',
  body: z.object({ lockMinutes }).strict(),
  response: z.object({ lockMinutes }),
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

const managedUser = userSummary.extend({ active: z.boolean(), locked: z.boolean() });

export const listUsersRoute = hubRoute({
  method: 'GET',
  path: '/api/users',
  summary: 'The users of the caller’s site (admin.users), with whether each may sign in and whether wrong passwords locked them.',
  response: z.object({ users: z.array(managedUser) }),
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

export const changePasswordRoute = hubRoute({
  method: 'PUT',
  path: '/api/me/password',
  summary: 'Changes the caller’s password, given the current one; every other session of theirs ends.',
  status: 204,
  body: z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword: password }).strict(),
});

export const setUserActiveRoute = hubRoute({
  method: 'PUT',
  path: '/api/users/:id/active',
  summary: 'Deactivates (every session ends, sign-in refused) or reactivates a user of the caller’s site (admin.users).',
  params: z.object({ id }).strict(),
  body: z.object({ active: z.boolean() }).strict(),
  response: z.object({ user: managedUser }),
});

export const unlockUserRoute = hubRoute({
  method: 'POST',
  path: '/api/users/:id/unlock',
  summary: 'Unlocks a user of the caller’s site whom wrong passwords locked (admin.users).',
  params: z.object({ id }).strict(),
  response: z.object({ user: managedUser }),
});

export const resetUserPasswordRoute = hubRoute({
  method: 'POST',
  path: '/api/users/:id/password-reset',
  summary: 'Ends every session of a user of the caller’s site and mails them a link to set a new password (admin.users).',
  params: z.object({ id }).strict(),
  status: 202,
  response: z.object({ sent: z.boolean() }),
});
