/**
 * The desktop ↔ hub contract for sync: the operations a sync client sends from its outbox
 * (validated by the hub with these schemas) and what the hub answers for each. Each operation
 * carries an id the client chose, so sending it twice applies it once.
 */
import { z } from 'zod';
import { commentTextSchema, mentionIdsSchema, viewerAnchorSchema } from './comments/comment-schemas';

const uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/).max(64);
const id = z.string().uuid();
export const studySummarySchema = z
  .object({
    studyInstanceUid: uid,
    patientName: z.string().max(400).nullable(),
    patientId: z.string().max(200).nullable(),
    patientBirthDate: z.string().max(10).nullable(),
    studyDate: z.string().max(10).nullable(),
    studyTime: z.string().max(16).nullable(),
    patientSex: z.string().max(16).nullable(),
    accessionNumber: z.string().max(200).nullable(),
    studyDescription: z.string().max(400).nullable(),
    referringPhysicianName: z.string().max(400).nullable(),
    readingPhysicianNames: z.string().max(1000).nullable().optional(),
    institutionName: z.string().max(400).nullable(),
    modalities: z.array(z.string().max(16)).max(32).readonly(),
    seriesCount: z.number().int().min(0),
    instanceCount: z.number().int().min(0),
  })
  .strict();

const email = z.string().trim().toLowerCase().email('an email address').max(254);

/** Where a share goes: a worklist (location, group, personal, or any by share code), a person, or an address. */
export const shareTargetSchema = z.union([z.object({ worklistId: id }).strict(), z.object({ userId: id }).strict(), z.object({ email }).strict()]);
export type ShareTarget = z.output<typeof shareTargetSchema>;

/**
 * The study an operation is about: its hub id, or its StudyInstanceUID in the sender's site —
 * so that a share queued offline can follow the publish of the same study in the outbox.
 */
const studyRef = z.union([z.object({ id }).strict(), z.object({ uid }).strict()]);

export const operationSchema = z.discriminatedUnion('kind', [
  z.object({ id, kind: z.literal('study.publish'), study: studySummarySchema, private: z.boolean().default(false) }).strict(),
  // `forPhysicianId`: a case manager's chosen doctor, recorded as on whose behalf (server/physicians/acting-for.ts).
  z.object({ id, kind: z.literal('share.create'), shareId: id, study: studyRef, target: shareTargetSchema, forPhysicianId: id.optional() }).strict(),
  z.object({ id, kind: z.literal('share.remove'), shareId: id, forPhysicianId: id.optional() }).strict(),
  z.object({ id, kind: z.literal('study.private'), study: studyRef, private: z.boolean(), forPhysicianId: id.optional() }).strict(),
  /**
   * A study put into a collection (issue 13) by reference, whole or only some of its series
   * (`seriesUids`); a second add of the same study replaces the series chosen. Refused when the
   * collection was deleted meanwhile, the sender may not add to it, or the study is private and
   * not theirs.
   */
  z.object({ id, kind: z.literal('collection.add'), collectionId: id, study: studyRef, seriesUids: z.array(uid).min(1).max(500).nullable().default(null) }).strict(),
  /** A study taken out of a collection: no share is touched. */
  z.object({ id, kind: z.literal('collection.remove'), collectionId: id, study: studyRef }).strict(),
  /**
   * A physician of the study's site put on a study by hand, as *associated* (issue 14: Actions →
   * Add physician…), and such a link taken off again (only `associated`: DICOM and share links
   * follow the files and the shares). `forPhysicianId`: the doctor a case manager acts for.
   */
  z.object({ id, kind: z.literal('physician.link'), study: studyRef, physicianId: id, forPhysicianId: id.optional() }).strict(),
  z.object({ id, kind: z.literal('physician.unlink'), study: studyRef, physicianId: id, forPhysicianId: id.optional() }).strict(),
  /**
   * A comment on a study (issue 16), anchored to the study or a place in it (series, image, frame
   * with the viewport), possibly a reply in a thread, naming the people it mentions (each must see
   * the study: a share queued before it in the outbox gives them sight). Edits keep the history;
   * a delete keeps the comment's place in its thread without its text.
   */
  z
    .object({
      id,
      kind: z.literal('comment.add'),
      commentId: id,
      study: studyRef,
      text: commentTextSchema,
      anchor: viewerAnchorSchema.nullable().default(null),
      replyTo: id.nullable().default(null),
      mentions: mentionIdsSchema,
    })
    .strict(),
  z.object({ id, kind: z.literal('comment.edit'), commentId: id, text: commentTextSchema, mentions: mentionIdsSchema }).strict(),
  z.object({ id, kind: z.literal('comment.delete'), commentId: id }).strict(),
  /**
   * The person dropped a queued change or file on their desktop (Sync panel → Discard): it never
   * reaches the hub, so the hub records that it was dropped, on the study's trail when it was
   * about a study the person can see, else on their site's. `what` is the operation's kind or the
   * file's SOP Instance UID (no patient data).
   */
  z
    .object({
      id,
      kind: z.literal('sync.discard'),
      discarded: z.object({ kind: z.enum(['operation', 'file']), what: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/), study: studyRef.optional() }).strict(),
    })
    .strict(),
  /**
   * A study (or some of its series) sent from a desktop to a DICOM node (a PACS, issue 17): the
   * hub records it on the study's trail when the sender can see the study, else on their site's.
   * Sent through the outbox after the send ended, so a send made with the hub away is recorded
   * when it is back; `sentAt` says when it happened. The node is named by AE title and address,
   * no patient data.
   */
  z
    .object({
      id,
      kind: z.literal('study.dicom-send'),
      study: studyRef,
      node: z.object({ aeTitle: z.string().min(1).max(16).regex(/^[\x20-\x5b\x5d-\x7e]+$/), host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) }).strict(),
      instances: z.number().int().min(0),
      sent: z.number().int().min(0),
      failed: z.number().int().min(0),
      outcome: z.enum(['done', 'failed', 'cancelled']),
      sentAt: z.string().datetime(),
    })
    .strict(),
]);
export type Operation = z.output<typeof operationSchema>;

export type OperationResult =
  | { readonly id: string; readonly status: 'applied'; readonly value: Record<string, unknown> }
  | { readonly id: string; readonly status: 'rejected'; readonly error: { readonly code: string; readonly message: string } };


/** A study as the change feed gives it: what the user may see of it now, or that they no longer may. */
export const hubChangeSchema = z.union([
  z.object({
    studyId: z.string(),
    visible: z.literal(true),
    private: z.boolean(),
    summary: studySummarySchema,
    actions: z.array(z.string()),
    shares: z.array(z.object({ id: z.string(), target: z.unknown(), sharedBy: z.string(), removable: z.boolean() })),
    /** Its comments' count and revision (issue 16): a desktop whose copy has another revision reads them again. Absent from hubs before comments. */
    comments: z.object({ count: z.number().int(), revision: z.number().int() }).optional(),
  }),
  z.object({ studyId: z.string(), visible: z.literal(false) }),
]);
export const hubChangePageSchema = z.object({
  changes: z.array(hubChangeSchema),
  cursor: z.number().int(),
  more: z.boolean(),
  /**
   * The reader's site's policy generation (hub migration 0260): a desktop that sees it change reads
   * its whole hub cache again, since a policy change takes studies away without changing them.
   * Absent from hubs older than it.
   */
  policyGeneration: z.number().int().nonnegative().optional(),
});
export type HubChange = z.output<typeof hubChangeSchema>;
export type HubStudyChange = Extract<HubChange, { visible: true }>;
export type HubChangePage = z.output<typeof hubChangePageSchema>;
