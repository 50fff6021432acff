/**
 * `GET /api/studies/:studyId/download` (shared/hub-api/study-download.ts): a study's files as a
 * zip (yazl, through server/guest-links/study-zip.ts as the guest page's download), for someone
 * visibility lets download it (rule 13: the study's site's download policy, its admins always).
 * Seeing is checked first and answers 404 like every study route, so that an outsider learns
 * nothing; seeing without the right to download answers 403 with why. A member who sees the
 * study only through collections also needs a collection's `download` right (KHEOPS's album
 * flag). Each download is on the study's trail.
 */
import type { FastifyPluginAsync } from 'fastify';
import { downloadStudyRoute } from '../../shared/hub-api/study-download';
import { COLLECTION_RIGHTS, effectiveRights } from '../../shared/permissions/collections';
import { studyAccess } from '../../shared/permissions/visibility';
import { studyFacts, viewerFacts } from '../access/access-facts';
import type { HubContext } from '../app';
import { recordAudit } from '../audit/audit-trail';
import type { BlobStore } from '../blobs/blob-store';
import { studyZip } from '../guest-links/study-zip';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';

export const studyDownloadRoutes =
  ({ db, now, blobs }: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    addRoute(app, downloadStudyRoute, async ({ params }, { actor }, reply) => {
      const study = await db.selectFrom('studies').select(['id', 'account_id', 'uploader_id', 'private', 'study_uid']).where('id', '=', params.studyId).executeTakeFirst();
      const viewer = await viewerFacts(db, actor);
      const facts = study === undefined ? null : await studyFacts(db, study);
      const access = study === undefined || facts === null ? null : studyAccess(facts, viewer);
      if (study === undefined || access === null || !access.actions.has('view')) throw new HttpError(404, 'study-not-found', 'This study is not on the hub, or you cannot see it.');
      if (!access.actions.has('download')) throw new HttpError(403, 'no-download', 'Your site’s download policy does not let you download this study. You can still view it.');
      if (access.reason === 'collection') {
        // Seen only through collections: one of them must give its member the download right.
        const rights = await db
          .selectFrom('collection_members as m')
          .select('m.rights')
          .where('m.collection_id', 'in', [...viewer.collectionIds].filter((id) => facts!.collectionIds.includes(id)))
          .where((eb) => eb.or([eb.and([eb('m.member_kind', '=', 'user'), eb('m.member_id', '=', actor.userId)]), eb.and([eb('m.member_kind', '=', 'group'), eb('m.member_id', 'in', [...viewer.groupIds, ''])])]))
          .execute();
        const grants = rights.map((row) => {
          const value: unknown = JSON.parse(row.rights);
          return Array.isArray(value) ? COLLECTION_RIGHTS.filter((right) => value.includes(right)) : [];
        });
        if (!effectiveRights(grants).has('download')) {
          throw new HttpError(403, 'no-download', 'Your rights in the collection that shows you this study do not include downloading. Ask its manager.');
        }
      }
      const files = await db.selectFrom('study_files').select(['blob', 'size', 'sop_instance_uid', 'series_number', 'instance_number']).where('study_id', '=', study.id).execute();
      if (files.length === 0) throw new HttpError(404, 'no-files', 'None of this study’s images are on the hub yet.');
      const at = now();
      await recordAudit(db, { at: at.toISOString(), accountId: study.account_id, studyId: study.id, trail: 'study', actorId: actor.userId, action: 'study.download', detail: { files: files.length } });
      const entries = files.map((file) => ({ name: `${study.study_uid}/${file.series_number ?? 0}-${file.instance_number ?? 0}-${file.sop_instance_uid}.dcm`, key: file.blob, size: file.size }));
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', 'attachment; filename="study.zip"')
        .header('cache-control', 'no-store')
        .send(studyZip(blobs, entries, at));
    });
  };
