/**
 * Reads just enough of a file to parse its header: the first 64 KiB holds the whole header of
 * nearly every instance, so the pixel data (often megabytes) is never read; a header that runs
 * longer is parsed again from the whole file.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { parseInstanceHeader, type HeaderResult } from './instance-header';

const HEAD_BYTES = 64 * 1024;

export class HeaderFileReader {
  // One buffer for every file: the parsed header copies what it keeps out of it.
  private readonly buffer = Buffer.allocUnsafe(HEAD_BYTES);

  read(filePath: string): HeaderResult {
    const fd = openSync(filePath, 'r');
    let bytesRead: number;
    let size: number;
    try {
      size = fstatSync(fd).size;
      bytesRead = readSync(fd, this.buffer, 0, Math.min(HEAD_BYTES, size), 0);
    } finally {
      closeSync(fd);
    }
    const head = parseInstanceHeader(this.buffer.subarray(0, bytesRead), size);
    if (head !== null) return head;
    const whole = parseInstanceHeader(readFileSync(filePath));
    if (whole === null) throw new Error('unreachable: a complete file always parses or throws');
    return whole;
  }
}
