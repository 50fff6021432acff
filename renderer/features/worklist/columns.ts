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

/** A narrow last column, not sortable: whether the study is shared (or a share of it waits). */
export const SHARED_COLUMN_WIDTH = '34px';
export const GRID_TEMPLATE = [...COLUMNS.map((column) => column.width), SHARED_COLUMN_WIDTH].join(' ');
