/**
 * The hub's routes for reading the audit trail (audit.view, own site): the site's trail with
 * filters, as JSON pages or as CSV; one study's trail; one share's own trail. Declared once (see
 * route.ts).
 */
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../audit-actions';
import { hubRoute } from './route';

const id = z.string().uuid();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)');

export const auditFilterSchema = z
  .object({
    studyId: id.optional(),
    actorId: id.optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: day.optional(),
    to: day.optional(),
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

const auditEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  action: z.string(),
  trail: z.enum(['study', 'share', 'account']),
  actor: z.object({ id, name: z.string(), email: z.string() }),
  onBehalfOf: z.object({ id, name: z.string() }).nullable(),
  studyId: z.string().nullable(),
  studyUid: z.string().nullable(),
  /** The study as a person knows it (patient, accession, date), where the event names one. Absent from hubs before it. */
  study: z.object({ patientName: z.string().nullable(), accessionNumber: z.string().nullable(), studyDate: z.string().nullable() }).nullable().default(null),
  shareId: z.string().nullable(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
const events = z.object({ events: z.array(auditEvent) });

export const siteAuditRoute = hubRoute({
  method: 'GET',
  path: '/api/audit',
  summary: 'The site’s audit trail, newest first, filtered by study, actor, action and dates; paged by `before`.',
  query: auditFilterSchema,
  response: events,
});

export const siteAuditCsvRoute = hubRoute({
  method: 'GET',
  path: '/api/audit.csv',
  summary: 'The same trail as a CSV file (at most 100,000 events; cells that a spreadsheet would run as formulas are neutralised).',
  query: auditFilterSchema,
});

export const studyAuditRoute = hubRoute({
  method: 'GET',
  path: '/api/studies/:id/audit',
  summary: 'One study’s trail (not what happened through its external shares), for a caller who may see the study.',
  params: z.object({ id }).strict(),
  response: events,
});

export const shareAuditRoute = hubRoute({
  method: 'GET',
  path: '/api/shares/:id/audit',
  summary: 'One external share’s own trail, for a caller who may see its study.',
  params: z.object({ id }).strict(),
  response: events,
});
