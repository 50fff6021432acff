/** Opens the store the hub's settings name: S3 for an `s3://` address, else the local folder. */
import { folderBlobStore } from './folder-blob-store';
import { parseS3Url, s3BlobStore } from './s3-blob-store';
import type { BlobStore } from './blob-store';

export function openBlobStore(blobUrl: string | null, folder: string): BlobStore {
  if (blobUrl === null) return folderBlobStore(folder);
  const location = parseS3Url(blobUrl);
  if (location === null) throw new Error('The blob address must look like s3://bucket/prefix.');
  return s3BlobStore(location);
}
