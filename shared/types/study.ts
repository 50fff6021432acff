/**
 * The study as worklists show it, and the query a worklist asks the index. Shared by main (which
 * answers), the renderer (which asks) and later the hub (which answers for remote worklists).
 */
import { z } from 'zod';

export interface StudySummary {
  readonly studyInstanceUid: string;
  /** Decoded PN as stored: `^` between components, `=` between groups. */
  readonly patientName: string | null;
  readonly patientId: string | null;
  /** `YYYY-MM-DD` */
  readonly patientBirthDate: string | null;
  /** `YYYY-MM-DD` */
  readonly studyDate: string | null;
  /** `HH:MM:SS` (or shorter when the file gave less) */
  readonly studyTime: string | null;
  readonly patientSex: string | null;
  readonly accessionNumber: string | null;
  readonly studyDescription: string | null;
  readonly referringPhysicianName: string | null;
  /** Name of Physician(s) Reading Study (0008,1060), values joined by `\`; absent from older publishers. */
  readonly readingPhysicianNames?: string | null;
  readonly institutionName: string | null;
  /** Sorted, distinct. */
  readonly modalities: readonly string[];
  readonly seriesCount: number;
  readonly instanceCount: number;
}

export interface SeriesSummary {
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  readonly seriesNumber: number | null;
  readonly seriesDescription: string | null;
  readonly bodyPart: string | null;
  readonly instanceCount: number;
}

export const STUDY_SORT_COLUMNS = [
  'patientName',
  'patientId',
  'patientBirthDate',
  'studyDate',
  'modalities',
  'studyDescription',
  'accessionNumber',
  'seriesCount',
  'instanceCount',
] as const;
export type StudySortColumn = (typeof STUDY_SORT_COLUMNS)[number];

/**
 * Where each sortable column is stored, alike in the local index and on the hub: the column of
 * the studies table, the name its indexes are made from (`studies_by_<index>`), and whether it
 * sorts as a number. Both keep the same names so that one map serves both planners.
 */
export const STUDY_SORT_STORAGE: Readonly<Record<StudySortColumn, { readonly column: string; readonly index: string; readonly numeric: boolean }>> = {
  patientName: { column: 'patient_name_key', index: 'name', numeric: false },
  patientId: { column: 'patient_id', index: 'patient_id', numeric: false },
  patientBirthDate: { column: 'patient_birth_date', index: 'birth_date', numeric: false },
  studyDate: { column: 'study_date', index: 'date', numeric: false },
  modalities: { column: 'modalities', index: 'modalities', numeric: false },
  studyDescription: { column: 'study_description', index: 'description', numeric: false },
  accessionNumber: { column: 'accession_number', index: 'accession', numeric: false },
  seriesCount: { column: 'series_count', index: 'series_count', numeric: true },
  instanceCount: { column: 'instance_count', index: 'instance_count', numeric: true },
};

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const studyQuerySchema = z
  .object({
    /** Free text over patient name, patient ID, accession number and description; words are prefixes. */
    text: z.string().max(200).optional(),
    modalities: z.array(z.string().regex(/^[A-Z0-9]{1,16}$/, 'a modality code such as CT')).max(32).optional(),
    dateFrom: isoDay.optional(),
    dateTo: isoDay.optional(),
    sort: z
      .object({ column: z.enum(STUDY_SORT_COLUMNS), direction: z.enum(['asc', 'desc']) })
      .default({ column: 'studyDate', direction: 'desc' }),
    limit: z.number().int().min(1).max(1000).default(100),
    /** Rows to skip; for jumping. Deep offsets cost a walk, so prefer `after` for paging on. */
    offset: z.number().int().min(0).default(0),
    /** The `nextCursor` of the previous page: constant cost at any depth. */
    after: z.string().max(2000).optional(),
    /** Leave out the total (one count less) when the caller already has it. */
    withTotal: z.boolean().default(true),
  })
  .strict();

export type StudyQueryInput = z.input<typeof studyQuerySchema>;
export type StudyQuery = z.output<typeof studyQuerySchema>;

export interface StudyPage {
  readonly rows: readonly StudySummary[];
  /** Studies matching the filters, null when `withTotal` was false. */
  readonly total: number | null;
  /** Pass as `after` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}
