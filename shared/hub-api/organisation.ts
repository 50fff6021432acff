/**
 * The hub's routes for a site's organisation (issue 13): its viewing policy (who sees what beyond
 * what reaches them, shared/permissions/site-policy.ts) and its departments (groups flagged as
 * departments, whose members see each other's studies under the department policy). All need
 * admin.policy. Declared once (see route.ts).
 */
import { z } from 'zod';
import { sitePolicySchema } from '../permissions/site-policy';
import { hubRoute } from './route';

const id = z.string().uuid();
const name = z.string().trim().min(1, 'a name').max(200);
const person = z.object({ id, name: z.string() });

export const sitePolicyRoute = hubRoute({
  method: 'GET',
  path: '/api/site/policy',
  summary: 'The site’s viewing policy, with the site’s people and roles to choose whole-site access from (admin.policy).',
  response: z.object({ policy: sitePolicySchema, people: z.array(person), roles: z.array(z.object({ id: z.string(), name: z.string() })) }),
});

export const setSitePolicyRoute = hubRoute({
  method: 'PUT',
  path: '/api/site/policy',
  summary: 'Sets the site’s viewing policy; it applies from the next request; the site’s trail records from → to (admin.policy).',
  body: sitePolicySchema,
  response: z.object({ policy: sitePolicySchema }),
});

const department = z.object({ id, name: z.string(), members: z.array(person) });
export type DepartmentView = z.output<typeof department>;

export const listDepartmentsRoute = hubRoute({
  method: 'GET',
  path: '/api/departments',
  summary: 'The site’s departments with their members (admin.policy).',
  response: z.object({ departments: z.array(department) }),
});

export const addDepartmentRoute = hubRoute({
  method: 'POST',
  path: '/api/departments',
  summary: 'Adds a department (a group flagged as one, with its worklist) (admin.policy).',
  status: 201,
  body: z.object({ name }).strict(),
  response: z.object({ department }),
});

export const renameDepartmentRoute = hubRoute({
  method: 'PUT',
  path: '/api/departments/:id',
  summary: 'Renames a department (admin.policy).',
  params: z.object({ id }).strict(),
  body: z.object({ name }).strict(),
  response: z.object({ department }),
});

export const deleteDepartmentRoute = hubRoute({
  method: 'DELETE',
  path: '/api/departments/:id',
  summary: 'Deletes a department; refused while studies shared to its worklist or a collection would be lost (admin.policy).',
  status: 204,
  params: z.object({ id }).strict(),
});

export const addDepartmentMemberRoute = hubRoute({
  method: 'POST',
  path: '/api/departments/:id/members',
  summary: 'Adds a user of the site to a department (admin.policy).',
  params: z.object({ id }).strict(),
  body: z.object({ userId: id }).strict(),
  response: z.object({ department }),
});

export const removeDepartmentMemberRoute = hubRoute({
  method: 'DELETE',
  path: '/api/departments/:id/members/:userId',
  summary: 'Removes a member from a department: what they saw through it is gone at their next request (admin.policy).',
  params: z.object({ id, userId: id }).strict(),
  response: z.object({ department }),
});
