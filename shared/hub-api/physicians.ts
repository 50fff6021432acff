/**
 * The hub's routes for a site's physician directory, the studies physicians are on, and who acts
 * for them (issue 14, parts 1 and 2). Directory and delegation routes need admin.users; "My cases"
 * and the case manager's doctors need only a session. Declared once (see route.ts).
 */
import { z } from 'zod';
import { hubRoute } from './route';
import { hubStudyPageSchema, hubStudyQuerySchema } from './worklists';

const id = z.string().uuid();
const text = (max: number) => z.string().trim().max(max);

export const PHYSICIAN_RELATIONS = ['referring', 'reading', 'associated'] as const;
export type PhysicianRelation = (typeof PHYSICIAN_RELATIONS)[number];
export const RELATION_LABELS: Readonly<Record<PhysicianRelation, string>> = { referring: 'Referred by', reading: 'Reading', associated: 'Associated' };

export const DELEGATE_KINDS = ['case-manager', 'external'] as const;
export type DelegateKind = (typeof DELEGATE_KINDS)[number];

export const physicianViewSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  familyName: z.string(),
  givenNames: z.string(),
  aliases: z.array(z.string()),
  identifier: z.string().nullable(),
  specialty: z.string().nullable(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  active: z.boolean(),
});
export type PhysicianView = z.output<typeof physicianViewSchema>;

/** What an admin types into the directory form. */
export const physicianInputSchema = z
  .object({
    displayName: text(200).min(1, 'a name'),
    familyName: text(120).min(1, 'a family name'),
    givenNames: text(200).default(''),
    aliases: z.array(text(400).min(1)).max(20).default([]),
    identifier: text(60).nullable().default(null),
    specialty: text(120).nullable().default(null),
    userId: id.nullable().default(null),
    active: z.boolean().default(true),
  })
  .strict();
export type PhysicianInput = z.output<typeof physicianInputSchema>;

export const listPhysiciansRoute = hubRoute({
  method: 'GET',
  path: '/api/physicians',
  summary: 'The site’s physician directory, optionally by surname prefix (admin.users).',
  query: z.object({ surname: text(120).optional(), includeInactive: z.enum(['0', '1']).optional() }).strict(),
  response: z.object({ physicians: z.array(physicianViewSchema) }),
});

export const createPhysicianRoute = hubRoute({
  method: 'POST',
  path: '/api/physicians',
  summary: 'Adds a physician to the directory; existing studies with a matching DICOM name are linked in the background (admin.users).',
  status: 201,
  body: physicianInputSchema,
  response: z.object({ physician: physicianViewSchema }),
});

export const updatePhysicianRoute = hubRoute({
  method: 'PUT',
  path: '/api/physicians/:id',
  summary: 'Changes a physician (names, aliases, identifier, specialty, linked user, active); relinks in the background (admin.users).',
  params: z.object({ id }).strict(),
  body: physicianInputSchema,
  response: z.object({ physician: physicianViewSchema }),
});

const matchReviewSchema = z.object({
  id: z.string(),
  studyId: z.string(),
  /** How the admin knows the study: description · date · accession (no patient name in a queue). */
  study: z.string(),
  relation: z.enum(['referring', 'reading']),
  dicomName: z.string(),
  candidates: z.array(z.object({ id: z.string(), displayName: z.string() })),
  createdAt: z.string(),
});
export type MatchReviewView = z.output<typeof matchReviewSchema>;

export const listMatchReviewsRoute = hubRoute({
  method: 'GET',
  path: '/api/physicians/reviews',
  summary: 'DICOM names that matched several physicians, waiting for an admin (admin.users).',
  response: z.object({ reviews: z.array(matchReviewSchema) }),
});

export const resolveMatchReviewRoute = hubRoute({
  method: 'POST',
  path: '/api/physicians/reviews/:id',
  summary: 'Confirms which physician (or none) a DICOM name was (admin.users).',
  params: z.object({ id }).strict(),
  body: z.object({ physicianId: id.nullable() }).strict(),
  status: 204,
});

const delegationSchema = z.object({
  physicianId: z.string(),
  displayName: z.string(),
  kind: z.enum(DELEGATE_KINDS),
  active: z.boolean(),
});
export type DelegationView = z.output<typeof delegationSchema>;

export const actsForRoute = hubRoute({
  method: 'GET',
  path: '/api/users/:id/acts-for',
  summary: 'The physicians a user of the site acts for (admin.users).',
  params: z.object({ id }).strict(),
  response: z.object({ physicians: z.array(delegationSchema) }),
});

export const setActsForRoute = hubRoute({
  method: 'PUT',
  path: '/api/users/:id/acts-for',
  summary: 'Replaces the physicians a user of the site acts for as case manager; audited (admin.users).',
  params: z.object({ id }).strict(),
  body: z.object({ physicianIds: z.array(id).max(500) }).strict(),
  response: z.object({ physicians: z.array(delegationSchema) }),
});

export const myPhysiciansRoute = hubRoute({
  method: 'GET',
  path: '/api/me/physicians',
  summary: 'Who the caller is in the directory (if a physician) and the active physicians they act for: the worklist’s doctor picker.',
  response: z.object({ self: physicianViewSchema.nullable(), actsFor: z.array(delegationSchema) }),
});

export const addStudyPhysicianRoute = hubRoute({
  method: 'POST',
  path: '/api/studies/:id/physicians',
  summary: 'Adds a physician to a study as associated (Actions → Add physician…); needs seeing the study and studies.share.',
  params: z.object({ id }).strict(),
  body: z.object({ physicianId: id, forPhysicianId: id.nullable().default(null) }).strict(),
  status: 204,
});

/** What someone adding a physician to a study sees of the directory: enough to choose, no more. */
const directoryEntrySchema = z.object({ id: z.string(), displayName: z.string(), specialty: z.string().nullable() });
export type DirectoryEntryView = z.output<typeof directoryEntrySchema>;

export const physicianDirectoryRoute = hubRoute({
  method: 'GET',
  path: '/api/physicians/directory',
  summary: 'Active physicians of the caller’s own site by surname prefix (at most 20), for Add physician…; needs studies.share.',
  query: z.object({ surname: text(120).optional() }).strict(),
  response: z.object({ physicians: z.array(directoryEntrySchema) }),
});

const studyPhysicianSchema = z.object({ id: z.string(), displayName: z.string(), relation: z.enum(PHYSICIAN_RELATIONS), source: z.enum(['dicom', 'share', 'manual']) });
export type StudyPhysicianView = z.output<typeof studyPhysicianSchema>;

export const studyPhysiciansRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:id/physicians',
  summary: 'The physicians a study is on, with their relation (needs seeing the study).',
  params: z.object({ id }).strict(),
  response: z.object({ physicians: z.array(studyPhysicianSchema) }),
});

/**
 * "My cases" and the case manager's worklist: the studies the caller's physicians are on — their
 * own directory entry and the active physicians they act for — or only `physician`'s (the picker's
 * one doctor). Each row says which of those physicians it is on and how (Relation and Doctor columns).
 */
export const casesRoute = hubRoute({
  method: 'GET',
  path: '/api/physicians/cases',
  summary: 'The studies the caller’s physicians (their own entry, those they act for) are on, or one doctor’s; with the relation and the doctor per study.',
  query: hubStudyQuerySchema.extend({ physician: id.optional() }).strict(),
  response: hubStudyPageSchema.extend({
    links: z.record(z.string(), z.array(z.object({ physicianId: z.string(), displayName: z.string(), relation: z.enum(PHYSICIAN_RELATIONS) }))),
  }),
});
export type CasesPage = z.output<(typeof casesRoute)['response']>;
