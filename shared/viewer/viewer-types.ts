/**
 * What the viewer is handed when a study opens (contract call `viewer:open`): the study as a
 * reader knows it (or nothing identifying, where a policy says de-identified), and its series
 * and instances named by opaque keys of this viewing session. No file path, no hub token: the
 * renderer fetches an instance's bytes as `/viewer-data/<session>/<key>` from main, which alone
 * knows where they are.
 */

export interface ViewerInstance {
  /** Opaque, valid within its session only. */
  readonly key: string;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | null;
  /** Number of Frames (1 for a single-frame image; null when the index does not know). */
  readonly frames: number | null;
  readonly rows: number | null;
  readonly columns: number | null;
  readonly transferSyntaxUid: string | null;
}

export interface ViewerSeries {
  readonly seriesInstanceUid: string;
  readonly modality: string | null;
  readonly seriesNumber: number | null;
  readonly description: string | null;
  readonly instances: readonly ViewerInstance[];
}

export interface ViewerStudyFacts {
  readonly studyInstanceUid: string;
  readonly patientName: string | null;
  readonly patientId: string | null;
  readonly patientBirthDate: string | null;
  readonly studyDate: string | null;
  readonly description: string | null;
  readonly accessionNumber: string | null;
  readonly modalities: readonly string[];
}

export interface ViewerStudy {
  readonly sessionId: string;
  /** Where the pixels come from: this computer's files, or the hub (cached in main, bounded). */
  readonly source: 'local' | 'hub';
  /** A de-identified view: the overlay shows no patient, and `study` holds no identifying facts. */
  readonly deidentified: boolean;
  readonly study: ViewerStudyFacts;
  readonly series: readonly ViewerSeries[];
  /** Earlier studies of the same patient that this person may open, newest first (for the 1×2 comparison). */
  readonly priors: readonly { readonly studyInstanceUid: string; readonly studyDate: string | null; readonly description: string | null; readonly modalities: readonly string[] }[];
}

export interface ViewerSettings {
  /** The bound of the frame cache (main's cache of hub instances, and the renderer's decoded images), in MB. */
  readonly cacheMegabytes: number;
}

export const VIEWER_CACHE_MB = { min: 64, max: 8192, default: 512 } as const;

/** The URL path prefix under which main serves a session's instance bytes (loopback and app://). */
export const VIEWER_DATA_PREFIX = '/viewer-data/';

/** A session id or instance key as the URL carries it (checked before any lookup). */
export const VIEWER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
