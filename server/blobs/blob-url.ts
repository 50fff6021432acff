/** The S3 address a hub's blob setting names (HUB_BLOB_URL): read without loading the S3 client. */

export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  readonly prefix: string;
}

/** Reads `s3://bucket/optional/prefix`; null when it is not such an address. */
export function parseS3Url(text: string): S3Location | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(text.trim());
  if (match === null) return null;
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..')) return null;
  return { bucket: match[1], prefix };
}
