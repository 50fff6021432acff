/**
 * Where the hub keeps its study files: one small interface with two stores behind it, a local
 * folder (the default, `<data>/blobs`) and S3-compatible object storage (`HUB_BLOB_URL=s3://…`).
 * The store is the one shared truth about which files exist: several hub processes may use the
 * same bucket, so nothing here keeps a list of blobs in memory.
 *
 * A blob becomes visible under its key only once every byte has arrived and the caller's check
 * has passed (a temporary file renamed into place; a multipart upload completed only then), so
 * a reader never sees half a file and an upload cut off leaves nothing under a real key.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

export interface BlobFacts {
  readonly size: number;
  /** Lower-case hex SHA-256 of the bytes, computed as they streamed through. */
  readonly sha256: string;
}

export interface PutOptions {
  /**
   * Runs after the last byte has arrived and before the blob becomes visible; throwing refuses
   * the blob (nothing is kept) and `put` rejects with what was thrown.
   */
  readonly verify?: (facts: BlobFacts) => void | Promise<void>;
}

/** An inclusive byte range, as in HTTP's Range header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobStore {
  /** What kind of store this is, for logs and the readiness answer (never its credentials). */
  readonly kind: 'folder' | 's3';
  /** Streams `body` into the store under `key`; rejects (keeping nothing) if the body fails or `verify` throws. */
  put(key: string, body: Readable, options?: PutOptions): Promise<BlobFacts>;
  /** The blob's bytes (or one range of them); rejects with BlobNotFoundError when there is no such blob. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The blob's size, or null when there is none. */
  head(key: string): Promise<{ readonly size: number } | null>;
  /** Removes the blob; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Removes uploads that a crash cut short, untouched since `olderThan`; returns how many. */
  sweepPartial(olderThan: Date): Promise<number>;
  /** Readiness: throws unless the store takes a write and a delete right now. */
  check(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  readonly code = 'blob-not-found';
  constructor(key: string) {
    super(`No blob is stored under ${key}.`);
    this.name = 'BlobNotFoundError';
  }
}

/**
 * Keys are relative paths made of the hub's own ids (`<study id>/<SOP instance UID>.dcm`): a
 * key is checked anyway, since the folder store turns it into a path, and `..` or an absolute
 * path there would reach outside the store.
 */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.length > 512 || key.split('/').some((part) => part === '.' || part === '..' || part.endsWith('.partial'))) {
    throw new Error(`Not a valid blob key: ${JSON.stringify(key)}.`);
  }
}

/**
 * A pass-through that counts and hashes the bytes, and runs the caller's check when the body
 * ends: an error from it fails the stream before its end reaches the store, so the store never
 * completes the blob.
 */
export function measuringStream(options: PutOptions): { readonly stream: Transform; readonly facts: () => BlobFacts } {
  const hash = createHash('sha256');
  let size = 0;
  let facts: BlobFacts | null = null;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      facts = { size, sha256: hash.digest('hex') };
      Promise.resolve()
        .then(() => options.verify?.(facts!))
        .then(
          () => callback(),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
    },
  });
  return {
    stream,
    facts: () => {
      if (facts === null) throw new Error('The blob has not been completely received.');
      return facts;
    },
  };
}
