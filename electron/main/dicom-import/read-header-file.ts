/**
 * Reads just enough of a file to parse its header, with the bounded reader the hub uses too
 * (server/dicom/bounded-header.ts): the first 64 KiB holds the whole header of nearly every
 * instance, so the pixel data (often megabytes) is never read; a header that runs longer is read
 * further, doubling, up to 16 MiB, and no further — a 1.5 GiB file without a header's end costs
 * 16 MiB, not 1.5 GiB.
 */
import { FIRST_HEADER_BYTES, readHeaderFromFile } from '../../../server/dicom/bounded-header';
import { parseInstanceHeader, type HeaderResult } from './instance-header';

export class HeaderFileReader {
  // One buffer for every file: the parsed header copies what it keeps out of it.
  private readonly buffer = Buffer.allocUnsafe(FIRST_HEADER_BYTES);

  read(filePath: string): HeaderResult {
    return readHeaderFromFile(filePath, (bytes, { size, last }) => parseInstanceHeader(bytes, size, last), this.buffer);
  }
}
