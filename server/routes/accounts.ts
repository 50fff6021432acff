/**
 * Sites, users and sessions: the first-run setup of a site and its admin, signing in and out,
 * who am I, and user management for admins. Each route is declared in shared/hub-api/accounts.ts;
 * the SQL is in server/accounts/accounts-repository.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  addUserRoute,
  changePasswordRoute,
  listRolesRoute,
  listUsersRoute,
  meRoute,
  resetUserPasswordRoute,
  setRolePermissionsRoute,
  setupRoute,
  setUserActiveRoute,
  signInRoute,
  siteSettingsRoute,
  signOutRoute,
  unlockUserRoute,
} from '../../shared/hub-api/accounts';
import {
  addUser,
  createAccount,
  findPasswordHash,
  findRole,
  findSiteUser,
  findUserForSignIn,
  hasAnySite,
  listRoles,
  listUsers,
  setPasswordHash,
  setRolePermissions,
  setSiteLockMinutes,
  setUserActive,
  siteLockMinutes,
} from '../accounts/accounts-repository';
import type { HubContext } from '../app';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password';
import { requestPasswordReset } from '../auth/password-reset';
import { createSession, endSession, endUserSessions, requireAccount, requirePermission, sameSecret } from '../auth/sessions';
import { connectionPermissionsAnywhere } from '../connections/connection-roles';
import { checkSignInGate, clearSignInFailures, recordSignInFailure } from '../auth/sign-in-guard';
import { normalizeSetupCode } from '../config/setup-code';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

/** Checked against when the address is unknown, so that sign-in takes as long either way. */

export const accountRoutes =
  ({ db, now, setupToken, sessionPolicy, flushMail, publicUrl }: HubContext): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, setupRoute, async ({ body }) => {
      // Whoever reaches a fresh hub first must not become its admin: they need the code the hub
      // printed on its console (or that the desktop's embedded hub keeps in-process).
      if (setupToken !== null && !sameSecret(normalizeSetupCode(body.setupToken ?? ''), setupToken)) {
        throw new HttpError(403, 'setup-token', 'The setup code is missing or wrong. It is printed on the hub’s console when it starts without a site.');
      }
      const passwordHash = await hashPassword(body.password);
      const result = await db.transaction().execute(async (trx) => {
        if (await hasAnySite(trx)) throw new HttpError(409, 'already-set-up', 'This hub is already set up. Sign in instead.');
        return createAccount(trx, body.accountName, { name: body.adminName, email: body.email, passwordHash }, now());
      });
      return { ...result, token: await createSession(db, result.user.id, now(), sessionPolicy) };
    });

    /**
     * Checks a password for an address under the per-account guard: refused unheard while the
     * address must wait or is locked; a wrong one counted (and, at the limit, the account locked
     * and its owner told by mail); a right one clears the count.
     */
    const checkPassword = async (email: string, password: string) => {
      await checkSignInGate(db, email, now());
      const user = await findUserForSignIn(db, email);
      // The same answer, after the same work, whether the address exists or not.
      const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (user === undefined || !valid) {
        if (await recordSignInFailure(db, email, now())) {
          void flushMail();
          await checkSignInGate(db, email, now());
        }
        return undefined;
      }
      await clearSignInFailures(db, email);
      return user;
    };

    addRoute(app, signInRoute, async ({ body }) => {
      const user = await checkPassword(body.email, body.password);
      if (user === undefined || user.active !== 1) throw new HttpError(401, 'wrong-credentials', 'The email address or the password is wrong.');
      return { token: await createSession(db, user.id, now(), sessionPolicy) };
    });

    addRoute(app, changePasswordRoute, async ({ body }, request) => {
      const { actor } = request;
      const current = await findPasswordHash(db, actor.userId);
      if (current === undefined) throw new HttpError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
      // Wrong current passwords count like wrong sign-ins: a session left open is no way to guess it.
      if ((await checkPassword(current.email, body.currentPassword)) === undefined) {
        throw new HttpError(403, 'wrong-password', 'The current password is wrong.');
      }
      if (body.newPassword === body.currentPassword) throw new HttpError(409, 'same-password', 'The new password is the same as the current one. Choose another.');
      await setPasswordHash(db, actor.userId, await hashPassword(body.newPassword));
      // Anyone else signed in as this user (a stolen session too) is signed out; this session stays.
      await endUserSessions(db, actor.userId, request.headers.authorization);
    });

    addRoute(app, signOutRoute, async (_input, request) => {
      await endSession(db, request.headers.authorization);
    });

    addRoute(app, meRoute, async (_input, { actor }) => ({
      id: actor.userId,
      name: actor.name,
      email: actor.email,
      accountId: actor.accountId,
      role: actor.role,
      // Someone of no site: also what their connections' roles give (visibility rule 15; the hub still decides per study by its site).
      permissions: [...new Set([...actor.permissions, ...(actor.accountId === null ? await connectionPermissionsAnywhere(db, actor.userId) : [])])].sort(),
      // The site's policy for its desktops; someone outside any site has none (the desktop's own setting applies).
      lockMinutes: actor.accountId === null ? null : ((await siteLockMinutes(db, actor.accountId)) ?? null),
    }));

    addRoute(app, siteSettingsRoute, async ({ body }, { actor }) => {
      // Who manages the site's users decides how soon their desktops lock.
      requirePermission(actor, 'admin.users');
      const accountId = requireAccount(actor);
      return { lockMinutes: await setSiteLockMinutes(db, { accountId, minutes: body.lockMinutes, actorId: actor.userId, at: now() }) };
    });

    addRoute(app, listRolesRoute, async (_input, { actor }) => {
      requirePermission(actor, 'admin.roles');
      return { roles: await listRoles(db, requireAccount(actor)) };
    });

    addRoute(app, setRolePermissionsRoute, async ({ params, body }, { actor }) => {
      requirePermission(actor, 'admin.roles');
      const role = await findRole(db, requireAccount(actor), params.id);
      if (role === undefined) throw new HttpError(404, 'not-found', 'No such role in your site.');
      // An admin cannot lock everyone out: the Admin role keeps the permissions that manage roles and users.
      if (role.name === 'Admin' && !(body.permissions.includes('admin.roles') && body.permissions.includes('admin.users'))) {
        throw new HttpError(409, 'admin-lockout', 'The Admin role must keep “Manage roles” and “Manage users”.');
      }
      const unique = [...new Set(body.permissions)].sort();
      await setRolePermissions(db, role.id, unique);
      return { role: { id: role.id, name: role.name, permissions: unique } };
    });

    addRoute(app, listUsersRoute, async (_input, { actor }) => {
      requirePermission(actor, 'admin.users');
      return { users: await listUsers(db, requireAccount(actor)) };
    });

    addRoute(app, addUserRoute, async ({ body }, { actor }) => {
      requirePermission(actor, 'admin.users');
      const accountId = requireAccount(actor);
      const passwordHash = await hashPassword(body.password);
      const user = await db.transaction().execute((trx) => addUser(trx, accountId, { name: body.name, email: body.email, passwordHash, role: body.role }, now()));
      return { user };
    });

    /** A user of the admin's own site, or 404 (another site's users are nobody's business here). */
    const siteUser = async (actor: Parameters<typeof requireAccount>[0], userId: string) => {
      requirePermission(actor, 'admin.users');
      const user = await findSiteUser(db, requireAccount(actor), userId);
      if (user === undefined) throw new HttpError(404, 'not-found', 'No such user in your site.');
      return user;
    };

    addRoute(app, setUserActiveRoute, async ({ params, body }, { actor }) => {
      const user = await siteUser(actor, params.id);
      if (!body.active && user.id === actor.userId) throw new HttpError(409, 'self', 'You cannot deactivate yourself. Ask another administrator of your site.');
      await db.transaction().execute((trx) => setUserActive(trx, user.id, body.active));
      return { user: { ...user, active: body.active } };
    });

    addRoute(app, unlockUserRoute, async ({ params }, { actor }) => {
      const user = await siteUser(actor, params.id);
      await clearSignInFailures(db, user.email);
      return { user: { ...user, locked: false } };
    });

    addRoute(app, resetUserPasswordRoute, async ({ params }, { actor }) => {
      const user = await siteUser(actor, params.id);
      // Whoever holds a session as this user now loses it; the owner sets a new password by the mailed link.
      await endUserSessions(db, user.id);
      const sent = await requestPasswordReset(db, { email: user.email, at: now(), publicUrl });
      if (sent) void flushMail();
      return { sent };
    });
  };
