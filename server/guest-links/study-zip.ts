/**
 * A guest's download: the linked studies' files as one zip, written by yazl as it streams from
 * the blob store, one file open at a time. Entries are stored, not deflated (DICOM pixel data
 * barely compresses, and storing keeps the hub's CPU free). yazl switches to zip64 by itself when
 * the archive passes 4 GiB or 65,535 entries, which a large CT or MR study does.
 */
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { BlobStore } from '../blobs/blob-store';

export interface StudyZipEntry {
  /** Path inside the archive, `/` separated. */
  readonly name: string;
  /** The file's key in the blob store. */
  readonly key: string;
  /** Its size as recorded at upload: yazl fails the archive if the stored bytes differ. */
  readonly size: number;
}

export function studyZip(blobs: BlobStore, entries: ReadonlyArray<StudyZipEntry>, mtime: Date): Readable {
  const zip = new ZipFile();
  // The blob being copied now. yazl pipes it into the archive with plain .pipe(), which does not
  // pass on a stop: when the guest's download is cut, the blob's stream would stay open and
  // paused for good — a file handle, or on S3 one of the client's 50 pooled connections, after
  // which every S3 request of the hub waits forever. So it is destroyed with the archive.
  let current: Readable | null = null;
  let stopped = false;
  for (const entry of entries) {
    // Lazily: each blob is fetched only when its turn comes, so a study of 100,000 files does
    // not open 100,000 files or requests at once.
    zip.addReadStreamLazy(entry.name, { mtime, compress: false, size: entry.size }, (done) => {
      blobs.get(entry.key).then(
        (stream) => {
          if (stopped) {
            stream.destroy();
            return;
          }
          current = stream;
          stream.once('close', () => {
            if (current === stream) current = null;
          });
          done(null, stream);
        },
        (error: unknown) => done(error as Error, undefined as never),
      );
    });
  }
  // A blob that is missing or fails half-way ends the download with an error (the guest's
  // browser sees an interrupted download) instead of an archive that silently lacks a file.
  // (@types/yazl types the output as NodeJS.ReadableStream; it is a PassThrough.)
  const output = zip.outputStream as unknown as Readable;
  zip.on('error', (error: Error) => output.destroy(error));
  output.once('close', () => {
    stopped = true;
    current?.destroy();
  });
  zip.end();
  return output;
}
