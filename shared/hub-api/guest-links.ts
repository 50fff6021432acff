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
  summary: 'Makes a guest link for up to 20 studies of the caller’s own site (studies.guest-links; a study shared in from another site is refused, not-owning-site); the token is answered once, as a full address on the hub’s public URL, with any warnings about its protection.',
  status: 201,
  body: guestLinkOptionsSchema.extend({ studyIds: z.array(id).min(1).max(20) }).strict(),
  // Warnings are sentences for the person who made the link (shared/guest-link-warnings.ts): a
  // date of birth as the only secret is made, and said to be weak. Defaulted, so a desktop reads
  // the answer of a hub from before warnings.
  response: z.object({ id, token: z.string(), path: z.string(), url: z.string(), studies: z.number().int(), warnings: z.array(z.string()).default([]) }),
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
  summary: 'A study’s guest links with their state, uses and last access: for the study’s own site (studies.guest-links, or its admins) every link to it; for anyone else who sees it, the links they made.',
  params: z.object({ studyId: id }).strict(),
  response: z.object({ links: z.array(guestLinkViewSchema) }),
});

export const revokeGuestLinkRoute = hubRoute({
  method: 'POST',
  path: '/api/guest-links/:id/revoke',
  summary: 'Withdraws a guest link: by the site of a study it opens (studies.guest-links, or its admins), or by whoever made it while they see the study.',
  params: z.object({ id }).strict(),
  response: z.object({ state: z.literal('revoked') }),
});
