/**
 * The hub's routes for access requests (issue 13): someone who reached a study they cannot see
 * (a link, a mention) asks for it; its uploader and its site's admins see the request and approve
 * (a direct share to the requester, removable like any other) or deny; the requester sees the
 * answer either way. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';

const id = z.string().uuid();
const request = z.object({
  id,
  studyId: id,
  /** How the study is named to this reader: its description and date for the approver; nothing more for the requester (they cannot see it). */
  study: z.string(),
  requester: z.object({ id, name: z.string(), email: z.string() }),
  message: z.string(),
  createdAt: z.string(),
  decision: z.enum(['approved', 'denied']).nullable(),
  decidedAt: z.string().nullable(),
});
export type AccessRequestView = z.output<typeof request>;

export const requestAccessRoute = hubRoute({
  method: 'POST',
  path: '/api/studies/:id/access-requests',
  summary: 'Asks the study’s uploader and site admins for access (any signed-in user who cannot see it).',
  status: 201,
  params: z.object({ id }).strict(),
  body: z.object({ message: z.string().trim().max(1000).default('') }).strict(),
  response: z.object({ request }),
});

export const accessRequestsRoute = hubRoute({
  method: 'GET',
  path: '/api/access-requests',
  summary: 'Requests the caller may answer (their uploads; every study of their site for its admins), and their own with the answers.',
  response: z.object({ incoming: z.array(request), mine: z.array(request) }),
});

export const decideAccessRequestRoute = hubRoute({
  method: 'POST',
  path: '/api/access-requests/:id/decision',
  summary: 'Approves (a direct share to the requester) or denies a request (the study’s uploader or its site’s admins).',
  params: z.object({ id }).strict(),
  body: z.object({ approve: z.boolean() }).strict(),
  response: z.object({ request }),
});
