/**
 * Sites, users and sessions: the first-run setup of a site and its admin, signing in and out,
 * who am I, and user management for admins. Each route is declared in shared/hub-api/accounts.ts;
 * the SQL is in server/accounts/accounts-repository.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { addUserRoute, listRolesRoute, listUsersRoute, meRoute, setRolePermissionsRoute, setupRoute, signInRoute, signOutRoute } from '../../shared/hub-api/accounts';
import { addUser, createAccount, findRole, findUserForSignIn, hasAnySite, listRoles, listUsers, setRolePermissions } from '../accounts/accounts-repository';
import type { HubContext } from '../app';
import { hashPassword, verifyPassword } from '../auth/password';
import { createSession, endSession, requireAccount, requirePermission, sameSecret } from '../auth/sessions';
import { normalizeSetupCode } from '../config/setup-code';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

/** Checked against when the address is unknown, so that sign-in takes as long either way. */
const DUMMY_HASH = 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export const accountRoutes =
  ({ db, now, setupToken }: HubContext): FastifyPluginAsync =>
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
      return { ...result, token: await createSession(db, result.user.id, now()) };
    });

    addRoute(app, signInRoute, async ({ body }) => {
      const user = await findUserForSignIn(db, body.email);
      // The same answer, after the same work, whether the address exists or not.
      const valid = await verifyPassword(body.password, user?.password_hash ?? DUMMY_HASH);
      if (user === undefined || !valid || user.active !== 1) throw new HttpError(401, 'wrong-credentials', 'The email address or the password is wrong.');
      return { token: await createSession(db, user.id, now()) };
    });

    addRoute(app, signOutRoute, async (_input, request) => {
      await endSession(db, request.headers.authorization);
    });

    addRoute(app, meRoute, (_input, { actor }) => ({
      id: actor.userId,
      name: actor.name,
      email: actor.email,
      accountId: actor.accountId,
      role: actor.role,
      permissions: [...actor.permissions].sort(),
    }));

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
  };
