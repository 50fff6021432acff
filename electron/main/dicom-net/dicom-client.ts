/**
 * The workstation as a DIMSE client (SCU) of a PACS node: C-ECHO, C-STORE (send), C-FIND
 * (study root, study and series level), C-MOVE and C-GET — each one association, wrapped in a
 * promise with a deadline, cancellable where DICOM allows (C-CANCEL), and failing with a
 * sentence a person understands (nothing answers, refused, timed out).
 *
 * Sending: dcmjs-dimse proposes, per SOP class, the file's own transfer syntax and the two
 * uncompressed little-endian ones, sends each file in the syntax the peer accepted for it, and
 * transcodes (decompressing through dcmjs-codecs) when the peer took only uncompressed.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dimse, type DimseDataset } from './dimse';
import type { ReceiveOutcome, ReceivedInstances } from './received-instances';
import { readPart10Meta } from './part10-meta';
import { STORE_STATUS } from './sop-classes';
import type { SpoolFile } from './spool-file';

export interface DicomNode {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export type DicomNetErrorCode = 'unreachable' | 'timeout' | 'rejected' | 'aborted' | 'cancelled' | 'failed';

export class DicomNetError extends Error {
  constructor(
    readonly code: DicomNetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DicomNetError';
  }
}

export interface ClientOptions {
  readonly callingAeTitle: string;
  /** How long the node may take to accept the connection and the association (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** How long the node may stay silent once associated (default 60 s). */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

type Client = InstanceType<typeof dimse.Client>;

const REJECT_REASONS: Readonly<Record<number, string>> = {
  1: 'it gave no reason',
  3: 'it does not know our AE title (add this workstation to the node\'s list of allowed callers)',
  7: 'it does not know the AE title we called (check the node\'s AE title)',
  2: 'it does not support the application context',
};

let codecsReady: Promise<void> | null = null;
/** dcmjs-codecs (WebAssembly) decompresses for a peer that accepts only uncompressed data. */
function ensureCodecs(): Promise<void> {
  codecsReady ??= dimse.Transcoding.initializeAsync().catch(() => {
    codecsReady = null;
  });
  return codecsReady;
}

/** Runs the client's queued requests over one association; resolves when it is closed. */
function runAssociation(client: Client, node: DicomNode, options: ClientOptions, onCancel: () => void): Promise<void> {
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const idleTimeout = options.idleTimeoutMs ?? 60_000;
  return new Promise<void>((resolve, reject) => {
    let failure: DicomNetError | null = null;
    let associated = false;
    const fail = (error: DicomNetError): void => {
      failure ??= error;
    };
    const deadline = setTimeout(() => {
      if (associated) return;
      fail(new DicomNetError('timeout', `${node.aeTitle} at ${node.host}:${node.port} did not answer within ${Math.round(connectTimeout / 1000)} s.`));
      try {
        client.abort();
      } catch {
        // not connected yet: closing the socket below ends it
      }
      (client as unknown as { network?: { socket?: { destroy(): void } } }).network?.socket?.destroy();
    }, connectTimeout);
    const abortListener = (): void => {
      fail(new DicomNetError('cancelled', 'Cancelled.'));
      onCancel();
    };
    options.signal?.addEventListener('abort', abortListener, { once: true });
    client.on('connected', () => {
      // Requests and responses are small writes each side waits for: no Nagle delay (see store-scp.ts).
      (client as unknown as { network?: { socket?: { setNoDelay(on: boolean): void } } }).network?.socket?.setNoDelay(true);
    });
    client.on('associationAccepted', () => {
      associated = true;
      clearTimeout(deadline);
    });
    client.on('associationRejected', (rejection: { result: number; source: number; reason: number }) => {
      fail(new DicomNetError('rejected', `${node.aeTitle} refused the association: ${REJECT_REASONS[rejection.reason] ?? `reason ${rejection.reason}`}.`));
    });
    client.on('networkError', (error: Error & { code?: string }) => {
      const text = error.message ?? '';
      if (/ECONNREFUSED/.test(text)) fail(new DicomNetError('unreachable', `Nothing answers at ${node.host}:${node.port}: check the address and port, and that the node is running.`));
      else if (/ENOTFOUND|EAI_AGAIN/.test(text)) fail(new DicomNetError('unreachable', `The host name ${node.host} is not known on this network.`));
      else if (/timeout/i.test(text)) fail(new DicomNetError('timeout', `${node.aeTitle} stopped answering (no reply for ${Math.round(idleTimeout / 1000)} s).`));
      else fail(new DicomNetError('failed', `The connection to ${node.aeTitle} failed.`));
    });
    client.on('closed', () => {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', abortListener);
      if (failure !== null) reject(failure);
      else resolve();
    });
    client.send(node.host, node.port, options.callingAeTitle, node.aeTitle, {
      connectTimeout: idleTimeout,
      associationTimeout: connectTimeout,
      pduTimeout: idleTimeout,
    });
  });
}

/** How long a node may take to end an operation after C-CANCEL before the association is aborted. */
const CANCEL_GRACE_MS = 1500;

/**
 * C-CANCEL, then A-ABORT if the node goes on: some (Orthanc's C-FIND among them) finish
 * sending every match before they look at a cancel, and a person who pressed Cancel should not
 * wait for ten thousand matches.
 */
function cancelThenAbort(client: Client, request: Parameters<Client['cancel']>[0]): void {
  try {
    client.cancel(request);
  } catch {
    // not associated yet: the abort below ends the connection
  }
  setTimeout(() => {
    try {
      client.abort();
    } catch {
      // already closed
    }
    (client as unknown as { network?: { socket?: { destroy(): void } } }).network?.socket?.destroy();
  }, CANCEL_GRACE_MS).unref();
}

export async function echo(node: DicomNode, options: ClientOptions): Promise<{ readonly milliseconds: number }> {
  const started = performance.now();
  const client = new dimse.Client();
  const request = new dimse.requests.CEchoRequest();
  let status: number | null = null;
  request.on('response', (response: { getStatus(): number }) => (status = response.getStatus()));
  client.addRequest(request);
  await runAssociation(client, node, options, () => client.abort());
  if (status !== dimse.constants.Status.Success) throw new DicomNetError('failed', `${node.aeTitle} did not confirm the echo.`);
  return { milliseconds: Math.round(performance.now() - started) };
}

export interface StoreResult {
  readonly file: string;
  readonly status: number | null;
  readonly outcome: 'sent' | 'warning' | 'failed';
  readonly reason: string | null;
}

function storeReason(status: number | null, comment: string): string {
  if (status === null) return 'The node did not accept this kind of object or transfer syntax.';
  if ((status & 0xff00) === 0xa700) return 'The node is out of resources (its disk may be full).';
  if ((status & 0xf000) === 0xc000) return 'The node could not understand the instance.';
  if (status === 0x0122) return 'The node does not store this kind of object.';
  if (status === 0xa900) return 'The node says the data set does not match its SOP class.';
  return `The node refused the instance (status 0x${status.toString(16).padStart(4, '0')}${comment === '' ? '' : `: ${comment}`}).`;
}

/**
 * The data set of a Part 10 file as its bytes, after the preamble and group 0002; null for a
 * file without them (sent through dcmjs as a whole).
 */
function rawDataSet(file: string): Buffer | null {
  const bytes = readFileSync(file);
  if (bytes.length < 144 || bytes.toString('latin1', 128, 132) !== 'DICM') return null;
  // (0002,0000) UL, explicit VR little endian: the length of the rest of group 0002.
  if (bytes.readUInt16LE(132) !== 0x0002 || bytes.readUInt16LE(134) !== 0x0000 || bytes.toString('latin1', 136, 138) !== 'UL') return null;
  const start = 144 + bytes.readUInt32LE(140);
  return start <= bytes.length ? bytes.subarray(start) : null;
}

/**
 * Sends the file's data set bytes as they are when the node accepted the file's own transfer
 * syntax: dcmjs-dimse would otherwise parse every file whole and encode it again (most of a
 * send's time). When the node took another syntax, the library's path (parse, transcode) runs
 * through `getElements`, read then and only then.
 */
function passThrough(request: InstanceType<typeof dimse.requests.CStoreRequest>, file: string, syntax: string): void {
  const target = request as unknown as { loadFullDatasetIfNeeded(): void; setDataset(dataset: unknown): void };
  target.loadFullDatasetIfNeeded = () => {
    const raw = syntax === '' ? null : rawDataSet(file);
    if (raw === null) {
      target.setDataset(dimse.Dataset.fromFile(file));
      return;
    }
    let whole: DimseDataset | undefined;
    const full = (): DimseDataset => (whole ??= dimse.Dataset.fromFile(file) as DimseDataset);
    target.setDataset({
      getTransferSyntaxUid: () => syntax,
      setTransferSyntaxUid: () => undefined,
      getDenaturalizedDataset: () => raw,
      getElements: () => full().getElements(),
      getElement: (tag: string) => full().getElement(tag),
    });
  };
}

/** The first bytes of a file: enough for its File Meta Information (a few hundred bytes, nearly always). */
function readHead(file: string, bytes = 16 * 1024): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * A C-STORE request for a file, addressed from its File Meta Information alone: the library's
 * own constructor reads the whole file and parses it with dcmjs up to the SOP Instance UID, for
 * every file of the send before the first goes (measured: most of a send's time after the
 * command coding). A file without usable meta takes the library's path.
 */
function storeRequest(file: string): InstanceType<typeof dimse.requests.CStoreRequest> {
  const meta = readPart10Meta(readHead(file));
  if (meta === null) return new dimse.requests.CStoreRequest(file);
  return new dimse.requests.CStoreRequest(new dimse.Dataset({ SOPClassUID: meta.sopClassUid, SOPInstanceUID: meta.sopInstanceUid }, meta.transferSyntaxUid));
}

/**
 * Files per association when sending many: dcmjs-dimse keeps every request of an association
 * (and searches them all for each response), so one association of 5,000 files ran at a fifth
 * of the speed of ten of 500 (measured).
 */
export const SEND_BATCH = 500;

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** PS3.8: presentation context IDs are the odd numbers 1–255. */
const MAX_CONTEXTS = 128;

/**
 * dcmjs-dimse proposes one context per SOP class with both little-endian syntaxes; a node picks
 * one (storescp and Orthanc: explicit), and every file in the other was then parsed whole and
 * encoded again (a quarter of the bench's files; most of a send's CPU in the profile). So each
 * little-endian syntax the files are in also gets a context of its own: the library sends each
 * file on the context accepted in its own syntax when there is one (pass-through, no re-encode),
 * and the shared context stays the fall-back for a node that takes only one syntax.
 */
function proposeExactSyntaxes(client: Client, bySopClass: ReadonlyMap<string, ReadonlySet<string>>): void {
  // Every SOP class has its shared context already, plus one per other syntax it may add.
  let contexts = bySopClass.size * 2;
  for (const [sopClass, syntaxes] of bySopClass) {
    for (const syntax of syntaxes) {
      if (contexts >= MAX_CONTEXTS) return;
      client.addAdditionalPresentationContext(new dimse.association.PresentationContext(0, sopClass, syntax), true);
      contexts++;
    }
  }
}

/** Sends files over one association; each file's outcome is reported as its response arrives. */
export async function storeFiles(
  node: DicomNode,
  files: readonly string[],
  options: ClientOptions & { readonly onResult?: (result: StoreResult) => void },
): Promise<readonly StoreResult[]> {
  const client = new dimse.Client();
  const results = new Map<string, StoreResult>();
  const report = (result: StoreResult): void => {
    results.set(result.file, result);
    options.onResult?.(result);
  };
  let compressed = false;
  const uncompressed = new Map<string, Set<string>>();
  for (const file of files) {
    let request: InstanceType<typeof dimse.requests.CStoreRequest>;
    try {
      request = storeRequest(file);
    } catch {
      report({ file, status: null, outcome: 'failed', reason: 'The file could not be read as DICOM.' });
      continue;
    }
    const syntax = request.getDataset()?.getTransferSyntaxUid() ?? '';
    if (syntax !== IMPLICIT_LE && syntax !== EXPLICIT_LE) compressed = true;
    else {
      const sopClass = request.getAffectedSopClassUid() ?? '';
      if (!uncompressed.has(sopClass)) uncompressed.set(sopClass, new Set());
      uncompressed.get(sopClass)?.add(syntax);
    }
    passThrough(request, file, syntax);
    request.on('response', (response: { getStatus(): number; getErrorComment(): string }) => {
      const status = response.getStatus();
      const outcome = status === 0 ? 'sent' : (status & 0xf000) === 0xb000 ? 'warning' : 'failed';
      report({ file, status, outcome, reason: outcome === 'sent' ? null : storeReason(status, response.getErrorComment() ?? '') });
      // The full data set was loaded to be sent: let it go now, not at the end of the study.
      (request as unknown as { dataset?: unknown }).dataset = undefined;
    });
    client.addRequest(request);
  }
  if (compressed) await ensureCodecs();
  proposeExactSyntaxes(client, uncompressed);
  if (results.size < files.length) {
    try {
      await runAssociation(client, node, options, () => client.abort());
    } catch (error) {
      // Whatever was answered stands; the rest failed with the association's reason.
      for (const file of files) {
        if (!results.has(file)) report({ file, status: null, outcome: 'failed', reason: (error as Error).message });
      }
      if (results.size === 0 || (error as DicomNetError).code === 'cancelled') throw error;
    }
  }
  for (const file of files) if (!results.has(file)) report({ file, status: null, outcome: 'failed', reason: storeReason(null, '') });
  return files.map((file) => results.get(file) as StoreResult);
}

export type QueryLevel = 'STUDY' | 'SERIES';

export interface RemoteStudy {
  readonly studyUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly birthDate: string;
  readonly accessionNumber: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly description: string;
  readonly modalities: string;
  readonly seriesCount: number | null;
  readonly instanceCount: number | null;
}

export interface RemoteSeries {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly modality: string;
  readonly seriesNumber: number | null;
  readonly description: string;
  readonly instanceCount: number | null;
}

export interface StudyQuery {
  readonly patientName?: string;
  readonly patientId?: string;
  readonly accessionNumber?: string;
  /** DICOM range: `20240101-20240131`, `20240101-`, `-20231231` or one date. */
  readonly studyDate?: string;
  readonly modality?: string;
  readonly studyUid?: string;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(text).join('\\');
  if (typeof value === 'object') return text((value as { Alphabetic?: unknown }).Alphabetic);
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function count(value: unknown): number | null {
  const parsed = Number.parseInt(text(value), 10);
  return Number.isFinite(parsed) ? parsed : null;
}

function toStudy(elements: Record<string, unknown>): RemoteStudy {
  return {
    studyUid: text(elements.StudyInstanceUID),
    patientName: text(elements.PatientName),
    patientId: text(elements.PatientID),
    birthDate: text(elements.PatientBirthDate),
    accessionNumber: text(elements.AccessionNumber),
    studyDate: text(elements.StudyDate),
    studyTime: text(elements.StudyTime),
    description: text(elements.StudyDescription),
    modalities: text(elements.ModalitiesInStudy),
    seriesCount: count(elements.NumberOfStudyRelatedSeries),
    instanceCount: count(elements.NumberOfStudyRelatedInstances),
  };
}

function toSeries(elements: Record<string, unknown>): RemoteSeries {
  return {
    studyUid: text(elements.StudyInstanceUID),
    seriesUid: text(elements.SeriesInstanceUID),
    modality: text(elements.Modality),
    seriesNumber: count(elements.SeriesNumber),
    description: text(elements.SeriesDescription),
    instanceCount: count(elements.NumberOfSeriesRelatedInstances),
  };
}

/** C-FIND, study root, study level; each match is handed over as it arrives. */
export async function findStudies(node: DicomNode, query: StudyQuery, options: ClientOptions & { readonly onMatch: (study: RemoteStudy) => void }): Promise<void> {
  const keys: Record<string, unknown> = {};
  if (query.patientName) keys.PatientName = query.patientName;
  if (query.patientId) keys.PatientID = query.patientId;
  if (query.accessionNumber) keys.AccessionNumber = query.accessionNumber;
  if (query.studyDate) keys.StudyDate = query.studyDate;
  if (query.modality) keys.ModalitiesInStudy = query.modality;
  if (query.studyUid) keys.StudyInstanceUID = query.studyUid;
  const request = dimse.requests.CFindRequest.createStudyFindRequest(keys);
  await runFind(node, request, options, (elements) => options.onMatch(toStudy(elements)));
}

/** C-FIND, study root, series level, within one study. */
export async function findSeries(node: DicomNode, studyUid: string, options: ClientOptions & { readonly onMatch: (series: RemoteSeries) => void }): Promise<void> {
  const request = dimse.requests.CFindRequest.createSeriesFindRequest({ StudyInstanceUID: studyUid, NumberOfSeriesRelatedInstances: '' });
  await runFind(node, request, options, (elements) => options.onMatch(toSeries(elements)));
}

async function runFind(
  node: DicomNode,
  request: InstanceType<typeof dimse.requests.CFindRequest>,
  options: ClientOptions,
  onElements: (elements: Record<string, unknown>) => void,
): Promise<void> {
  const client = new dimse.Client();
  let finalStatus: number | null = null;
  let answered = false;
  request.on('response', (response: { getStatus(): number; hasDataset(): boolean; getDataset(): DimseDataset | undefined }) => {
    answered = true;
    const status = response.getStatus();
    if (options.signal?.aborted) return;
    if ((status === 0xff00 || status === 0xff01) && response.hasDataset()) {
      const dataset = response.getDataset();
      if (dataset !== undefined) onElements(dataset.getElements());
    } else if (status !== 0xff00 && status !== 0xff01) finalStatus = status;
  });
  client.addRequest(request);
  await runAssociation(client, node, options, () => cancelThenAbort(client, request));
  if (options.signal?.aborted) throw new DicomNetError('cancelled', 'Cancelled.');
  // The node accepted the association but not the query's presentation context.
  if (!answered) throw new DicomNetError('failed', `${node.aeTitle} does not answer queries (C-FIND, study root).`);
  if (finalStatus !== null && finalStatus !== 0 && finalStatus !== 0xfe00) {
    throw new DicomNetError('failed', `${node.aeTitle} could not run the search (status 0x${(finalStatus as number).toString(16)}).`);
  }
}

export interface RetrieveProgress {
  readonly remaining: number | null;
  readonly completed: number;
  readonly failed: number;
  readonly warnings: number;
}

export interface RetrieveTarget {
  readonly studyUid: string;
  /** Absent: the whole study. */
  readonly seriesUid?: string;
}

function progressOf(response: { getRemaining(): number; getCompleted(): number; getFailures(): number; getWarnings(): number }): RetrieveProgress {
  const remaining = response.getRemaining();
  return {
    remaining: Number.isFinite(remaining) ? remaining : null,
    completed: response.getCompleted() ?? 0,
    failed: response.getFailures() ?? 0,
    warnings: response.getWarnings() ?? 0,
  };
}

function retrieveFailure(node: DicomNode, status: number): DicomNetError {
  if (status === 0xa801) return new DicomNetError('failed', `${node.aeTitle} does not know our AE title as a destination: add this workstation to its list of DICOM nodes.`);
  if (status === 0xa701 || status === 0xa702) return new DicomNetError('failed', `${node.aeTitle} is out of resources.`);
  return new DicomNetError('failed', `${node.aeTitle} could not complete the retrieval (status 0x${status.toString(16).padStart(4, '0')}).`);
}

/** C-MOVE to `destinationAe` (our listener); the instances arrive there. */
export async function move(
  node: DicomNode,
  destinationAe: string,
  target: RetrieveTarget,
  options: ClientOptions & { readonly onProgress?: (progress: RetrieveProgress) => void },
): Promise<RetrieveProgress> {
  const client = new dimse.Client();
  const request =
    target.seriesUid === undefined
      ? dimse.requests.CMoveRequest.createStudyMoveRequest(destinationAe, target.studyUid)
      : dimse.requests.CMoveRequest.createSeriesMoveRequest(destinationAe, target.studyUid, target.seriesUid);
  let last: RetrieveProgress = { remaining: null, completed: 0, failed: 0, warnings: 0 };
  let finalStatus: number | null = null;
  request.on('response', (response: Parameters<typeof progressOf>[0] & { getStatus(): number }) => {
    const status = response.getStatus();
    // A final response need not carry Remaining; nothing remains once it came.
    last = status === 0xff00 ? progressOf(response) : { ...progressOf(response), remaining: 0 };
    if (status === 0xff00) options.onProgress?.(last);
    else finalStatus = status;
  });
  client.addRequest(request);
  await runAssociation(client, node, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? 300_000 }, () => cancelThenAbort(client, request));
  if (options.signal?.aborted) throw new DicomNetError('cancelled', 'Cancelled.');
  if (finalStatus === null) throw new DicomNetError('failed', `${node.aeTitle} does not offer this retrieval (C-MOVE).`);
  if (finalStatus !== 0 && (finalStatus & 0xf000) !== 0xb000 && finalStatus !== 0xfe00) throw retrieveFailure(node, finalStatus);
  return last;
}

/**
 * C-GET: the node sends the instances back over this association as C-STORE sub-operations.
 * They are spooled to disk and committed exactly as the listener does (the library's default
 * would hold each data set in memory and parse it whole).
 */
export async function get(
  node: DicomNode,
  target: RetrieveTarget,
  received: ReceivedInstances,
  options: ClientOptions & { readonly onProgress?: (progress: RetrieveProgress) => void; readonly onOutcome?: (outcome: ReceiveOutcome) => void },
): Promise<RetrieveProgress> {
  const client = new dimse.Client();
  const request =
    target.seriesUid === undefined
      ? dimse.requests.CGetRequest.createStudyGetRequest(target.studyUid)
      : dimse.requests.CGetRequest.createSeriesGetRequest(target.studyUid, target.seriesUid);
  let last: RetrieveProgress = { remaining: null, completed: 0, failed: 0, warnings: 0 };
  let finalStatus: number | null = null;
  request.on('response', (response: Parameters<typeof progressOf>[0] & { getStatus(): number }) => {
    const status = response.getStatus();
    // A final response need not carry Remaining; nothing remains once it came.
    last = status === 0xff00 ? progressOf(response) : { ...progressOf(response), remaining: 0 };
    if (status === 0xff00) options.onProgress?.(last);
    else finalStatus = status;
  });
  const spools = new Map<unknown, { spool: SpoolFile; facts: Parameters<ReceivedInstances['spool']>[0] }>();
  client.on('connected', () => {
    const network = (client as unknown as { network: { createStoreWritableStream: unknown; createDatasetFromStoreWritableStream: unknown } }).network;
    network.createStoreWritableStream = (context: { getAcceptedTransferSyntaxUid(): string }, storeRequest: { getAffectedSopClassUid(): string; getAffectedSopInstanceUid(): string }) => {
      const facts = {
        sopClassUid: storeRequest.getAffectedSopClassUid() ?? '',
        sopInstanceUid: storeRequest.getAffectedSopInstanceUid() ?? '',
        transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
        callingAeTitle: node.aeTitle,
      };
      const spool = received.spool(facts);
      spools.set(storeRequest, { spool, facts });
      return spool;
    };
    network.createDatasetFromStoreWritableStream = (_writable: unknown, context: { getAcceptedTransferSyntaxUid(): string }, callback: (dataset: DimseDataset) => void) =>
      callback(new dimse.Dataset({}, context.getAcceptedTransferSyntaxUid()));
  });
  client.on('cStoreRequest', (storeRequest: InstanceType<typeof dimse.requests.CStoreRequest>, callback: (response: unknown) => void) => {
    const entry = spools.get(storeRequest);
    spools.delete(storeRequest);
    const answer = (outcome: ReceiveOutcome): void => {
      options.onOutcome?.(outcome);
      const response = dimse.responses.CStoreResponse.fromRequest(storeRequest);
      response.setStatus(outcome.kind === 'refused' ? outcome.status : STORE_STATUS.success);
      callback(response);
    };
    if (entry === undefined) {
      answer({ kind: 'refused', status: STORE_STATUS.cannotUnderstand, code: 'no-data-set', reason: 'No data set.' });
      return;
    }
    received.commit(entry.spool, entry.facts).then(answer, () => answer({ kind: 'refused', status: STORE_STATUS.processingFailure, code: 'internal', reason: 'Not stored.' }));
  });
  client.addRequest(request);
  const closeSender = received.openSender();
  try {
    await runAssociation(client, node, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? 300_000 }, () => cancelThenAbort(client, request));
  } finally {
    closeSender();
    // What arrived is in the index when the retrieval returns, whatever ended it.
    await received.indexNow();
  }
  for (const { spool } of spools.values()) spool.destroy();
  if (options.signal?.aborted) throw new DicomNetError('cancelled', 'Cancelled.');
  if (finalStatus === null) throw new DicomNetError('failed', `${node.aeTitle} does not offer this retrieval (C-GET).`);
  if (finalStatus !== 0 && (finalStatus & 0xf000) !== 0xb000 && finalStatus !== 0xfe00) throw retrieveFailure(node, finalStatus);
  return last;
}
