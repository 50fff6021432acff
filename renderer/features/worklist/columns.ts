/** The worklist's columns: header, sort key, width and how a cell shows its value. */
import type { StudySortColumn, StudySummary } from '../../../shared/types/study';
import { formatCount, formatDate, formatPersonName } from '../../lib/format';

export interface Column {
  readonly key: StudySortColumn;
  readonly label: string;
  /** CSS grid track. */
  readonly width: string;
  readonly numeric?: boolean;
  readonly value: (study: StudySummary) => string;
}

export const COLUMNS: readonly Column[] = [
  { key: 'patientName', label: 'Patient name', width: 'minmax(140px, 2fr)', value: (s) => formatPersonName(s.patientName) },
  { key: 'patientId', label: 'Patient ID', width: 'minmax(90px, 1fr)', value: (s) => s.patientId ?? '' },
  { key: 'patientBirthDate', label: 'Birth date', width: '96px', value: (s) => formatDate(s.patientBirthDate) },
  { key: 'studyDate', label: 'Study date', width: '96px', value: (s) => formatDate(s.studyDate) },
  { key: 'modalities', label: 'Modality', width: '80px', value: (s) => s.modalities.join(' ') },
  { key: 'studyDescription', label: 'Description', width: 'minmax(120px, 2fr)', value: (s) => s.studyDescription ?? '' },
  { key: 'accessionNumber', label: 'Accession', width: 'minmax(90px, 1fr)', value: (s) => s.accessionNumber ?? '' },
  { key: 'seriesCount', label: 'Series', width: '64px', numeric: true, value: (s) => formatCount(s.seriesCount) },
  { key: 'instanceCount', label: 'Images', width: '72px', numeric: true, value: (s) => formatCount(s.instanceCount) },
];

/**
 * The last column, not sortable, depends on the source: locally a narrow mark (whether the study
 * is shared, or a share of it waits); on the hub, when it was shared into the worklist.
 */
export const MARK_COLUMN = {
  'share-state': { label: 'Shared', width: '34px' },
  'shared-at': { label: 'Shared', width: '92px' },
  // Physicians' cases (issue 14): how each study is theirs, e.g. "Referred by · Dr Paula Physician".
  physicians: { label: 'Relation · Doctor', width: 'minmax(160px, 1.5fr)' },
} as const;

/**
 * Which site a study comes from (issue 14): shown only to someone whose lists span several sites
 * (an external user connected to more than one), before the last column; not sortable (the hub
 * sorts by the study's own columns; the Site filter narrows instead).
 */
export const SITE_COLUMN = { label: 'Site', width: 'minmax(72px, 1fr)' } as const;

export function gridTemplate(marks: keyof typeof MARK_COLUMN, withSite = false): string {
  return [...COLUMNS.map((column) => column.width), ...(withSite ? [SITE_COLUMN.width] : []), MARK_COLUMN[marks].width].join(' ');
}
