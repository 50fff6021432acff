/**
 * Viewing sessions: `open` checks that the person signed in may see the study, records the
 * opening once on the audit trail, and hands the renderer a manifest whose instances are opaque
 * keys; `serve` answers `/viewer-data/<session>/<key>` with the instance's bytes — from the file
 * the local index points to, or from the hub through a cache bounded in bytes (LRU, the viewer's
 * setting). The renderer never learns a path or the hub's token. Sessions live in this process
 * only and end with `close`, with the lock, or with the app.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import type { StudySummary } from '../../../shared/types/study';
import { viewerManifestRoute } from '../../../shared/hub-api/viewer';
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';
import { VIEWER_CACHE_MB, VIEWER_DATA_PREFIX, VIEWER_TOKEN_PATTERN, type ViewerSeries, type ViewerSettings, type ViewerStudy } from '../../../shared/viewer/viewer-types';
import { AppError } from '../api/app-error';
import { FrameCache } from './frame-cache';
import { localStudyInstances, samePatientStudies } from './viewer-lookup';
import { readViewerSettings, writeViewerSettings } from './viewer-settings';

type StudyRef = { readonly uid: string } | { readonly hubId: string };

/** What the service needs from the rest of the app (kept narrow so it is tested without a hub). */
export interface ViewerDeps {
  readonly db: Database.Database;
  readonly dataDir: string;
  /** Whether the person signed in may see this local study. */
  readonly localVisible: (studyUid: string) => boolean;
  readonly findStudy: (studyUid: string) => StudySummary | null;
  /** Records the opening on the hub's audit trail where the hub knows the study (a view); answers what the hub said of it. */
  readonly recordOpened: (ref: StudyRef) => Promise<{ readonly hubStudyId: string | null; readonly summary: StudySummary | null }>;
  readonly hubRoute: <R extends HubRoute>(route: R, input: HubRouteRequest<R>) => Promise<HubRouteResponse<R>>;
  readonly hubBytes: (pathname: string) => Promise<Uint8Array>;
  readonly log?: (line: string) => void;
}

interface LocalItem {
  readonly kind: 'local';
  readonly path: string;
}
interface HubItem {
  readonly kind: 'hub';
  readonly hubStudyId: string;
  readonly sop: string;
  /** Seen de-identified (visibility rule 14): the bytes come de-identified from the hub's viewer route. */
  readonly deidentified?: boolean;
}
interface Session {
  readonly id: string;
  readonly items: Map<string, LocalItem | HubItem>;
}

/** An answer for `/viewer-data/…`: the bytes, or a status with a sentence the viewport shows. */
export type ViewerDataAnswer = { readonly status: 200; readonly body: Uint8Array } | { readonly status: number; readonly code: string; readonly message: string };

const MB = 1024 * 1024;
/** Sessions kept at most (an old one is dropped first): a viewer that never closed its sessions cannot grow main without bound. */
const MAX_SESSIONS = 16;

const token = (): string => randomBytes(16).toString('base64url');

export class ViewerService {
  private readonly sessions = new Map<string, Session>();
  private readonly cache: FrameCache;
  private settings: ViewerSettings;

  constructor(private readonly deps: ViewerDeps) {
    this.settings = readViewerSettings(deps.dataDir);
    this.cache = new FrameCache(this.settings.cacheMegabytes * MB);
  }

  getSettings(): ViewerSettings {
    return this.settings;
  }

  setSettings(settings: ViewerSettings): ViewerSettings {
    const cacheMegabytes = Math.min(VIEWER_CACHE_MB.max, Math.max(VIEWER_CACHE_MB.min, Math.round(settings.cacheMegabytes)));
    this.settings = { cacheMegabytes };
    writeViewerSettings(this.deps.dataDir, this.settings);
    this.cache.setLimit(cacheMegabytes * MB);
    return this.settings;
  }

  /** Bytes held by the hub-instance cache now (the bench reads it). */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  async open(ref: StudyRef): Promise<ViewerStudy> {
    if ('uid' in ref) return this.openLocal(ref.uid);
    return this.openHub(ref.hubId);
  }

  close(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.cache.deletePrefix(`${sessionId}/`);
  }

  /** Forgets every session and cached byte (the workstation locked, or another person signed in). */
  closeAll(): void {
    this.sessions.clear();
    this.cache.clear();
  }

  private newSession(): Session {
    if (this.sessions.size >= MAX_SESSIONS) this.close(this.sessions.keys().next().value!);
    const session: Session = { id: token(), items: new Map() };
    this.sessions.set(session.id, session);
    return session;
  }

  private async openLocal(uid: string): Promise<ViewerStudy> {
    const study = this.deps.localVisible(uid) ? this.deps.findStudy(uid) : null;
    if (study === null) throw new AppError('not-found', 'That study is no longer in the index.');
    const rows = localStudyInstances(this.deps.db, uid);
    // Recorded on the hub's trail without holding up the first image (a round trip to the hub).
    void this.recordQuietly({ uid });
    const session = this.newSession();
    const series: (ViewerSeries & { instances: ViewerSeries['instances'][number][] })[] = [];
    for (const row of rows) {
      let current = series.at(-1);
      if (current === undefined || current.seriesInstanceUid !== row.seriesUid) {
        current = { seriesInstanceUid: row.seriesUid, modality: row.modality, seriesNumber: row.seriesNumber, description: row.seriesDescription, instances: [] };
        series.push(current);
      }
      const key = token();
      session.items.set(key, { kind: 'local', path: row.path });
      current.instances.push({
        key,
        sopInstanceUid: row.sopInstanceUid,
        instanceNumber: row.instanceNumber,
        frames: row.frames,
        rows: row.rows,
        columns: row.columns,
        transferSyntaxUid: row.transferSyntaxUid,
      });
    }
    const priors = samePatientStudies(this.deps.db, uid)
      .filter((prior) => this.deps.localVisible(prior.studyUid))
      .map((prior) => ({ studyInstanceUid: prior.studyUid, studyDate: prior.studyDate || null, description: prior.description || null, modalities: prior.modalities.split(/[\\,]/).filter(Boolean) }));
    return { sessionId: session.id, source: 'local', deidentified: false, study: facts(study), series, priors };
  }

  private async openHub(hubStudyId: string): Promise<ViewerStudy> {
    // The hub checks who may see it (404 otherwise) and records the view.
    const [opened, manifest] = await Promise.all([this.deps.recordOpened({ hubId: hubStudyId }), this.deps.hubRoute(viewerManifestRoute, { params: { studyId: hubStudyId } })]);
    const session = this.newSession();
    const series: ViewerSeries[] = manifest.series.map((entry) => ({
      seriesInstanceUid: entry.seriesInstanceUid,
      modality: entry.modality,
      seriesNumber: entry.seriesNumber,
      description: entry.description,
      instances: entry.instances.map((instance) => {
        const key = token();
        session.items.set(key, { kind: 'hub', hubStudyId, sop: instance.sopInstanceUid, deidentified: manifest.deidentified === true });
        return { key, sopInstanceUid: instance.sopInstanceUid, instanceNumber: instance.instanceNumber, frames: null, rows: null, columns: null, transferSyntaxUid: null };
      }),
    }));
    const summary = opened.summary;
    return {
      sessionId: session.id,
      source: 'hub',
      // The hub says so (rule 14); the summary it gave is then the pseudonym's already.
      deidentified: manifest.deidentified === true,
      study:
        summary === null
          ? { studyInstanceUid: '', patientName: null, patientId: null, patientBirthDate: null, studyDate: null, description: null, accessionNumber: null, modalities: [] }
          : facts(summary),
      series,
      priors: [],
    };
  }

  /** A local study's opening goes on the hub's trail when the hub knows it; offline it is still shown. */
  private async recordQuietly(ref: StudyRef): Promise<void> {
    try {
      await this.deps.recordOpened(ref);
    } catch (error) {
      this.deps.log?.(`viewer: opening not recorded on the hub (${error instanceof AppError ? error.code : 'error'})`);
    }
  }

  /** Answers `<session>/<key>` (the part after /viewer-data/). */
  async serve(pathAfterPrefix: string): Promise<ViewerDataAnswer> {
    const [sessionId, key, extra] = pathAfterPrefix.split('/');
    if (extra !== undefined || !VIEWER_TOKEN_PATTERN.test(sessionId ?? '') || !VIEWER_TOKEN_PATTERN.test(key ?? '')) {
      return { status: 404, code: 'not-found', message: 'No such image.' };
    }
    const item = this.sessions.get(sessionId)?.items.get(key);
    if (item === undefined) return { status: 404, code: 'session-ended', message: 'This viewing session has ended: open the study again.' };
    if (item.kind === 'local') {
      try {
        return { status: 200, body: await readFile(item.path) };
      } catch {
        return { status: 404, code: 'file-missing', message: 'The file of this image is no longer where it was imported from.' };
      }
    }
    const cacheKey = `${sessionId}/${key}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return { status: 200, body: cached };
    try {
      const study = encodeURIComponent(item.hubStudyId);
      // A de-identified study's bytes only come de-identified, from the viewer's instance route.
      const body = await this.deps.hubBytes(item.deidentified === true ? `/api/studies/${study}/viewer/instances/${encodeURIComponent(item.sop)}` : `/api/studies/${study}/files/${encodeURIComponent(item.sop)}`);
      this.cache.set(cacheKey, body);
      return { status: 200, body };
    } catch (error) {
      if (error instanceof AppError) return { status: error.code === 'hub-unreachable' ? 503 : 404, code: error.code, message: error.message };
      this.deps.log?.(`viewer: hub instance failed (${error instanceof Error ? error.name : 'error'})`);
      return { status: 502, code: 'hub-failed', message: 'The hub did not send this image.' };
    }
  }
}

function facts(study: StudySummary): ViewerStudy['study'] {
  return {
    studyInstanceUid: study.studyInstanceUid,
    patientName: study.patientName,
    patientId: study.patientId,
    patientBirthDate: study.patientBirthDate,
    studyDate: study.studyDate,
    description: study.studyDescription,
    accessionNumber: study.accessionNumber,
    modalities: study.modalities,
  };
}

export { VIEWER_DATA_PREFIX };
