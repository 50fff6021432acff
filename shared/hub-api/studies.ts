/**
 * The hub's routes for studies: the lists (a worklist's, and every study the caller may see) with
 * the local worklist's search, filters, sort and paging; one study with who it is shared with and
 * its series; and the share targets a sharer may pick. Declared once (see route.ts).
 */
import { z } from 'zod';
import { studySummarySchema } from '../hub-contract';
import { hubRoute } from './route';
import { hubStudyPageSchema, hubStudyQuerySchema } from './worklists';

const id = z.string().uuid();

export const worklistStudiesRoute = hubRoute({
  method: 'GET',
  path: '/api/worklists/:id/studies',
  summary: 'A worklist’s studies as the caller may see them (members, and the site’s admins), searched, filtered, sorted and paged.',
  params: z.object({ id }).strict(),
  query: hubStudyQuerySchema,
  response: hubStudyPageSchema,
});

export const visibleStudiesRoute = hubRoute({
  method: 'GET',
  path: '/api/studies',
  summary: 'Every study the caller may see, searched, filtered, sorted and paged.',
  query: hubStudyQuerySchema,
  response: hubStudyPageSchema,
});

const sharedWith = z.object({
  id,
  target: z.object({ kind: z.enum(['location', 'group', 'personal', 'person']), name: z.string(), email: z.string().nullable(), site: z.string().nullable() }),
  sharedBy: z.object({ id, name: z.string() }),
  sharedAt: z.string(),
  external: z.boolean(),
  invitationPending: z.boolean(),
  removable: z.boolean(),
});

export const studyDetailsRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:id',
  summary: 'One study the caller may see: what they may do with it, who it is shared with (as far as they may know), its series on the hub. `view=opened` records a view.',
  params: z.object({ id }).strict(),
  query: z.object({ view: z.literal('opened').optional() }).strict(),
  response: z.object({
    study: z.object({ id, private: z.boolean(), summary: studySummarySchema, actions: z.array(z.string()) }),
    shares: z.array(sharedWith),
    series: z.array(
      z.object({ seriesInstanceUid: z.string().nullable(), modality: z.string().nullable(), seriesDescription: z.string().nullable(), seriesNumber: z.number().int().nullable(), instances: z.number().int() }),
    ),
  }),
});

export const shareTargetsRoute = hubRoute({
  method: 'GET',
  path: '/api/share-targets',
  summary: 'The locations, groups or people of the caller’s site they may share with, searched as they type; with `studyId`, only if they may share that study that way.',
  query: z
    .object({
      kind: z.enum(['location', 'group', 'user']),
      q: z.string().trim().max(200).default(''),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      studyId: id.optional(),
    })
    .strict(),
  response: z.object({ targets: z.array(z.object({ worklistId: id, name: z.string(), detail: z.string() })) }),
});
