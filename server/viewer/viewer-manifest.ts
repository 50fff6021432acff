/** The viewer's view of a study's files on the hub: its instances grouped by series, in reading order. */
import type { Kysely, Transaction } from 'kysely';
import type { HubDatabase } from '../db/schema';

type Db = Kysely<HubDatabase> | Transaction<HubDatabase>;

export interface ManifestSeries {
  seriesInstanceUid: string;
  seriesNumber: number | null;
  description: string | null;
  modality: string | null;
  instances: { sopInstanceUid: string; instanceNumber: number | null; size: number }[];
}

export async function studyManifest(db: Db, studyId: string): Promise<ManifestSeries[]> {
  const rows = await db
    .selectFrom('study_files')
    .select(['sop_instance_uid', 'instance_number', 'size', 'series_uid', 'series_number', 'series_description', 'modality'])
    .where('study_id', '=', studyId)
    .execute();
  const bySeries = new Map<string, ManifestSeries>();
  for (const row of rows) {
    // A file whose header named no series (rare, tolerated at upload) gets a series of its own name.
    const uid = row.series_uid ?? 'unknown';
    let series = bySeries.get(uid);
    if (series === undefined) {
      series = { seriesInstanceUid: uid, seriesNumber: row.series_number, description: row.series_description, modality: row.modality, instances: [] };
      bySeries.set(uid, series);
    }
    series.instances.push({ sopInstanceUid: row.sop_instance_uid, instanceNumber: row.instance_number, size: row.size });
  }
  const order = (a: number | null, b: number | null): number => (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);
  const list = [...bySeries.values()].sort((a, b) => order(a.seriesNumber, b.seriesNumber) || a.seriesInstanceUid.localeCompare(b.seriesInstanceUid));
  for (const series of list) series.instances.sort((a, b) => order(a.instanceNumber, b.instanceNumber) || a.sopInstanceUid.localeCompare(b.sopInstanceUid));
  return list;
}
