/**
 * The hub's route for the viewer: a study's instances that are on the hub, placed in their
 * series (from each file's own header, read at upload), for a desktop that opens a study it does
 * not hold locally. The bytes come from the files route (`GET /api/studies/:studyId/files/:sop`),
 * one instance at a time, under the same visibility check.
 */
import { z } from 'zod';
import { hubRoute } from './route';

export const viewerManifestRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/viewer',
  summary: 'The instances of a study the caller may see that are on the hub, by series (number, description, modality) and instance number, for the viewer.',
  params: z.object({ studyId: z.string().uuid() }).strict(),
  response: z.object({
    series: z.array(
      z.object({
        seriesInstanceUid: z.string(),
        seriesNumber: z.number().int().nullable(),
        description: z.string().nullable(),
        modality: z.string().nullable(),
        instances: z.array(z.object({ sopInstanceUid: z.string(), instanceNumber: z.number().int().nullable(), size: z.number().int() })),
      }),
    ),
  }),
});
