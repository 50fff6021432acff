/**
 * The hub's routes for making and managing guest links (the guest's own pages under /g/ are not
 * API: they are the guest viewer's). Declared once (see route.ts).
 */
import { z } from 'zod';
import { guestLinkOptionsSchema } from '../guest-link-options';
import { hubRoute } from './route';

const id = z.string().uuid();

export const createGuestLinkRoute = hubRoute({
  method: 'POST',
  path: '/api/guest-links',
  summary: 'Makes a guest link for up to 20 studies (studies.guest-links); the token is answered once, as a full address on the hub’s public URL.',
  status: 201,
  body: guestLinkOptionsSchema.extend({ studyIds: z.array(id).min(1).max(20) }).strict(),
  response: z.object({ id, token: z.string(), path: z.string(), url: z.string(), studies: z.number().int() }),
});

export const guestLinkViewSchema = z.object({
  id,
  state: z.enum(['active', 'expired', 'used-up', 'revoked', 'locked']),
  expiresAt: z.string(),
  uses: z.number().int(),
  maxUses: z.number().int().nullable(),
  protection: z.enum(['none', 'pin', 'birth-date']),
  allowDownload: z.boolean(),
  lastAccessAt: z.string().nullable(),
  note: z.string().nullable(),
});

export const studyGuestLinksRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/guest-links',
  summary: 'A study’s guest links with their state, uses and last access (studies.guest-links).',
  params: z.object({ studyId: id }).strict(),
  response: z.object({ links: z.array(guestLinkViewSchema) }),
});

export const revokeGuestLinkRoute = hubRoute({
  method: 'POST',
  path: '/api/guest-links/:id/revoke',
  summary: 'Withdraws a guest link of the caller’s site (studies.guest-links).',
  params: z.object({ id }).strict(),
  response: z.object({ state: z.literal('revoked') }),
});
