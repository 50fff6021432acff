/** A study summary for tests that publish studies: the nth of a series under `uidRoot`, named `<family>^<n>`. */
import type { StudySummary } from '../../shared/types/study';

export function testStudySummary(uidRoot: string, n: number, family = 'Patient'): StudySummary {
  return {
    studyInstanceUid: `${uidRoot}.${n}`,
    patientName: `${family}^${n}`,
    patientId: `${family.slice(0, 1)}${n}`,
    patientBirthDate: null,
    studyDate: '2024-01-01',
    studyTime: null,
    patientSex: null,
    accessionNumber: null,
    studyDescription: 'CT',
    referringPhysicianName: null,
    institutionName: null,
    modalities: ['CT'],
    seriesCount: 1,
    instanceCount: 1,
  };
}
