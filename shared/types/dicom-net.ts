/** DICOM networking as the renderer sees it (issue 17): nodes, the listener, transfers, query results. */

export interface DicomNodeView {
  readonly id: number;
  readonly name: string;
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  /** How studies come back from it: C-MOVE to our listener, or C-GET. */
  readonly retrieve: 'move' | 'get';
}

export interface ListenerSettings {
  readonly enabled: boolean;
  readonly port: number;
  readonly aeTitle: string;
  /** Empty: any calling AE title may send. */
  readonly allowedAeTitles: readonly string[];
  /** Empty: any address may send. */
  readonly allowedAddresses: readonly string[];
  /** Put received studies on the hub by themselves (where this desktop is signed in to one). */
  readonly autoPublish: boolean;
}

export interface ListenerStatus extends ListenerSettings {
  readonly running: boolean;
  /** Set by --dicom-port / --ae-title at start: what Settings shows is overridden for this run. */
  readonly setByFlags: boolean;
  /** Why it is not running although enabled (port taken…). */
  readonly error: string | null;
  readonly associations: number;
  readonly received: number;
  readonly duplicates: number;
  readonly refused: number;
  /** The last refusal's sentence (a full disk says so here). */
  readonly lastRefusal: string | null;
  /** Received studies queued for the hub since start (Put received studies on the hub). */
  readonly published: number;
  /** Received studies waiting for their quiet period before they are published. */
  readonly publishWaiting: number;
  /** Why received studies are not being published (nobody signed in), else null. */
  readonly publishNote: string | null;
  /** The last calling AE titles seen, newest first. */
  readonly recentCallers: readonly { readonly aeTitle: string; readonly address: string; readonly instances: number; readonly at: string }[];
}

export type DicomJobKind = 'send' | 'query' | 'retrieve';
export type DicomJobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface DicomJobView {
  readonly id: string;
  readonly kind: DicomJobKind;
  readonly node: string;
  readonly state: DicomJobState;
  /** Instances to send or retrieve, matches found; null while not known. */
  readonly total: number | null;
  readonly done: number;
  readonly failed: number;
  readonly message: string | null;
}

export interface DicomNetStatus {
  readonly listener: ListenerStatus;
  readonly nodes: readonly DicomNodeView[];
  readonly jobs: readonly DicomJobView[];
}

export interface RemoteStudyView {
  readonly studyUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly birthDate: string;
  readonly accessionNumber: string;
  readonly studyDate: string;
  readonly description: string;
  readonly modalities: string;
  readonly seriesCount: number | null;
  readonly instanceCount: number | null;
  /** Already in the local index. */
  readonly local: boolean;
}

export interface RemoteSeriesView {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly modality: string;
  readonly seriesNumber: number | null;
  readonly description: string;
  readonly instanceCount: number | null;
}

export interface QueryPage {
  readonly job: DicomJobView;
  readonly total: number;
  readonly rows: readonly RemoteStudyView[];
}

export interface SendFailureView {
  readonly sopInstanceUid: string;
  readonly reason: string;
}
