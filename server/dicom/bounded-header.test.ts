/**
 * The one bounded header reader, on hostile files, for both its users: the desktop's import
 * (parseInstanceHeader through HeaderFileReader) and the hub (readDicomHeader on the DICOM worker
 * threads). Bombs are refused as such, a 1.5 GiB sparse file costs at most 16 MiB of reading,
 * real deflated files still read, and a bomb's parse leaves the event loop free.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../shared/dicom/transfer-syntax';
import { testUid, writeInstance, type InstanceSpec } from '../../electron/main/dicom-write/synthetic-study';
import { parseInstanceHeader } from '../../electron/main/dicom-import/instance-header';
import { HeaderFileReader } from '../../electron/main/dicom-import/read-header-file';
import { deflateBomb } from '../test-support/hostile-dicom';
import { MAX_HEADER_BYTES, readHeaderFromFile } from './bounded-header';
import { parseHeaderOffThread } from './dicom-workers';
import { readDicomHeader } from './parse-header';

const spec: InstanceSpec = { studyInstanceUid: testUid(60), seriesInstanceUid: testUid(60, 1), sopInstanceUid: testUid(60, 1, 1), modality: 'CT' };

describe('the bounded DICOM header reader', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studyshare-bounded-'));
  let bomb: Buffer;
  let bareBomb: Buffer;
  beforeAll(async () => {
    // 256 MiB of zeros behind a real header, and with no header at all: about 250 KiB each.
    bomb = await deflateBomb(spec, 256 * 1024 ** 2);
    bareBomb = await deflateBomb(spec, 256 * 1024 ** 2, { headerFirst: false });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a deflate bomb as one, on the hub and in the import, with or without a header in front', () => {
    for (const file of [bomb, bareBomb]) {
      expect(file.length).toBeLessThan(400 * 1024);
      expect(() => readDicomHeader(file, true)).toThrow(expect.objectContaining({ code: 'deflate-bomb' }));
      expect(() => readDicomHeader(file.subarray(0, 64 * 1024), false)).toThrow(expect.objectContaining({ code: 'deflate-bomb' }));
      expect(() => parseInstanceHeader(file)).toThrow(expect.objectContaining({ code: 'deflate-bomb' }));
    }
  });

  it('still reads a real deflated file whose pixel data inflates far past the bound (it comes after the header)', () => {
    const large = writeInstance({ ...spec, rows: 3000, columns: 3000 }, { transferSyntaxUid: TRANSFER_SYNTAX.deflatedExplicitLittleEndian });
    expect(readDicomHeader(large.subarray(0, 64 * 1024), false)).toMatchObject({ studyUid: spec.studyInstanceUid, sopInstanceUid: spec.sopInstanceUid });
    expect(readDicomHeader(large, true)?.image).toMatchObject({ rows: 3000, columns: 3000, modality: 'CT' });
    const result = parseInstanceHeader(large);
    expect(result?.kind === 'instance' && result.header.instance.sopInstanceUid).toBe(spec.sopInstanceUid);
  });

  it('reads at most 16 MiB of a 1.5 GiB sparse file whose header never reaches pixel data, and describes what it read', () => {
    const file = path.join(dir, 'sparse.dcm');
    const header = writeInstance({ ...spec, rows: 0, columns: 0 });
    const fd = openSync(file, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 1.5 * 1024 ** 3);
    closeSync(fd);
    let most = 0;
    const result = readHeaderFromFile(file, (bytes, reading) => {
      most = Math.max(most, bytes.length);
      return parseInstanceHeader(bytes, reading.size, reading.last);
    });
    expect(most).toBeLessThanOrEqual(MAX_HEADER_BYTES);
    expect(result?.kind === 'instance' && result.header.study.uid).toBe(spec.studyInstanceUid);
    // The import's own reader is the same one.
    const imported = new HeaderFileReader().read(file);
    expect(imported.kind === 'instance' && imported.header.instance.sopInstanceUid).toBe(spec.sopInstanceUid);
  });

  it('refuses a sparse file that never says which instance it is, naming the bound', () => {
    const file = path.join(dir, 'zeros.dcm');
    const fd = openSync(file, 'w');
    writeSync(fd, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]));
    ftruncateSync(fd, 1.5 * 1024 ** 3);
    closeSync(fd);
    expect(() => new HeaderFileReader().read(file)).toThrow(expect.objectContaining({ code: expect.stringMatching(/header-too-long|corrupt|not-dicom/) }));
  });

  it('parses on a worker thread: a bomb is refused while the event loop keeps ticking', async () => {
    // Started once, so the worker's start-up is not what is measured.
    await parseHeaderOffThread(writeInstance(spec), true);
    let longest = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const at = performance.now();
      longest = Math.max(longest, at - last);
      last = at;
    }, 5);
    try {
      const results = await Promise.allSettled([parseHeaderOffThread(bomb, true), parseHeaderOffThread(bareBomb, true)]);
      expect(results.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['deflate-bomb', 'deflate-bomb']);
    } finally {
      clearInterval(ticker);
    }
    // A parse on this thread would hold it for the whole inflation (hundreds of ms and more).
    expect(longest).toBeLessThan(150);
  });
});
