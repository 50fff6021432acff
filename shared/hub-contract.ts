/**
 * The desktop ↔ hub contract for sync: the operations a sync client sends from its outbox
 * (validated by the hub with these schemas) and what the hub answers for each. Each operation
 * carries an id the client chose, so sending it twice applies it once.
 */
import { z } from 'zod';

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
  z.object({ id, kind: z.literal('share.create'), shareId: id, study: studyRef, target: shareTargetSchema }).strict(),
  z.object({ id, kind: z.literal('share.remove'), shareId: id }).strict(),
  z.object({ id, kind: z.literal('study.private'), study: studyRef, private: z.boolean() }).strict(),
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
  }),
  z.object({ studyId: z.string(), visible: z.literal(false) }),
]);
export const hubChangePageSchema = z.object({ changes: z.array(hubChangeSchema), cursor: z.number().int(), more: z.boolean() });
export type HubChange = z.output<typeof hubChangeSchema>;
export type HubStudyChange = Extract<HubChange, { visible: true }>;
export type HubChangePage = z.output<typeof hubChangePageSchema>;
