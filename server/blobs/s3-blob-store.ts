/**
 * The blob store in S3-compatible object storage (AWS S3, MinIO, Ceph, …), for hubs whose files
 * outgrow one disk or that run as several processes: `HUB_BLOB_URL=s3://bucket/prefix`, with the
 * SDK's usual AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
 *
 * Uploads stream as multipart uploads (a few parts in memory at a time, never the whole file).
 * S3 makes an object visible only when its multipart upload is completed, and the completion is
 * sent only after the body ended and the caller's check passed; a body that fails aborts the
 * upload, so nothing appears under the key.
 */
import { randomUUID } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Location } from './blob-url';
import { assertBlobKey, BlobNotFoundError, measuringStream, type BlobFacts, type BlobStore, type ByteRange, type PutOptions } from './blob-store';

/** Parts of 8 MiB, two in flight: at most about 16 MiB of one upload in memory, and 8 MiB × 10,000 parts covers the hub's 4 GiB limit. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export { parseS3Url, type S3Location } from './blob-url';

export function s3BlobStore(location: S3Location, clientConfig: S3ClientConfig = {}): BlobStore & { readonly client: S3Client } {
  // Path-style addressing (http://endpoint/bucket/key) whenever an endpoint is named: MinIO and
  // most self-hosted servers have no per-bucket host names. AWS itself takes either.
  const endpoint = clientConfig.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const client = new S3Client({ ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }), ...clientConfig });
  const Bucket = location.bucket;
  const fullKey = (key: string): string => {
    assertBlobKey(key);
    return location.prefix === '' ? key : `${location.prefix}/${key}`;
  };
  return {
    kind: 's3',
    client,

    async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobFacts> {
      const measured = measuringStream(options);
      // The body's failure (a dropped connection) or the check's reaches the upload through the
      // measuring stream, and the upload then aborts instead of completing.
      let bodyError: Error | null = null;
      const source = pipeline(body, measured.stream, (error) => {
        if (error) bodyError = error;
      });
      const upload = new Upload({ client, params: { Bucket, Key: fullKey(key), Body: source }, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT });
      try {
        await upload.done();
      } catch (error) {
        source.destroy();
        // The body's own reason (cut off, refused by the check) is what the caller must hear:
        // if aborting the multipart upload failed as well, that would otherwise replace it.
        // Parts of an upload never completed stay invisible; sweepPartial or the bucket's
        // lifecycle rule removes them.
        throw bodyError ?? error;
      }
      return measured.facts();
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket, Key: fullKey(key), ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }) }));
        // Under Node the SDK's body is the HTTP response itself, a Readable.
        return answer.Body as Readable;
      } catch (error) {
        if (statusOf(error) === 404) throw new BlobNotFoundError(key);
        throw error;
      }
    },

    async head(key: string): Promise<{ size: number } | null> {
      try {
        const answer = await client.send(new HeadObjectCommand({ Bucket, Key: fullKey(key) }));
        return { size: answer.ContentLength ?? 0 };
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },

    async delete(key: string): Promise<void> {
      await client.send(new DeleteObjectCommand({ Bucket, Key: fullKey(key) }));
    },

    async sweepPartial(olderThan: Date): Promise<number> {
      // Multipart uploads a crashed hub never completed nor aborted: invisible, but billed.
      // (A bucket lifecycle rule, AbortIncompleteMultipartUpload, does the same on AWS.)
      let removed = 0;
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const page = await client
          .send(
            new ListMultipartUploadsCommand({ Bucket, ...(location.prefix === '' ? {} : { Prefix: `${location.prefix}/` }), KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
          )
          .catch((error: unknown) => {
            const status = statusOf(error);
            if (status === 501 || status === 405) {
              throw new Error('This object store cannot list unfinished uploads; give the bucket a lifecycle rule that aborts incomplete multipart uploads after a day.');
            }
            throw error;
          });
        for (const pending of page.Uploads ?? []) {
          if (pending.Initiated !== undefined && pending.Initiated < olderThan && pending.Key !== undefined && pending.UploadId !== undefined) {
            await client.send(new AbortMultipartUploadCommand({ Bucket, Key: pending.Key, UploadId: pending.UploadId }));
            removed++;
          }
        }
        if (page.IsTruncated !== true) return removed;
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      }
    },

    async check(): Promise<void> {
      // A real write: credentials that may read but not write, or a missing bucket, show only then.
      const probe = `${location.prefix === '' ? '' : `${location.prefix}/`}.ready-${randomUUID()}`;
      await client.send(new PutObjectCommand({ Bucket, Key: probe, Body: '' }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: probe }));
    },
  };
}
