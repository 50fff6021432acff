/**
 * What a guest link can be made with: one schema for the renderer's call (which names local
 * studies) and the hub's route (which names hub studies), so both sides accept the same.
 */
import { z } from 'zod';

export const guestLinkOptionsSchema = z.object({
  expiresInHours: z.number().int().min(1).max(720).default(168),
  maxUses: z.number().int().min(1).max(1000).optional(),
  protection: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }).strict(),
    z.object({ kind: z.literal('pin'), pin: z.string().regex(/^\d{4,12}$/, '4 to 12 digits') }).strict(),
    z.object({ kind: z.literal('birth-date') }).strict(),
  ]),
  maxAttempts: z.number().int().min(1).max(10).default(5),
  allowDownload: z.boolean().default(false),
  includePriors: z.boolean().default(false),
  note: z.string().max(500).optional(),
});

/** The options as a caller gives them (defaults may be left out). */
export type GuestLinkOptions = z.input<typeof guestLinkOptionsSchema>;
