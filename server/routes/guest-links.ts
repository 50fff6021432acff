/**
 * Guest links: a site member creates a temporary link to one or more studies (optionally with a
 * PIN or the patient's date of birth as password, a use limit, download allowed or not), lists
 * a study's links with their state, and revokes them. The guest side opens a link: a wrong
 * password counts toward a lockout, and every access is recorded with time and address.
 *
 * The token (256 random bits) is returned once, at creation; only its SHA-256 is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { createGuestLinkRoute, revokeGuestLinkRoute, studyGuestLinksRoute } from '../../shared/hub-api/guest-links';
import { studyAccess } from '../../shared/permissions/visibility';
import { requirePublicUrl, type HubContext } from '../app';
import { studyFacts, studyFactsMany, viewerFacts } from '../access/access-facts';
import { guestLinkWarnings } from '../../shared/guest-link-warnings';
import { guestLinkById, guestLinksOfStudy, insertGuestLink, priorStudies, revokeGuestLink, studiesForLinks } from '../guest-links/guest-links-repository';
import { hashPassword, verifyPassword } from '../auth/password';
import type { BlobStore } from '../blobs/blob-store';
import { hashToken, requireAccount, requirePermission } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { guestLinkState, normaliseBirthDate } from '../guest-links/guest-link-rules';
import { studyZip } from '../guest-links/study-zip';
import { addRoute } from '../http/hub-route';
import { HttpError, parseInput } from '../http-error';
import { notify } from '../notifications/notify';

const openSchema = z.object({ password: z.string().max(64).optional() }).strict();


/** One sentence for every link that cannot be opened, whatever the reason: it names no study. */
const GONE: Record<string, string> = {
  unknown: 'This link does not exist. Check that it was copied whole, or ask for a new one.',
  expired: 'This link has expired. Ask the person who sent it for a new one.',
  revoked: 'This link was withdrawn by the site that created it.',
  'used-up': 'This link has been used as many times as it allows.',
  locked: 'This link is locked after too many wrong passwords. Ask the person who sent it for a new one.',
};

function address(request: FastifyRequest): string {
  return request.ip;
}

export const guestLinkRoutes =
  (context: HubContext & { readonly blobs: BlobStore }): FastifyPluginAsync =>
  async (app) => {
    const { db, now, blobs } = context;
    addRoute(app, createGuestLinkRoute, async ({ body: input }, { actor }) => {
      requirePermission(actor, 'studies.guest-links');
      const accountId = requireAccount(actor);
      // The link is handed out as a full address: refuse before anything is made if there is none.
      const publicUrl = requirePublicUrl(context);
      const studies = await studiesForLinks(db, input.studyIds);
      const viewer = await viewerFacts(db, actor);
      const facts = await studyFactsMany(db, studies);
      const access = new Map(studies.map((study) => [study.id, studyAccess(facts.get(study.id)!, viewer)]));
      if (studies.length !== new Set(input.studyIds).size || studies.some((s) => !access.get(s.id)!.actions.has('view'))) {
        throw new HttpError(403, 'forbidden', 'You may not create a guest link for one of these studies.');
      }
      // Visibility rule 7: a public link is the owning site's to make. A study that reached this
      // site by a share (code, worklist, person) may be read here, not published onwards.
      if (studies.some((s) => s.account_id !== accountId)) {
        throw new HttpError(403, 'not-owning-site', 'Only the site a study belongs to can make guest links to it. This study was shared with you by another site: ask them for a link, or share it with the person instead.');
      }
      if (studies.some((s) => !access.get(s.id)!.actions.has('guest-link'))) {
        throw new HttpError(403, 'forbidden', 'You may not create a guest link for one of these studies.');
      }
      // A link that allows downloading hands the files out for saving: the site's download policy (visibility rule 13).
      if (input.allowDownload && studies.some((s) => !access.get(s.id)!.actions.has('download'))) {
        throw new HttpError(403, 'no-download', 'Your site’s download policy does not let you download one of these studies, so its guest link cannot allow downloading. Make the link without downloading.');
      }
      const linked = [...studies];
      if (input.includePriors) {
        // The same patient's other studies in this site, those this user may link too.
        const patientIds = new Set(studies.map((s) => (JSON.parse(s.summary) as { patientId: string | null }).patientId).filter((id) => id !== null));
        const candidates = (await priorStudies(db, accountId, patientIds)).filter(
          (s) => !linked.some((study) => study.id === s.id) && patientIds.has((JSON.parse(s.summary) as { patientId: string | null }).patientId as string),
        );
        const candidateFacts = await studyFactsMany(db, candidates);
        for (const prior of candidates) {
          const priorAccess = studyAccess(candidateFacts.get(prior.id)!, viewer);
          if (priorAccess.actions.has('guest-link') && (!input.allowDownload || priorAccess.actions.has('download'))) linked.push(prior);
        }
      }
      let pinHash: string | null = null;
      if (input.protection.kind === 'pin') pinHash = await hashPassword(input.protection.pin);
      if (input.protection.kind === 'birth-date') {
        const births = new Set(studies.map((s) => (JSON.parse(s.summary) as { patientBirthDate: string | null }).patientBirthDate));
        const [birth] = births;
        if (births.size !== 1 || birth === null || birth === undefined) {
          throw new HttpError(400, 'no-birth-date', 'The date of birth can be the password only when every study has the same, known date of birth.');
        }
        pinHash = await hashPassword(birth.replaceAll('-', ''));
      }
      const token = randomBytes(32).toString('base64url');
      const id = randomUUID();
      const at = now();
      await insertGuestLink(db, {
        link: {
          id,
          token_hash: hashToken(token),
          // The owning site's link (every study in it is of the creator's own site, above).
          account_id: accountId,
          created_by: actor.userId,
          study_ids: JSON.stringify(linked.map((study) => study.id)),
          expires_at: new Date(at.getTime() + input.expiresInHours * 3_600_000).toISOString(),
          max_uses: input.maxUses ?? null,
          uses: 0,
          pin_kind: input.protection.kind,
          pin_hash: pinHash,
          max_attempts: input.maxAttempts,
          failed_attempts: 0,
          locked_at: null,
          allow_download: input.allowDownload ? 1 : 0,
          include_priors: input.includePriors ? 1 : 0,
          note: input.note ?? null,
          revoked_at: null,
          created_at: at.toISOString(),
          last_access_at: null,
        },
        studies: linked.map((study) => ({ id: study.id, accountId: study.account_id })),
        detail: { expiresInHours: input.expiresInHours, protection: input.protection.kind, allowDownload: input.allowDownload },
      });
      return { id, token, path: `/g/${token}`, url: `${publicUrl}/g/${token}`, studies: linked.length, warnings: [...guestLinkWarnings(input.protection.kind)] };
    });

    addRoute(app, studyGuestLinksRoute, async ({ params }, { actor }) => {
      // Sight of the study first (item 10: listing needs it), then rule 7: its own site manages
      // every link to it; anyone else with the permission sees only the links they made (made
      // before guest links were the owning site's alone), so they can still withdraw them.
      const [study] = await studiesForLinks(db, [params.studyId]);
      const viewer = await viewerFacts(db, actor);
      const access = study === undefined ? null : studyAccess(await studyFacts(db, study), viewer);
      if (access === null || !access.actions.has('view')) throw new HttpError(404, 'not-found', 'This study is not on the hub, or you cannot see it.');
      const manages = access.actions.has('guest-link.manage');
      if (!manages) requirePermission(actor, 'studies.guest-links');
      const links = await guestLinksOfStudy(db, params.studyId, manages ? null : actor.userId);
      return {
        links: links.map((link) => ({
          id: link.id,
          state: guestLinkState(link, now()),
          expiresAt: link.expires_at,
          uses: link.uses,
          maxUses: link.max_uses,
          protection: link.pin_kind,
          allowDownload: link.allow_download === 1,
          lastAccessAt: link.last_access_at,
          note: link.note,
        })),
      };
    });

    addRoute(app, revokeGuestLinkRoute, async ({ params }, { actor }) => {
      // Withdrawn by whoever manages a study it opens (its site, rule 7), or by the one who made
      // it while they still see one of its studies. To anyone else it does not exist.
      const link = await guestLinkById(db, params.id);
      const studies = link === undefined ? [] : await studiesForLinks(db, JSON.parse(link.study_ids) as string[]);
      const viewer = await viewerFacts(db, actor);
      const facts = await studyFactsMany(db, studies);
      const rights = studies.map((study) => studyAccess(facts.get(study.id)!, viewer).actions);
      const allowed = link !== undefined && (rights.some((actions) => actions.has('guest-link.manage')) || (link.created_by === actor.userId && rights.some((actions) => actions.has('view'))));
      if (link === undefined || !allowed) throw new HttpError(404, 'not-found', 'No such guest link, or it is not yours to withdraw.');
      if (link.revoked_at === null) await revokeGuestLink(db, link.id, studies, actor.userId, now().toISOString());
      return { state: 'revoked' as const };
    });

    /** The link and its study ids behind a guest's viewing session, or the reason there is none. */
    async function guestLink(request: FastifyRequest<{ Params: { token: string } }>) {
      const session = request.headers['x-guest-session'];
      const at = now();
      const link = await db.selectFrom('guest_links').selectAll().where('token_hash', '=', hashToken(request.params.token)).executeTakeFirst();
      if (link === undefined) throw new HttpError(404, 'unknown', GONE.unknown);
      const state = guestLinkState(link, at);
      if (state === 'revoked' || state === 'expired' || state === 'locked') throw new HttpError(410, state, GONE[state]);
      const found =
        typeof session === 'string'
          ? await db.selectFrom('guest_sessions').selectAll().where('token_hash', '=', hashToken(session)).where('link_id', '=', link.id).executeTakeFirst()
          : undefined;
      if (found === undefined || found.expires_at <= at.toISOString()) throw new HttpError(401, 'session-ended', 'Open the link again to continue.');
      return { link, studyIds: JSON.parse(link.study_ids) as string[] };
    }

    async function guestFile(request: FastifyRequest<{ Params: { token: string; studyId: string; sop: string } }>) {
      const { studyIds } = await guestLink(request);
      if (!studyIds.includes(request.params.studyId)) throw new HttpError(404, 'not-found', 'This image is not part of the link.');
      const file = await db.selectFrom('study_files').selectAll().where('study_id', '=', request.params.studyId).where('sop_instance_uid', '=', request.params.sop).executeTakeFirst();
      if (file === undefined) throw new HttpError(404, 'not-found', 'This image is not on the hub.');
      // The key in the blob store.
      return file.blob;
    }

    app.get<{ Params: { token: string } }>('/g/:token/api/series', async (request, reply) => {
      const { studyIds } = await guestLink(request);
      const files = await db
        .selectFrom('study_files')
        .select(['study_id', 'sop_instance_uid', 'series_uid', 'series_number', 'series_description', 'modality', 'instance_number'])
        .where('study_id', 'in', studyIds)
        .orderBy('study_id')
        .orderBy('series_number')
        .orderBy('instance_number')
        .execute();
      const series = new Map<string, { studyId: string; seriesUid: string; number: number | null; description: string | null; modality: string | null; instances: { sop: string; number: number | null }[] }>();
      for (const file of files) {
        const key = `${file.study_id}/${file.series_uid ?? ''}`;
        const entry = series.get(key) ?? { studyId: file.study_id, seriesUid: file.series_uid ?? '', number: file.series_number, description: file.series_description, modality: file.modality, instances: [] };
        entry.instances.push({ sop: file.sop_instance_uid, number: file.instance_number });
        series.set(key, entry);
      }
      return reply.header('cache-control', 'no-store').send({ series: [...series.values()] });
    });

    app.get<{ Params: { token: string; studyId: string; sop: string } }>('/g/:token/api/images/:studyId/:sop', async (request, reply) => {
      // The instance's file as stored, for the guest page's viewer (the app's Cornerstone3D, which
      // decodes every transfer syntax the app does); the link and session are checked as above.
      return reply.header('content-type', 'application/dicom').header('cache-control', 'no-store').send(await blobs.get(await guestFile(request)));
    });

    app.get<{ Params: { token: string } }>('/g/:token/api/download', async (request, reply) => {
      const { link, studyIds } = await guestLink(request);
      if (link.allow_download !== 1) throw new HttpError(403, 'no-download', 'This link does not allow downloading.');
      const files = await db.selectFrom('study_files').innerJoin('studies', 'studies.id', 'study_files.study_id').select(['studies.study_uid', 'study_files.blob', 'study_files.size', 'study_files.sop_instance_uid', 'study_files.series_number', 'study_files.instance_number']).where('study_files.study_id', 'in', studyIds).execute();
      await db.insertInto('guest_access').values({ link_id: link.id, at: now().toISOString(), address: address(request), event: 'downloaded' }).execute();
      const entries = files.map((file) => ({ name: `${file.study_uid}/${file.series_number ?? 0}-${file.instance_number ?? 0}-${file.sop_instance_uid}.dcm`, key: file.blob, size: file.size }));
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', 'attachment; filename="studies.zip"')
        .header('cache-control', 'no-store')
        .send(studyZip(blobs, entries, now()));
    });

    /** The guest opens a link (with its password, if it has one). */
    app.post<{ Params: { token: string } }>('/g/:token/open', async (request, reply) => {
      const { password } = parseInput(openSchema, request.body);
      const at = now();
      const result = await db.transaction().execute(async (trx: Transaction<HubDatabase>) => {
        const link = await trx.selectFrom('guest_links').selectAll().where('token_hash', '=', hashToken(request.params.token)).executeTakeFirst();
        if (link === undefined) return { status: 404, body: { error: { code: 'unknown', message: GONE.unknown } } };
        const log = (event: string) => trx.insertInto('guest_access').values({ link_id: link.id, at: at.toISOString(), address: address(request), event }).execute();
        const state = guestLinkState(link, at);
        if (state !== 'active') {
          await log(`refused:${state}`);
          return { status: state === 'locked' ? 423 : 410, body: { error: { code: state, message: GONE[state] } } };
        }
        if (link.pin_kind !== 'none') {
          if (password === undefined || password === '') return { status: 401, body: { error: { code: 'password-required', message: link.pin_kind === 'pin' ? 'Enter the PIN you were given.' : 'Enter the patient’s date of birth.' }, protection: link.pin_kind } };
          const typed = link.pin_kind === 'birth-date' ? normaliseBirthDate(password) : password.trim();
          const valid = typed !== null && (await verifyPassword(typed, link.pin_hash ?? ''));
          if (!valid) {
            // Counted in the database in one statement, never read-then-write: wrong PINs sent to
            // several hub processes at once must all count, and lock the link at the maximum.
            // (The row is locked by the UPDATE; a concurrent one waits and then sees this count.)
            const counted = await trx
              .updateTable('guest_links')
              .set((eb) => ({
                failed_attempts: eb('failed_attempts', '+', 1),
                locked_at: eb.case().when(eb('failed_attempts', '+', 1), '>=', eb.ref('max_attempts')).then(at.toISOString()).else(null).end(),
              }))
              .where('id', '=', link.id)
              .where('locked_at', 'is', null)
              .returning(['failed_attempts', 'max_attempts', 'locked_at'])
              .executeTakeFirst();
            const locked = counted === undefined || counted.locked_at !== null;
            await log(locked ? 'password-wrong:locked' : 'password-wrong');
            if (locked) return { status: 423, body: { error: { code: 'locked', message: GONE.locked } } };
            const left = counted.max_attempts - counted.failed_attempts;
            return { status: 401, body: { error: { code: 'password-wrong', message: `That is not right. ${left} attempts left.` }, attemptsLeft: left, protection: link.pin_kind } };
          }
        }
        // Counted in the database too (several hub processes), and only while uses are left and
        // the link is not locked meanwhile: the UPDATE's WHERE is checked against the current row.
        // The right password does not reset the wrong ones: failures count over the link's whole
        // life, or anyone could guess four times, open once with a PIN they learned, and go on.
        // (Four wrong and one right, repeated, gave twelve guesses and no lock.)
        const opened = await trx
          .updateTable('guest_links')
          .set((eb) => ({ uses: eb('uses', '+', 1), last_access_at: at.toISOString() }))
          .where('id', '=', link.id)
          .where('locked_at', 'is', null)
          .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
          .returning('uses')
          .executeTakeFirst();
        if (opened === undefined) {
          const current = await trx.selectFrom('guest_links').selectAll().where('id', '=', link.id).executeTakeFirstOrThrow();
          const state = guestLinkState(current, at);
          const gone = state === 'active' ? 'used-up' : state;
          await log(`refused:${gone}`);
          return { status: gone === 'locked' ? 423 : 410, body: { error: { code: gone, message: GONE[gone] } } };
        }
        await log('opened');
        // Issue 16: the link's maker is told (the first study named; the guest is nobody signed in).
        await notify(trx, [{ userId: link.created_by, kind: 'guest-link.opened', actorId: null, ...((JSON.parse(link.study_ids) as string[])[0] === undefined ? {} : { studyId: (JSON.parse(link.study_ids) as string[])[0] }) }], at.toISOString());
        // A viewing session for this page: its token (hashed here) lasts 12 hours at most.
        const session = randomBytes(32).toString('base64url');
        const sessionEnds = new Date(Math.min(Date.parse(link.expires_at), at.getTime() + 12 * 3_600_000)).toISOString();
        await trx.insertInto('guest_sessions').values({ token_hash: hashToken(session), link_id: link.id, expires_at: sessionEnds }).execute();
        const studies = await trx.selectFrom('studies').select(['id', 'summary']).where('id', 'in', JSON.parse(link.study_ids) as string[]).execute();
        return {
          status: 200,
          body: {
            session,
            studies: studies.map((s) => ({ studyId: s.id, summary: JSON.parse(s.summary) as unknown })),
            allowDownload: link.allow_download === 1,
            note: link.note,
          },
        };
      });
      return reply.status(result.status).header('cache-control', 'no-store').send(result.body);
    });
  };
