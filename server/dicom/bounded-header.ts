/**
 * The one bounded way to read a DICOM header, for the desktop's import (electron/main/
 * dicom-import/) and the hub (uploads, the guest viewer's image descriptions): how many bytes are
 * read, how far a deflated data set is inflated, and what happens at the limit. Each side parses
 * with its own rules (the desktop accepts files without a preamble and needs the UIDs it indexes;
 * the hub needs Part 10); what they share is that no file, however long or however it inflates,
 * costs more than these bounds.
 *
 * It lives under server/dicom/ because the desktop already builds on the hub's code (the embedded
 * hub) and not the other way round; it imports nothing of the hub.
 *
 * The rule: read the first 64 KiB (any ordinary header fits, so one parse usually settles it);
 * while the header runs past the bytes at hand, read twice as many, up to 16 MiB. A deflated data
 * set is inflated to at most 16 MiB. At either limit the reading stops: whatever the header held
 * by then is what the file says (a data set without Pixel Data, a report, has no end to stop at,
 * and its identifying attributes come first); a file whose header does not say which instance it
 * is by then is refused, and so is one that inflated past the bound at a ratio no real data set
 * has (BOMB_RATIO) before its Pixel Data: a deflate bomb.
 * A 1.5 GiB sparse file and a deflate bomb thus cost 16 MiB, not their size.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';

/** The first read. */
export const FIRST_HEADER_BYTES = 64 * 1024;
/** The most of a file read for its header. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** The most a deflated data set is inflated to for its header. */
export const MAX_INFLATED_HEADER_BYTES = 16 * 1024 * 1024;
/** Deflate's best ratio is about 1032:1: this many input bytes can never inflate past `limit`. */
const safeInput = (limit: number): number => Math.floor(limit / 1032);
/**
 * Real data sets (text, contours, images) deflate by well under this ratio; a data set that
 * inflates past the bound at this ratio or more, before reaching its Pixel Data, is a bomb.
 */
export const BOMB_RATIO = 64;

/** How many bytes to have before the next attempt, given how many were read so far. */
export function nextHeaderRead(collected: number): number {
  return Math.min(MAX_HEADER_BYTES, Math.max(FIRST_HEADER_BYTES, collected * 2));
}

/** The deflated data set is corrupt (not merely cut short, which inflates as far as it goes). */
export class DeflateError extends Error {
  readonly code = 'corrupt-deflate';
  constructor(detail: string) {
    super(`The deflated data set cannot be inflated (${detail}).`);
    this.name = 'DeflateError';
  }
}

/**
 * An inflater for dicom-parser (`parseDicom(bytes, { inflater })`) that inflates as much of a
 * deflated data set as the bytes at hand hold (a tail cut off is fine, `Z_SYNC_FLUSH`) and never
 * more than `limit` bytes. When the bytes would inflate past it, only as much input as stays
 * under it is inflated and `cut` is set: reading more of the file cannot help then, so the caller
 * treats this read as its last.
 */
export class BoundedInflater {
  cut = false;
  /** It overflowed at BOMB_RATIO or more (a deflate bomb, unless Pixel Data came first). */
  suspect = false;
  constructor(private readonly limit = MAX_INFLATED_HEADER_BYTES) {}

  readonly inflate = (byteArray: Uint8Array, position: number): Uint8Array => {
    let input = byteArray.subarray(position);
    let inflated: Buffer;
    for (;;) {
      try {
        // Large output chunks: zlib's default 16 KiB ones make a 16 MiB inflation ten times slower.
        inflated = inflateRawSync(input, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: this.limit, chunkSize: 1024 * 1024 });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw new DeflateError((error as Error).message);
        this.cut = true;
        if (input.length * BOMB_RATIO <= this.limit) this.suspect = true;
        // Each try costs at most `limit` bytes of output; a suspect goes straight to the length
        // that cannot overflow, anything else by quarters (keeping more of a long real header).
        input = input.subarray(0, this.suspect ? safeInput(this.limit) : Math.max(safeInput(this.limit), input.length >> 2));
      }
    }
    const full = Buffer.alloc(position + inflated.length);
    full.set(byteArray.subarray(0, position));
    full.set(inflated, position);
    return full;
  };
}

/** What a parser is told about the bytes it is given. */
export interface HeaderReading {
  /** The bytes are the whole file. */
  readonly complete: boolean;
  /** No more will be read (the limit): a header cut short is described as far as it goes. */
  readonly last: boolean;
  /** The file's size in bytes (what the bytes are the start of). */
  readonly size: number;
}

/**
 * Parses the first bytes of a file: returns what it found, null when it needs more bytes (never
 * when `reading.last`), or throws why the file cannot be read.
 */
export type HeaderParser<T> = (bytes: Uint8Array, reading: HeaderReading) => T | null;

/**
 * Reads a file's header from disk with the bounds above: the first 64 KiB into `scratch` (one
 * buffer reused for every file of an import), more only while the parser asks for it.
 */
export function readHeaderFromFile<T>(filePath: string, parse: HeaderParser<T>, scratch: Buffer = Buffer.allocUnsafe(FIRST_HEADER_BYTES)): T {
  const fd = openSync(filePath, 'r');
  try {
    const size = fstatSync(fd).size;
    let buffer = scratch.length >= FIRST_HEADER_BYTES ? scratch : Buffer.allocUnsafe(FIRST_HEADER_BYTES);
    let want = Math.min(FIRST_HEADER_BYTES, size);
    let have = 0;
    for (;;) {
      if (buffer.length < want) {
        const larger = Buffer.allocUnsafe(want);
        buffer.copy(larger, 0, 0, have);
        buffer = larger;
      }
      while (have < want) {
        const read = readSync(fd, buffer, have, want - have, have);
        if (read === 0) break; // the file shrank while being read: parse what there is
        have += read;
      }
      const complete = have >= size;
      const last = complete || have >= MAX_HEADER_BYTES || have < want;
      const result = parse(buffer.subarray(0, have), { complete, last, size });
      if (result !== null) return result;
      if (last) throw new Error('A header parser asked for more bytes after the last read.');
      want = Math.min(size, nextHeaderRead(have));
    }
  } finally {
    closeSync(fd);
  }
}
