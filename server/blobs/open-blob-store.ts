/**
 * Opens the store the hub's settings name: S3 for an `s3://` address, else the local folder.
 * The AWS SDK is loaded only when S3 is used: it is large, and a hub on its own disk should not
 * carry it in memory (the upload RSS budget counts every megabyte).
 */
import { parseS3Url } from './blob-url';
import type { BlobStore } from './blob-store';
import { folderBlobStore } from './folder-blob-store';

export async function openBlobStore(blobUrl: string | null, folder: string): Promise<BlobStore> {
  if (blobUrl === null) return folderBlobStore(folder);
  const location = parseS3Url(blobUrl);
  if (location === null) throw new Error('The blob address must look like s3://bucket/prefix.');
  const { s3BlobStore } = await import('./s3-blob-store');
  return s3BlobStore(location);
}
