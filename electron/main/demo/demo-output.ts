/**
 * Where the demo's images go: each image is encoded in its series' transfer syntax (native
 * frames as they are, compressed ones through pixel-codecs.ts), written as a Part 10 file under
 * <folder>/<study>/<series>/<instance>.dcm, and counted into a per-series report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NATIVE_SYNTAXES, writePart10, type NaturalDataset } from '../dicom-write/part10-dcmjs';
import { encodeFrames, isLossy, type CompressedSyntax, type EncodeOptions, type PixelFormat } from '../dicom-write/pixel-codecs';
import { ds, pixelModule, type DemoSeries, type DemoStudy } from './demo-headers';

export interface DemoSeriesReport {
  readonly study: string;
  readonly patientSex: string;
  readonly modality: string;
  readonly series: string;
  readonly transferSyntaxUid: string;
  readonly rows: number;
  readonly columns: number;
  files: number;
  frames: number;
  bytes: number;
}

/** Lossy compression must be declared in the image (PS3.3 C.7.6.1.1.5). */
const LOSSY_METHOD: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
};

export class DemoOutput {
  readonly reports: DemoSeriesReport[] = [];
  private readonly bySeries = new Map<string, DemoSeriesReport>();
  /** Encoded frames kept by key, so the many small worklist studies can share one encoding. */
  private readonly encoded = new Map<string, Uint8Array[]>();

  private readonly memos = new Map<string, unknown>();

  constructor(readonly folder: string) {}

  /** A phantom image computed once per run: the worklist's many small studies reuse them. */
  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }

  /**
   * Writes one image. `frames` are raw little-endian samples of `format`; `reuseKey` (optional)
   * names an encoding to reuse when the same pixels are written again under another header.
   */
  async image(
    study: DemoStudy,
    series: DemoSeries,
    instance: number,
    dataset: NaturalDataset,
    format: PixelFormat,
    /** The frames, or how to make them: not called when `reuseKey` finds an earlier encoding. */
    framesOrMake: readonly Uint8Array[] | (() => readonly Uint8Array[]),
    transferSyntaxUid: string,
    options: EncodeOptions & { readonly reuseKey?: string } = {},
  ): Promise<void> {
    const native = NATIVE_SYNTAXES.has(transferSyntaxUid);
    const key = options.reuseKey === undefined ? undefined : `${options.reuseKey}|${transferSyntaxUid}`;
    const cached = key === undefined ? undefined : this.encoded.get(key);
    const frames = (): readonly Uint8Array[] => (typeof framesOrMake === 'function' ? framesOrMake() : framesOrMake);
    const stored = cached ?? (native ? frames() : await encodeFrames(frames(), format, transferSyntaxUid as CompressedSyntax, options));
    if (key !== undefined && cached === undefined) this.encoded.set(key, [...stored]);
    const frameCount = stored.length;
    const header: NaturalDataset = { ...dataset, ...pixelModule(format) };
    if (!native) {
      if (isLossy(transferSyntaxUid as CompressedSyntax)) {
        const raw = format.rows * format.columns * format.samplesPerPixel * (format.bitsAllocated / 8) * frameCount;
        const compressed = stored.reduce((sum, frame) => sum + frame.length, 0);
        header.LossyImageCompression = '01';
        header.LossyImageCompressionRatio = ds(raw / compressed);
        header.LossyImageCompressionMethod = LOSSY_METHOD[transferSyntaxUid];
      }
    }
    const bytes = writePart10(header, { transferSyntaxUid, frames: stored, bitsAllocated: format.bitsAllocated });
    const file = path.join(this.folder, String(study.index), String(series.number), `${instance}.dcm`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);

    const seriesKey = `${study.index}/${series.number}`;
    let report = this.bySeries.get(seriesKey);
    if (report === undefined) {
      report = {
        study: study.description,
        patientSex: study.patient.sex,
        modality: series.modality,
        series: series.description,
        transferSyntaxUid,
        rows: format.rows,
        columns: format.columns,
        files: 0,
        frames: 0,
        bytes: 0,
      };
      this.bySeries.set(seriesKey, report);
      this.reports.push(report);
    }
    report.files += 1;
    report.frames += frameCount;
    report.bytes += bytes.length;
    // Generation is CPU-bound and, in Electron, runs in the main process beside the windows'
    // IPC: give the event loop a turn after every image rather than hold it for the whole run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
