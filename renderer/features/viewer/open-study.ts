/**
 * Opening a worklist row in the viewer, one rule for every list that shows rows (the local
 * worklist, "On the hub", a collection): a local study by its UID (main reads the files), a
 * study only the hub has by its hub id (main streams it, the hub checks who may see it).
 */
import type { ViewerAnchor } from '../../../shared/viewer/viewer-anchor';
import type { StudyRow } from '../worklist/study-source';
import { useViewer, type StudyRef } from './viewer-store';

export function studyRefOf(row: StudyRow): StudyRef {
  return row.hub === null ? { uid: row.study.studyInstanceUid } : { hubId: row.hub.studyId };
}

export function openStudyRow(row: StudyRow, anchor?: ViewerAnchor): Promise<void> {
  return useViewer.getState().open(studyRefOf(row), anchor);
}
