/**
 * A site's organisation: its viewing policy and its departments (issue 13). Routes declared in
 * shared/hub-api/organisation.ts; the SQL is in server/policy/ and server/departments/. Every
 * route needs a site and admin.policy; each change is on the site's trail.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  addDepartmentMemberRoute,
  addDepartmentRoute,
  deleteDepartmentRoute,
  listDepartmentsRoute,
  removeDepartmentMemberRoute,
  renameDepartmentRoute,
  setSitePolicyRoute,
  sitePolicyRoute,
} from '../../shared/hub-api/organisation';
import type { HubContext } from '../app';
import { requireAccount, requirePermission, type Actor } from '../auth/sessions';
import { addDepartment, addDepartmentMember, deleteDepartment, listDepartments, removeDepartmentMember, renameDepartment } from '../departments/departments-repository';
import { addRoute } from '../http/hub-route';
import { policyChoices, setSitePolicy, sitePolicyOf } from '../policy/site-policy-repository';

export const organisationRoutes =
  ({ db, now }: HubContext): FastifyPluginAsync =>
  async (app) => {
    /** The caller's site, when they may set its policy and departments. */
    const admin = (actor: Actor) => {
      const accountId = requireAccount(actor);
      requirePermission(actor, 'admin.policy');
      return { accountId, actorId: actor.userId, at: now().toISOString() };
    };

    addRoute(app, sitePolicyRoute, async (_input, { actor }) => {
      const { accountId } = admin(actor);
      const [policy, choices] = await Promise.all([sitePolicyOf(db, accountId), policyChoices(db, accountId)]);
      return { policy, ...choices };
    });
    addRoute(app, setSitePolicyRoute, async ({ body }, { actor }) => {
      const who = admin(actor);
      return { policy: await setSitePolicy(db, who.accountId, who.actorId, body, who.at) };
    });

    addRoute(app, listDepartmentsRoute, async (_input, { actor }) => ({ departments: await listDepartments(db, admin(actor).accountId) }));
    addRoute(app, addDepartmentRoute, async ({ body }, { actor }) => ({ department: await addDepartment(db, admin(actor), body.name) }));
    addRoute(app, renameDepartmentRoute, async ({ params, body }, { actor }) => ({ department: await renameDepartment(db, admin(actor), params.id, body.name) }));
    addRoute(app, deleteDepartmentRoute, async ({ params }, { actor }) => {
      await deleteDepartment(db, admin(actor), params.id);
    });
    addRoute(app, addDepartmentMemberRoute, async ({ params, body }, { actor }) => ({ department: await addDepartmentMember(db, admin(actor), params.id, body.userId) }));
    addRoute(app, removeDepartmentMemberRoute, async ({ params }, { actor }) => ({ department: await removeDepartmentMember(db, admin(actor), params.id, params.userId) }));
  };
