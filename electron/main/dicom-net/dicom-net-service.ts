/**
 * DICOM networking for the app: runs the listener from its settings (or the start flags),
 * keeps the node list, and runs sends, queries and retrievals as jobs with progress and cancel,
 * pushing `dicom:activity` to the renderer and `data:changed` while studies arrive.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DicomJobKind, DicomJobState, DicomJobView, DicomNetStatus, DicomNodeView, ListenerSettings, ListenerStatus, QueryPage, RemoteSeriesView, RemoteStudyView, SendFailureView } from '../../../shared/types/dicom-net';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import { DicomNetError, echo, findSeries, findStudies, get, move, SEND_BATCH, storeFiles, type DicomNode, type RemoteStudy, type StudyQuery } from './dicom-client';
import { DicomListener, ListenerError } from './dicom-listener';
import {
  findNode,
  instancesToSend,
  listNodes,
  localStudyUids,
  NodeMissing,
  readListenerSettings,
  recordTransferEnd,
  recordTransferStart,
  removeNode,
  saveNode,
  studyPatient,
  writeListenerSettings,
} from './dicom-net-store';
import { ReceivedInstances } from './received-instances';
import type { HubOutbox } from './hub-outbox';
import { DEFAULT_QUIET_MS, publishReceivedStudies, QuietStudies } from './received-study-publisher';
import { recordSendOnHub, type SendRecord } from './send-audit';

export interface DicomNetOptions {
  readonly db: Database.Database;
  readonly bus: EventBus;
  readonly libraryDir: string;
  /** The person at the workstation, for the record of transfers. */
  readonly actor: () => string;
  /** `--dicom-port` / `--ae-title`: the listener runs with these whatever Settings say. */
  readonly flags?: { readonly port?: number; readonly aeTitle?: string };
  /** The hub connection: received studies are published there when the setting is on, and sends recorded on its audit trail. */
  readonly hub?: HubOutbox;
  /** How long a received study must go without a new instance before it is published (default a minute). */
  readonly publishQuietMs?: number;
  /** Matches kept per query (default QUERY_CAP); the test of a very large C-FIND sets it lower. */
  readonly queryCap?: number;
}

/** Matches kept per query: beyond, the person narrows the search. */
const QUERY_CAP = 50_000;
const ACTIVITY_EVERY_MS = 250;
const REFRESH_EVERY_MS = 1000;
const JOBS_KEPT = 20;

interface Job {
  view: { -readonly [K in keyof DicomJobView]: DicomJobView[K] };
  controller: AbortController;
  failures: { path: string; sopInstanceUid: string; reason: string }[];
  matches: RemoteStudy[];
  nodeId: number;
  /** A send's studies (a retry sends for the same ones). */
  studies: readonly string[];
}

const nodeAddress = (node: DicomNodeView): DicomNode => ({ aeTitle: node.aeTitle, host: node.host, port: node.port });

function messageOf(error: unknown): string {
  if (error instanceof DicomNetError || error instanceof ListenerError) return error.message;
  return 'The operation failed.';
}

export class DicomNetService {
  private readonly listener: DicomListener;
  private readonly retrieved: ReceivedInstances;
  private readonly jobs = new Map<string, Job>();
  private listenerError: string | null = null;
  private counts = { received: 0, duplicates: 0, refused: 0 };
  private lastRefusal: string | null = null;
  private readonly callers: ListenerStatus['recentCallers'][number][] = [];
  private activityTimer: NodeJS.Timeout | null = null;
  private lastRefresh = 0;
  private refreshTimer: NodeJS.Timeout | null = null;
  private readonly receivedStudies = new Set<string>();
  private readonly quiet: QuietStudies;
  private readonly queryCap: number;
  private published = 0;
  private publishNote: string | null = null;

  constructor(private readonly options: DicomNetOptions) {
    const { db, libraryDir } = options;
    const indexFailed = (instances: number, reason: string): void => {
      this.lastRefusal = `${instances} instance(s): ${reason}`;
      this.announce();
    };
    this.listener = new DicomListener(db, libraryDir, {
      trustedAeTitles: () => listNodes(db).map((node) => node.aeTitle),
      onIndexFailure: indexFailed,
      onOutcome: (association, outcome) => {
        if (outcome.kind === 'stored') {
          this.counts.received++;
          this.noteReceived(outcome.header.study.uid);
        } else if (outcome.kind === 'duplicate') this.counts.duplicates++;
        else {
          this.counts.refused++;
          this.lastRefusal = `${association.callingAeTitle}: ${outcome.reason}`;
        }
        const caller = this.callers.find((c) => c.aeTitle === association.callingAeTitle && c.address === association.address);
        if (caller !== undefined) Object.assign(caller, { instances: caller.instances + 1, at: new Date().toISOString() });
        this.announce();
      },
      onAssociation: (association, state) => {
        if (state === 'open') {
          const index = this.callers.findIndex((c) => c.aeTitle === association.callingAeTitle && c.address === association.address);
          const entry = index >= 0 ? this.callers.splice(index, 1)[0] : { aeTitle: association.callingAeTitle, address: association.address, instances: 0, at: '' };
          this.callers.unshift({ ...entry, at: new Date().toISOString() });
          this.callers.length = Math.min(this.callers.length, 10);
        } else {
          this.flushReceived();
        }
        this.announce();
      },
    });
    this.retrieved = new ReceivedInstances(db, libraryDir, indexFailed);
    this.queryCap = options.queryCap ?? QUERY_CAP;
    this.quiet = new QuietStudies(options.publishQuietMs ?? DEFAULT_QUIET_MS, (uids) => this.publish(uids));
  }

  /** Starts the listener if Settings (or the flags) say so. A port in use is reported, not thrown. */
  async start(): Promise<void> {
    // What a crash left in the receive journal (from the listener or a C-GET) is filed now, even
    // when the listener stays off.
    try {
      await this.retrieved.recover();
    } catch {
      // Left where they are, for the next start; said in Settings → DICOM.
      this.lastRefusal = 'Instances received before the app last stopped could not be filed yet; they are kept and tried again at the next start.';
    }
    await this.applyListener(this.effectiveSettings());
  }

  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.controller.abort();
    await this.listener.stop();
    await this.retrieved.settle();
    this.quiet.close();
    if (this.activityTimer !== null) clearTimeout(this.activityTimer);
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
  }

  status(): DicomNetStatus {
    const settings = this.effectiveSettings();
    return {
      listener: {
        ...settings,
        running: this.listener.running,
        port: this.listener.port ?? settings.port,
        setByFlags: this.options.flags?.port !== undefined || this.options.flags?.aeTitle !== undefined,
        error: this.listenerError,
        associations: this.listener.associations,
        ...this.counts,
        lastRefusal: this.lastRefusal,
        published: this.published,
        publishWaiting: this.quiet.waiting,
        publishNote: this.publishNote,
        recentCallers: this.callers.map((c) => ({ ...c })),
      },
      nodes: listNodes(this.options.db),
      jobs: [...this.jobs.values()].map((job) => ({ ...job.view })).reverse(),
    };
  }

  async setListener(settings: ListenerSettings): Promise<DicomNetStatus> {
    writeListenerSettings(this.options.db, settings);
    await this.applyListener(this.effectiveSettings());
    if (this.listenerError !== null) throw new AppError('listener-failed', this.listenerError);
    return this.status();
  }

  saveNode(node: Omit<DicomNodeView, 'id'> & { readonly id?: number }): DicomNodeView {
    try {
      const saved = saveNode(this.options.db, { ...node, aeTitle: node.aeTitle.trim() });
      this.announce();
      return saved;
    } catch (error) {
      if (error instanceof NodeMissing) throw new AppError('not-found', 'That DICOM node is no longer in the list.');
      if (/UNIQUE/.test((error as Error).message)) throw new AppError('node-exists', 'A node with this AE title, host and port is already in the list.');
      throw error;
    }
  }

  removeNode(id: number): { removed: boolean } {
    const removed = removeNode(this.options.db, id);
    this.announce();
    return { removed };
  }

  async echo(target: { id: number } | DicomNode): Promise<{ milliseconds: number }> {
    const node = 'id' in target ? nodeAddress(this.node(target.id)) : target;
    try {
      return await echo(node, { callingAeTitle: this.aeTitle() });
    } catch (error) {
      throw new AppError((error as DicomNetError).code ?? 'echo-failed', messageOf(error));
    }
  }

  send(input: { nodeId: number; studies: readonly string[]; series: readonly { studyUid: string; seriesUid: string }[] }): { jobId: string } {
    const node = this.node(input.nodeId);
    const instances = instancesToSend(this.options.db, input.studies, input.series);
    if (instances.length === 0) throw new AppError('nothing-to-send', 'The chosen studies have no instances in the index.');
    const studies = [...new Set([...input.studies, ...input.series.map((s) => s.studyUid)])];
    return this.runSend(node, instances, studies);
  }

  sendFailures(jobId: string): { failures: SendFailureView[] } {
    const job = this.job(jobId);
    return { failures: job.failures.map(({ sopInstanceUid, reason }) => ({ sopInstanceUid, reason })) };
  }

  retrySend(jobId: string): { jobId: string } {
    const job = this.job(jobId);
    if (job.view.kind !== 'send') throw new AppError('not-a-send', 'Only a send can be retried.');
    if (job.failures.length === 0) throw new AppError('nothing-to-retry', 'Every instance of that send arrived.');
    return this.runSend(this.node(job.nodeId), job.failures.map(({ path, sopInstanceUid }) => ({ path, sopInstanceUid })), job.studies);
  }

  query(input: { nodeId: number; patientName?: string; patientId?: string; accessionNumber?: string; dateFrom?: string; dateTo?: string; modality?: string }): { jobId: string } {
    const dicomDate = (date: string | undefined): string => (date ?? '').replaceAll('-', '');
    const from = dicomDate(input.dateFrom);
    const to = dicomDate(input.dateTo);
    const query: StudyQuery = {
      patientName: input.patientName === undefined || input.patientName === '' ? undefined : input.patientName.includes('*') ? input.patientName : `${input.patientName}*`,
      patientId: input.patientId || undefined,
      accessionNumber: input.accessionNumber || undefined,
      studyDate: from === '' && to === '' ? undefined : from === to ? from : `${from}-${to}`,
      modality: input.modality || undefined,
    };
    return this.runQuery(this.node(input.nodeId), query, null);
  }

  priors(input: { nodeId: number; studyUid: string }): { jobId: string } {
    const patient = studyPatient(this.options.db, input.studyUid);
    if (patient === null) throw new AppError('not-found', 'That study is no longer in the index.');
    if (patient.patientId === '') throw new AppError('no-patient-id', 'This study has no patient ID, so its priors cannot be searched for safely.');
    const before = patient.studyDate.replaceAll('-', '');
    return this.runQuery(this.node(input.nodeId), { patientId: patient.patientId }, (study) => study.studyUid !== input.studyUid && (before === '' || study.studyDate === '' || study.studyDate < before));
  }

  queryPage(input: { jobId: string; offset: number; limit: number }): QueryPage {
    const job = this.job(input.jobId);
    const rows = job.matches.slice(input.offset, input.offset + input.limit);
    const local = localStudyUids(this.options.db, rows.map((row) => row.studyUid));
    return {
      job: { ...job.view },
      total: job.matches.length,
      rows: rows.map(({ studyTime: _time, ...row }): RemoteStudyView => ({ ...row, local: local.has(row.studyUid) })),
    };
  }

  async querySeries(input: { nodeId: number; studyUid: string }): Promise<{ series: RemoteSeriesView[] }> {
    const node = this.node(input.nodeId);
    const series: RemoteSeriesView[] = [];
    try {
      await findSeries(nodeAddress(node), input.studyUid, { callingAeTitle: this.aeTitle(), onMatch: (s) => series.push(s) });
    } catch (error) {
      throw new AppError('query-failed', messageOf(error));
    }
    return { series: series.sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0)) };
  }

  retrieve(input: { nodeId: number; items: readonly { studyUid: string; seriesUid?: string }[] }): { jobId: string } {
    const node = this.node(input.nodeId);
    if (node.retrieve === 'move' && !this.listener.running) {
      throw new AppError('listener-off', `Retrieving from ${node.name} by C-MOVE needs the DICOM listener: turn it on in Settings (and make sure ${node.name} knows this workstation's AE title), or set the node to use C-GET.`);
    }
    const job = this.newJob('retrieve', node);
    const id = job.view.id;
    recordTransferStart(this.options.db, { id, kind: 'retrieve', nodeAeTitle: node.aeTitle, nodeAddress: `${node.host}:${node.port}`, actor: this.options.actor(), studies: [...new Set(input.items.map((i) => i.studyUid))] });
    const client = { callingAeTitle: this.aeTitle(), signal: job.controller.signal };
    void (async () => {
      let completed = 0;
      let failed = 0;
      try {
        // A C-GET writes through the receive journal: its segments are made before the first
        // instance comes (a no-op once they are), as the listener's are before it listens.
        if (node.retrieve === 'get') await this.retrieved.prepare();
        for (const item of input.items) {
          if (job.controller.signal.aborted) break;
          const base = { done: completed, failed };
          const onProgress = (p: { remaining: number | null; completed: number; failed: number }): void => {
            job.view.done = base.done + p.completed;
            job.view.failed = base.failed + p.failed;
            if (p.remaining !== null) job.view.total = job.view.done + job.view.failed + p.remaining;
            this.announce();
          };
          const result =
            node.retrieve === 'move'
              ? await move(nodeAddress(node), this.aeTitle(), item, { ...client, onProgress })
              : await get(nodeAddress(node), item, this.retrieved, {
                  ...client,
                  onProgress,
                  onOutcome: (outcome) => {
                    if (outcome.kind === 'stored') this.noteReceived(outcome.header.study.uid);
                  },
                });
          completed += result.completed;
          failed += result.failed;
          job.view.done = completed;
          job.view.failed = failed;
        }
        this.finish(job, failed > 0 ? 'failed' : 'done', failed > 0 ? `${failed} instance(s) could not be retrieved.` : null);
      } catch (error) {
        this.finish(job, job.controller.signal.aborted ? 'cancelled' : 'failed', job.controller.signal.aborted ? 'Cancelled: what arrived is kept.' : messageOf(error));
      }
      this.flushReceived();
      recordTransferEnd(this.options.db, id, job.view.state === 'running' ? 'done' : (job.view.state), { instances: completed + failed, succeeded: completed, failed });
    })();
    return { jobId: id };
  }

  cancel(jobId: string): { cancelled: boolean } {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.view.state !== 'running') return { cancelled: false };
    job.controller.abort();
    return { cancelled: true };
  }

  private runSend(node: DicomNodeView, instances: readonly { path: string; sopInstanceUid: string }[], studies: readonly string[]): { jobId: string } {
    const job = this.newJob('send', node);
    job.view.total = instances.length;
    job.studies = studies;
    const id = job.view.id;
    recordTransferStart(this.options.db, { id, kind: 'send', nodeAeTitle: node.aeTitle, nodeAddress: `${node.host}:${node.port}`, actor: this.options.actor(), studies });
    const bySop = new Map(instances.map((i) => [i.path, i.sopInstanceUid]));
    void (async () => {
      let error: unknown = null;
      for (let start = 0; start < instances.length && !job.controller.signal.aborted; start += SEND_BATCH) {
        const batch = instances.slice(start, start + SEND_BATCH).map((i) => i.path);
        try {
          await storeFiles(nodeAddress(node), batch, {
            callingAeTitle: this.aeTitle(),
            signal: job.controller.signal,
            onResult: (result) => {
              if (result.outcome === 'failed') {
                job.view.failed++;
                job.failures.push({ path: result.file, sopInstanceUid: bySop.get(result.file) ?? '', reason: result.reason ?? 'Not sent.' });
              } else job.view.done++;
              this.announce();
            },
          });
        } catch (failure) {
          error = failure;
          if ((failure as DicomNetError).code !== 'cancelled') {
            // Nothing of this batch went (the node refused or was unreachable): the rest would fare the same.
            for (const path of instances.slice(start + SEND_BATCH).map((i) => i.path)) {
              job.view.failed++;
              job.failures.push({ path, sopInstanceUid: bySop.get(path) ?? '', reason: messageOf(failure) });
            }
          }
          break;
        }
      }
      const cancelled = job.controller.signal.aborted;
      const state: 'done' | 'failed' | 'cancelled' = cancelled ? 'cancelled' : job.view.failed > 0 ? 'failed' : 'done';
      this.finish(job, state, cancelled ? 'Cancelled: what was sent stays sent.' : job.view.failed > 0 ? (error !== null ? messageOf(error) : `${job.view.failed} instance(s) were not accepted.`) : null);
      recordTransferEnd(this.options.db, id, state, { instances: instances.length, succeeded: job.view.done, failed: job.view.failed });
      this.recordSendOnHub({ studyUids: studies, node: nodeAddress(node), instances: instances.length, sent: job.view.done, failed: job.view.failed, outcome: state, sentAt: new Date() });
    })();
    return { jobId: id };
  }

  private runQuery(node: DicomNodeView, query: StudyQuery, keep: ((study: RemoteStudy) => boolean) | null): { jobId: string } {
    const job = this.newJob('query', node);
    void (async () => {
      try {
        await findStudies(nodeAddress(node), query, {
          callingAeTitle: this.aeTitle(),
          signal: job.controller.signal,
          onMatch: (study) => {
            if (job.matches.length >= this.queryCap || (keep !== null && !keep(study))) return;
            job.matches.push(study);
            job.view.done = job.matches.length;
            this.announce();
          },
        });
        job.matches.sort((a, b) => b.studyDate.localeCompare(a.studyDate));
        job.view.total = job.matches.length;
        this.finish(job, 'done', job.matches.length >= this.queryCap ? `Only the first ${this.queryCap.toLocaleString('en')} matches are shown: narrow the search.` : null);
      } catch (error) {
        job.matches.sort((a, b) => b.studyDate.localeCompare(a.studyDate));
        const cancelled = job.controller.signal.aborted;
        this.finish(job, cancelled ? 'cancelled' : 'failed', cancelled ? 'Search cancelled: the matches so far are shown.' : messageOf(error));
      }
    })();
    return { jobId: job.view.id };
  }

  private newJob(kind: DicomJobKind, node: DicomNodeView): Job {
    const job: Job = {
      view: { id: randomUUID(), kind, node: node.name, state: 'running', total: null, done: 0, failed: 0, message: null },
      controller: new AbortController(),
      failures: [],
      matches: [],
      nodeId: node.id,
      studies: [],
    };
    this.jobs.set(job.view.id, job);
    // Keep the latest jobs only (finished ones go first).
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= JOBS_KEPT) break;
      if (old.view.state !== 'running') this.jobs.delete(id);
    }
    this.announce();
    return job;
  }

  private finish(job: Job, state: DicomJobState, message: string | null): void {
    job.view.state = state;
    job.view.message = message;
    this.announce(true);
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new AppError('not-found', 'That transfer is no longer listed.');
    return job;
  }

  private node(id: number): DicomNodeView {
    const node = findNode(this.options.db, id);
    if (node === null) throw new AppError('not-found', 'That DICOM node is no longer in the list.');
    return node;
  }

  private aeTitle(): string {
    return this.effectiveSettings().aeTitle;
  }

  private effectiveSettings(): ListenerSettings {
    const saved = readListenerSettings(this.options.db);
    const flags = this.options.flags;
    if (flags?.port === undefined && flags?.aeTitle === undefined) return saved;
    return { ...saved, enabled: true, port: flags.port ?? saved.port, aeTitle: flags.aeTitle ?? saved.aeTitle };
  }

  private async applyListener(settings: ListenerSettings): Promise<void> {
    this.listenerError = null;
    if (!settings.enabled) {
      await this.listener.stop();
    } else {
      try {
        await this.listener.start({ port: settings.port, aeTitle: settings.aeTitle, allowedAeTitles: settings.allowedAeTitles, allowedAddresses: settings.allowedAddresses });
      } catch (error) {
        this.listenerError = messageOf(error);
      }
    }
    this.announce(true);
  }

  /** Worklists refresh at most once a second while instances arrive (as an import does). */
  private studiesChanged(): void {
    const now = performance.now();
    if (now - this.lastRefresh >= REFRESH_EVERY_MS) {
      this.lastRefresh = now;
      this.options.bus.emit('data:changed', { reason: 'import' });
      return;
    }
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = null;
      this.lastRefresh = performance.now();
      this.options.bus.emit('data:changed', { reason: 'import' });
    }, REFRESH_EVERY_MS);
  }

  /** An instance was filed: the worklist refreshes, and its study's quiet period (for publishing) starts again. */
  private noteReceived(studyUid: string): void {
    this.receivedStudies.add(studyUid);
    this.studiesChanged();
    if (this.options.hub !== undefined && this.effectiveSettings().autoPublish) this.quiet.noteInstance(studyUid);
  }

  /** An association or retrieval ended: the worklist shows what it brought at once. */
  private flushReceived(): void {
    if (this.receivedStudies.size === 0) return;
    this.receivedStudies.clear();
    this.options.bus.emit('data:changed', { reason: 'import' });
  }

  /** A send ended: its hub-known studies get the record on the hub's audit trail (send-audit.ts). */
  private recordSendOnHub(record: SendRecord): void {
    if (this.options.hub === undefined || record.studyUids.length === 0) return;
    try {
      recordSendOnHub(this.options.hub, record);
    } catch {
      // The index closing under us (the app quitting): the desktop's own record (dicom_transfers) stands.
    }
  }

  /** Studies gone quiet: into the outbox (see received-study-publisher.ts); the setting is read again (it may have been turned off meanwhile). */
  private publish(uids: readonly string[]): void {
    // An instance is acknowledged once its journal record is durable; its library file and index
    // row follow. Publishing reads the index, so it waits for both receive paths to catch up.
    void Promise.all([this.listener.indexNow(), this.retrieved.indexNow()]).then(
      () => this.queueForHub(uids),
      () => this.queueForHub(uids),
    );
  }

  private queueForHub(uids: readonly string[]): void {
    const target = this.options.hub;
    if (target === undefined || !this.effectiveSettings().autoPublish) return;
    try {
      const outcome = publishReceivedStudies(this.options.db, target, uids);
      this.published += outcome.queued;
      this.publishNote = outcome.note;
    } catch {
      // The index closing under us (the app quitting): the studies stay local, publishable by hand.
      this.publishNote = 'Some received studies could not be queued for the hub: put them there with Actions → Share.';
    }
    this.announce();
  }

  private announce(now = false): void {
    if (now) {
      if (this.activityTimer !== null) clearTimeout(this.activityTimer);
      this.activityTimer = null;
      this.options.bus.emit('dicom:activity', this.status());
      return;
    }
    this.activityTimer ??= setTimeout(() => {
      this.activityTimer = null;
      this.options.bus.emit('dicom:activity', this.status());
    }, ACTIVITY_EVERY_MS);
  }
}
