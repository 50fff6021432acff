/**
 * Answers with one stored instance's bytes, streamed from the blob store: the files route and the
 * viewer's instance route hand out the same file the same way (a missing blob is said, not a 500).
 */
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { BlobNotFoundError, type BlobStore } from '../blobs/blob-store';
import { HttpError } from '../http-error';

export async function sendStudyFile(reply: FastifyReply, blobs: BlobStore, file: { readonly blob: string; readonly size: number } | undefined): Promise<FastifyReply> {
  if (file === undefined) throw new HttpError(404, 'file-not-found', 'This instance has not been uploaded to the hub.');
  let stream: Readable;
  try {
    stream = await blobs.get(file.blob);
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new HttpError(404, 'file-missing', 'This instance was uploaded, but its file is missing from the hub’s storage. Upload it again.');
    throw error;
  }
  return reply.header('content-type', 'application/dicom').header('content-length', String(file.size)).send(stream);
}
