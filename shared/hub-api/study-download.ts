/**
 * Downloading a study from the hub (issue 13, part 2): its files as one zip, for saving. Needs
 * visibility's `download` action (the study's site's download policy, rule 13), unlike the
 * per-instance files route the viewer reads, which is viewing. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';

export const downloadStudyRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:studyId/download',
  summary: 'The study’s files as a zip (application/zip), for someone its site’s download policy lets download it.',
  params: z.object({ studyId: z.string().uuid() }).strict(),
});
