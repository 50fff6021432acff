/**
 * The viewer's answers for a study seen de-identified (visibility rule 14): its manifest with the
 * UIDs mapped as the bytes will carry them, and one instance found by its mapped UID, read whole
 * from the blob store and de-identified (server/deidentify/). A file that cannot be de-identified
 * is refused (422), never sent as stored.
 */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import { BlobNotFoundError } from '../blobs/blob-store';
import type { HubDatabase } from '../db/schema';
import { deidentifyDicom, DeidentifyError, deidentifyManifest, mapUid, studyKey } from '../deidentify/deidentify';
import { HttpError } from '../http-error';
import type { ManifestSeries } from './viewer-manifest';

interface SeenStudy {
  readonly id: string;
  readonly account_id: string;
}

export async function deidentifiedManifest(db: Kysely<HubDatabase>, study: SeenStudy, series: readonly ManifestSeries[]): Promise<ManifestSeries[]> {
  return deidentifyManifest(await studyKey(db, study), series);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function deidentifiedInstance({ db, blobs }: { readonly db: Kysely<HubDatabase>; readonly blobs: BlobStore }, study: SeenStudy, mappedSop: string): Promise<Buffer> {
  const key = await studyKey(db, study);
  // The mapped UID leads back only through the key: map each of the study's instances and match.
  const files = await db.selectFrom('study_files').select(['sop_instance_uid', 'blob']).where('study_id', '=', study.id).execute();
  const file = files.find((row) => mapUid(key, row.sop_instance_uid) === mappedSop);
  if (file === undefined) throw new HttpError(404, 'file-not-found', 'This instance has not been uploaded to the hub.');
  let bytes: Buffer;
  try {
    bytes = await readAll(await blobs.get(file.blob));
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new HttpError(404, 'file-missing', 'This instance was uploaded, but its file is missing from the hub’s storage. Upload it again.');
    throw error;
  }
  try {
    return deidentifyDicom(bytes, key);
  } catch (error) {
    if (error instanceof DeidentifyError) throw new HttpError(422, 'not-deidentifiable', error.message);
    throw error;
  }
}
