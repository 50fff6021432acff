/**
 * The hub's study lists — a worklist's studies (GET /api/worklists/:id/studies) and every study
 * the caller may see (GET /api/studies) — their query and their answer, declared once: the hub
 * validates with `hubStudyQuerySchema`, the desktop builds its request with `hubStudyQueryString`
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
import { STUDY_SORT_COLUMNS, type StudySortColumn, type StudySummary } from '../types/study';

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
}

/** The URL query for `input`, which `hubStudyQuerySchema` reads back to the same query. */
export function hubStudyQueryString(input: HubStudyQueryInput): string {
  // encodeURIComponent (an ES global) rather than URLSearchParams, which shared/ cannot name.
  const pairs: [string, string][] = [];
  const params = { set: (key: string, value: string) => void pairs.push([key, value]) };
  if (input.text !== undefined && input.text.trim() !== '') params.set('text', input.text);
  if (input.modalities !== undefined && input.modalities.length > 0) params.set('modalities', input.modalities.join(','));
  if (input.dateFrom !== undefined) params.set('dateFrom', input.dateFrom);
  if (input.dateTo !== undefined) params.set('dateTo', input.dateTo);
  if (input.sort !== undefined) {
    params.set('sort', input.sort.column);
    params.set('direction', input.sort.direction);
  }
  if (input.limit !== undefined) params.set('limit', String(input.limit));
  if (input.offset !== undefined && input.offset > 0) params.set('offset', String(input.offset));
  if (input.after !== undefined) params.set('after', input.after);
  if (input.withTotal !== undefined) params.set('withTotal', String(input.withTotal));
  return pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
}

export interface HubStudyRow {
  readonly studyId: string;
  readonly private: boolean;
  /** When it was last shared into the worklist (null in the list of every visible study). */
  readonly sharedAt: string | null;
  readonly summary: StudySummary;
}

export interface HubStudyPage {
  readonly studies: readonly HubStudyRow[];
  /** Matching studies the caller may see, counted up to HUB_TOTAL_CAP; null when not asked. */
  readonly total: number | null;
  /** True when there are more than `total` (the count stopped at the cap). */
  readonly totalCapped: boolean;
  readonly nextCursor: string | null;
}
