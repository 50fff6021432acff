/**
 * Sending one file to the hub: small files in one request; larger ones as a resumable upload
 * (shared/hub-api/files.ts) in chunks, so a link that breaks every half minute costs at most the
 * chunk in flight each time, not the file. Within one send, a chunk cut by the network is sent
 * again from where the hub says it is, after a short backoff, for as long as each attempt makes
 * progress; when several attempts in a row make none, the failure goes to the sync client, which
 * delays this file and goes on with the others.
 */
import { completeUploadRoute, discardUploadRoute, openUploadRoute, uploadStateRoute } from '../../../shared/hub-api/files';
import { HubCertificateError, HubRefusedError, HubSessionError, HubUnreachableError, type HubClient } from './hub-client';
import { backoffDelay } from './retry-policy';

/** Files above this go in chunks (most instances are far smaller and go in one request). */
export const RESUMABLE_ABOVE_BYTES = 8 * 1024 * 1024;
/** One chunk: small enough that a cut costs little on a slow link, large enough to be few requests. */
export const CHUNK_BYTES = 2 * 1024 * 1024;
/** Attempts in a row without progress before the send gives up for now. */
const MAX_STALLED_ATTEMPTS = 5;

export interface FileToSend {
  readonly studyId: string;
  readonly sop: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface SendOptions {
  /** Counts bytes handed to the network (the bench's "bytes sent"). */
  readonly onBytes?: (n: number) => void;
  readonly chunkBytes?: number;
  readonly resumableAbove?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure the next chunk attempt may get past: the link dropped, the hub hiccuped. */
function transient(error: unknown): boolean {
  if (error instanceof HubCertificateError || error instanceof HubSessionError) return false;
  if (error instanceof HubUnreachableError) return true;
  return error instanceof HubRefusedError && (error.status >= 500 || error.status === 429 || error.code === 'upload-interrupted');
}

export async function sendFile(hub: HubClient, file: FileToSend, options: SendOptions = {}): Promise<{ size: number; sha256: string }> {
  if (file.size <= (options.resumableAbove ?? RESUMABLE_ABOVE_BYTES)) return hub.uploadFile(file.studyId, file.sop, file.path, options.onBytes);
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const sleep = options.sleep ?? pause;
  const open = async () => hub.call(openUploadRoute, { params: { studyId: file.studyId, sop: file.sop }, body: { size: file.size, sha256: file.sha256 } });
  let opened = await open();
  if (opened.done !== null) return opened.done;
  let uploadId = opened.uploadId!;
  let offset = opened.received;
  let stalled = 0;
  let reopened = false;
  while (offset < file.size) {
    try {
      offset = await hub.uploadChunk(uploadId, offset, file.path, Math.min(chunkBytes, file.size - offset), options.onBytes);
      stalled = 0;
    } catch (error) {
      if (error instanceof HubRefusedError && error.code === 'upload-offset') {
        // The hub has another count (a chunk counted whose answer was lost): go on from there.
        offset = (await hub.call(uploadStateRoute, { params: { uploadId } })).received;
        continue;
      }
      if (error instanceof HubRefusedError && error.code === 'upload-not-found' && !reopened) {
        // Swept or discarded on the hub: start again, once per send.
        reopened = true;
        opened = await open();
        if (opened.done !== null) return opened.done;
        uploadId = opened.uploadId!;
        offset = opened.received;
        continue;
      }
      if (!transient(error) || ++stalled >= MAX_STALLED_ATTEMPTS) throw error;
      await sleep(backoffDelay(stalled, { baseMs: 500, capMs: 10_000 }));
      // Where the hub is now (the cut chunk may have counted after all).
      try {
        offset = (await hub.call(uploadStateRoute, { params: { uploadId } })).received;
      } catch (again) {
        if (!transient(again)) throw again;
      }
    }
  }
  try {
    return await hub.call(completeUploadRoute, { params: { uploadId } });
  } catch (error) {
    // Other bytes than declared arrived: the hub discarded the upload; the next try starts over.
    if (error instanceof HubRefusedError && error.code === 'checksum-mismatch') await hub.call(discardUploadRoute, { params: { uploadId } }).catch(() => undefined);
    throw error;
  }
}
