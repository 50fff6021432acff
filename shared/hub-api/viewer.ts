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
    /** Seen de-identified (visibility rule 14): UIDs mapped, descriptions gone; fetch the bytes from `viewerInstanceRoute`. Absent from older hubs. */
    deidentified: z.boolean().default(false),
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

/**
 * One instance of a study for the viewer, by the SOP Instance UID its manifest gave: the file as
 * stored for whoever sees the study, or de-identified (dcmjs, PS3.15 basic profile; UIDs mapped as
 * in the manifest) for someone who sees it de-identified (visibility rule 14) — the only way such
 * a viewer gets its bytes (the files route answers them as for a study they do not see).
 */
export const viewerInstanceRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/viewer/instances/:sop',
  summary: 'One instance (application/dicom) of a study the caller sees, for the viewer: de-identified when the caller sees the study de-identified.',
  params: z.object({ studyId: z.string().uuid(), sop: z.string().min(1).max(64).regex(/^[0-9.]+$/) }).strict(),
});
