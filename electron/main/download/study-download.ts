/**
 * Saving a hub study's zip on this computer (issue 13, part 1): Actions → Download… asks the
 * hub's `GET /api/studies/:id/download` (shared/hub-api/study-download.ts) with the person's own
 * session, so the hub's rules decide — the site's download policy, a collection's `download`
 * right — and a refusal comes back with the hub's why. The hub is asked before the person is
 * asked where to save, so nobody chooses a place for a file they may not have.
 *
 * The bytes stream into `<chosen>.part` beside the destination and are renamed into place only
 * when whole: a hub that goes away or a disk that fills leaves no half zip under the chosen name
 * (the part file is removed), and an existing file of that name is replaced only by a complete
 * one. The path is chosen by main (the host's save dialog, or its downloads folder in browser
 * mode), never taken from the hub or the renderer.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../api/app-error';
import { HubRefusedError, HubSessionError, HubUnreachableError, type HubClient } from '../sync-client/hub-client';

/** One download's progress, for the renderer's dialog (`download:progress`). */
export interface DownloadProgress {
  readonly downloadId: string;
  readonly bytes: number;
}

export type DownloadOutcome = { readonly saved: false } | { readonly saved: true; readonly path: string; readonly bytes: number };

export interface StudyDownloadOptions {
  /** The signed-in client, or null when nobody is signed in to a hub. */
  readonly client: () => HubClient | null;
  /** Where to save (a save dialog); null when the person cancelled. */
  readonly choosePath: (suggestedName: string) => Promise<string | null>;
  readonly progress: (event: DownloadProgress) => void;
  /** Nothing from the hub for this long mid-download: it is treated as gone (default 60 s). */
  readonly idleMs?: number;
}

/** How often progress is told at most (a zip of a thousand files should not send a thousand events). */
const PROGRESS_EVERY_MS = 200;

export class StudyDownloads {
  constructor(private readonly options: StudyDownloadOptions) {}

  async download(input: { readonly hubStudyId: string; readonly downloadId: string }): Promise<DownloadOutcome> {
    const client = this.options.client();
    if (client === null) throw new AppError('signed-out', 'Sign in to the hub to download its studies.');
    const abort = new AbortController();
    const idleMs = this.options.idleMs ?? 60_000;
    let response: Response;
    // A hub that takes the connection and then says nothing is as good as gone.
    const opening = setTimeout(() => abort.abort(), idleMs);
    try {
      response = await client.openStream(`/api/studies/${encodeURIComponent(input.hubStudyId)}/download`, { accept: 'application/zip' }, abort.signal);
    } catch (error) {
      throw abort.signal.aborted ? new AppError('hub-unreachable', 'The hub is not answering. Try again when it is back.') : hubFailure(error);
    } finally {
      clearTimeout(opening);
    }
    if (response.body === null) throw new AppError('hub-error', 'The hub sent no file.');
    const destination = await this.options.choosePath(`study-${input.hubStudyId.slice(0, 8)}.zip`);
    if (destination === null) {
      abort.abort();
      return { saved: false };
    }
    const part = `${destination}.part`;
    let bytes = 0;
    let toldAt = 0;
    let idle: NodeJS.Timeout | undefined;
    const stalled = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new HubUnreachableError()), idleMs);
    };
    const counting = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        bytes += chunk.length;
        stalled();
        const now = Date.now();
        if (now - toldAt >= PROGRESS_EVERY_MS) {
          toldAt = now;
          this.options.progress({ downloadId: input.downloadId, bytes });
        }
        done(null, chunk);
      },
    });
    try {
      stalled();
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), counting, createWriteStream(part, { flags: 'w', mode: 0o600 }), { signal: abort.signal });
      await rename(part, destination);
    } catch (error) {
      abort.abort();
      await rm(part, { force: true }).catch(() => undefined);
      throw saveFailure(error);
    } finally {
      clearTimeout(idle);
    }
    this.options.progress({ downloadId: input.downloadId, bytes });
    return { saved: true, path: destination, bytes };
  }
}

/** A failure before any byte: the hub's refusal with its why, or the hub away, or the session gone. */
function hubFailure(error: unknown): AppError {
  if (error instanceof HubRefusedError) {
    // 404 is the same sentence whether the study does not exist or is not the person's to see.
    return new AppError(error.status === 404 ? 'not-found' : error.code, error.message);
  }
  if (error instanceof HubUnreachableError) return new AppError('hub-unreachable', 'The hub cannot be reached. Try again when it is back.');
  if (error instanceof HubSessionError) return new AppError('signed-out', error.message);
  return error instanceof Error ? new AppError('hub-error', 'The hub could not send the study.') : new AppError('hub-error', String(error));
}

/** A failure while saving: the disk (full, not writable) or the hub going away mid-file. */
export function saveFailure(error: unknown): AppError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('disk-full', 'The disk is full: the study was not saved. Free some space and download it again.');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new AppError('cannot-write', 'That place cannot be written to: the study was not saved. Choose another folder.');
  }
  // Aborted by the idle timer, or the connection dropped mid-file.
  return new AppError('hub-unreachable', 'The hub stopped sending the study before it was whole: nothing was saved. Try again.');
}
