/**
 * The hub's study lists — a worklist's studies (GET /api/worklists/:id/studies) and every study
 * the caller may see (GET /api/studies) — their query and their answer, declared once: the hub
 * validates with `hubStudyQuerySchema`, the desktop builds its request with `hubStudyQueryParams`
 * from the same shape. Same search, filters, sort columns and paging as the local worklist
 * (shared/types/study.ts): words are prefixes, a cursor pages on at constant cost, an offset
 * jumps.
 *
 * Totals are exact when the matches come from a short list (a worklist, a search word, an
 * external user's shares; up to HUB_TOTAL_CAP); otherwise (a site member's whole site) the
 * count says "at least" (`totalCapped`): counting every visible study of a million costs a
 * second or more, far beyond the page itself. The table grows as pages arrive.
 */
import { z } from 'zod';
import { studySummarySchema } from '../hub-contract';
import { STUDY_SORT_COLUMNS, type StudySortColumn } from '../types/study';

export const HUB_TOTAL_CAP = 10_000;
export const HUB_PAGE_MAX = 500;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const modality = z.string().regex(/^[A-Z0-9]{1,16}$/, 'a modality code such as CT');

/** The query as it travels in a URL: every value a string, lists comma-separated. */
export const hubStudyQuerySchema = z
  .object({
    text: z.string().max(200).optional(),
    /** Comma-separated modality codes: CT,MR */
    modalities: z
      .string()
      .max(32 * 17)
      .transform((value) => value.split(',').filter((code) => code !== ''))
      .pipe(z.array(modality).max(32))
      .optional(),
    dateFrom: isoDay.optional(),
    dateTo: isoDay.optional(),
    sort: z.enum(STUDY_SORT_COLUMNS).default('studyDate'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(HUB_PAGE_MAX).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    /** The `nextCursor` of the previous page (opaque; refused when it does not fit this sort). */
    after: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/, 'a page cursor').optional(),
    withTotal: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
    /** Only this site's studies (the Site filter of someone connected to several sites); another site's id lists nothing, as an unknown one. */
    site: z.string().uuid().optional(),
  })
  .strict();

export type HubStudyQuery = z.output<typeof hubStudyQuerySchema>;

/** What a caller fills in (the desktop's contract input has this shape). */
export interface HubStudyQueryInput {
  readonly text?: string;
  readonly modalities?: readonly string[];
  readonly dateFrom?: string;
  readonly dateTo?: string;
  readonly sort?: { readonly column: StudySortColumn; readonly direction: 'asc' | 'desc' };
  readonly limit?: number;
  readonly offset?: number;
  readonly after?: string;
  readonly withTotal?: boolean;
  readonly site?: string;
}

/** The query's parameters for `input`, as `hubStudyQuerySchema` reads them back to the same query. */
export function hubStudyQueryParams(input: HubStudyQueryInput): Record<string, string> {
  const params: Record<string, string> = {};
  if (input.text !== undefined && input.text.trim() !== '') params.text = input.text;
  if (input.modalities !== undefined && input.modalities.length > 0) params.modalities = input.modalities.join(',');
  if (input.dateFrom !== undefined) params.dateFrom = input.dateFrom;
  if (input.dateTo !== undefined) params.dateTo = input.dateTo;
  if (input.sort !== undefined) {
    params.sort = input.sort.column;
    params.direction = input.sort.direction;
  }
  if (input.limit !== undefined) params.limit = String(input.limit);
  if (input.offset !== undefined && input.offset > 0) params.offset = String(input.offset);
  if (input.after !== undefined) params.after = input.after;
  if (input.withTotal !== undefined) params.withTotal = String(input.withTotal);
  if (input.site !== undefined) params.site = input.site;
  return params;
}

/** The same as a URL query string. */
export function hubStudyQueryString(input: HubStudyQueryInput): string {
  // encodeURIComponent (an ES global) rather than URLSearchParams, which shared/ cannot name.
  return Object.entries(hubStudyQueryParams(input))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}

const hubSite = z.object({ id: z.string(), name: z.string() });

/** A page of a hub study list, as the hub answers it. */
export const hubStudyPageSchema = z.object({
  studies: z.array(
    z.object({
      studyId: z.string().uuid(),
      private: z.boolean(),
      /** When it was last shared into the worklist (null in the list of every visible study). */
      sharedAt: z.string().nullable(),
      summary: studySummarySchema,
      /** Why the caller sees it (shared/permissions/visibility.ts `AccessReason`: 'department', 'collection', …); absent from older hubs. */
      reason: z.string().max(40).nullable().optional(),
      /** The study's site, for someone of no site (an external user's lists may span several sites); absent for a site's own people and from older hubs. */
      site: hubSite.optional(),
    }),
  ),
  /** For someone of no site: the sites they are connected to (the Site filter's choices; a Site column when more than one). */
  sites: z.array(hubSite).optional(),
  /** Matching studies the caller may see, counted up to HUB_TOTAL_CAP; null when not asked. */
  total: z.number().int().nullable(),
  /** True when there are more than `total` (the count stopped at the cap). */
  totalCapped: z.boolean(),
  nextCursor: z.string().nullable(),
});
export type HubStudyPage = z.output<typeof hubStudyPageSchema>;
export type HubStudyRow = HubStudyPage['studies'][number];
