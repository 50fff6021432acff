/**
 * The desktop's link to a hub: which hub (none chosen yet, the one inside this app, a remote one,
 * or none), the signed-in user, the sync client and its timer, switching hubs without losing
 * what waits to be sent, and the calls made with the token that never leaves main. Its status is
 * pushed as the `hub:status` event whenever it changes. The hub's own process (embedded-hub.ts),
 * the saved choice (hub-config.ts) and the address check (hub-probe.ts) live beside it.
 */
import path from 'node:path';
import { z } from 'zod';
import type Database from 'better-sqlite3';
import type { AdminOverview, GuestLinkView, HubProbeView, HubStatus, HubSwitchPreview, SyncQueueItemView } from '../../../shared/contract';
import { listRolesRoute, listUsersRoute, meRoute, requestPasswordResetRoute, setupRoute, signOutRoute, siteSettingsRoute } from '../../../shared/hub-api/accounts';
import { createGuestLinkRoute, studyGuestLinksRoute } from '../../../shared/hub-api/guest-links';
import { hubInfoRoute } from '../../../shared/hub-api/hub';
import type { GuestLinkOptions } from '../../../shared/guest-link-options';
import { listGroupsRoute, listLocationsRoute, listWorklistsRoute } from '../../../shared/hub-api/places';
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';
import { isLoopbackUrl, parsePublicUrl, type HubInfo } from '../../../shared/hub-info';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import { HubClient, HubRefusedError, HubSessionError, HubUnreachableError } from '../sync-client/hub-client';
import { findStudy, listStudyInstances } from '../study-index/study-lookup';
import { discardRecord, SyncClient, type SyncStatus } from '../sync-client/sync-client';
import { cachedHubStudies, leaveHub, rememberSignedInUser, waitingCounts } from '../sync-client/sync-store';
import { EmbeddedHub, lanAddresses } from './embedded-hub';
import { HubConfigFile, type EmbeddedSettings, type HubConfig } from './hub-config';
import { probeHub } from './hub-probe';
import type { TokenStore } from './token-store';

export type HubMode = 'embedded' | 'remote' | 'off';

export interface HubConnectionOptions {
  readonly dataDir: string;
  readonly localDb: Database.Database;
  readonly bus: EventBus;
  readonly tokens: TokenStore;
  /**
   * The hub to use when none was chosen yet, without asking (tests, the demo). Undefined: the
   * first-run screen asks (join a hub, create a site here, or later).
   */
  readonly defaultMode?: HubMode;
  readonly syncEveryMs?: number;
  /** The embedded hub's clock (tests move it), guest page folder (a packaged app's resources), and where "the local network" listens (tests). */
  readonly embeddedHub?: { readonly now?: () => Date; readonly guestPageDir?: string; readonly lanHost?: string };
  /** This app's version, named when a hub is too old or too new for it. */
  readonly appVersion?: string;
  /** Someone proved who they are to the hub (signed in with a password, or created the site): the workstation unlocks for them. */
  readonly onSignedIn?: (user: SignedInUser) => void;
  /** The signed-in user's site's lock time as the hub said it again (re-read with the sync, or just changed here). */
  readonly onSiteLockMinutes?: (userId: string, minutes: number | null) => void;
  /** While the workstation is locked the status names no study (refused operations are left out). */
  readonly isLocked?: () => boolean;
}

/** Where to connect: a remote hub (checked first), the hub inside this app, or none. */
export type HubChoice =
  | { readonly kind: 'remote'; readonly url: string; readonly trustedFingerprint?: string | null }
  | { readonly kind: 'embedded' }
  | { readonly kind: 'off' };

type Me = NonNullable<HubStatus['user']>;

/** Who signed in, as the workstation needs them: their permissions and their site's lock time (null: none, the computer's setting applies). */
export interface SignedInUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly permissions: readonly string[];
  readonly lockMinutes: number | null;
}

/** How long a share or a removal waits for the hub's answer before it returns as pending. */
const PUSH_WAIT_MS = 2_000;

/** How often a signed-in user's site policy (the lock time) is read again, with the sync. */
const SITE_POLICY_EVERY_MS = 5 * 60_000;

const SIGNED_OUT: SyncStatus = { state: 'signed-out', pending: 0, rejected: [], uploadsPending: 0, message: null, delayed: 0, progress: null };

/** The hub in use, as configured: a remote hub may have no address yet (tests that sign in with one). */
type ActiveConfig = HubConfig | { readonly mode: 'remote'; readonly url: null; readonly trustedFingerprint: null; readonly embedded?: EmbeddedSettings };

export class HubConnection {
  private readonly configFile: HubConfigFile;
  /** Null until the user chose (first run). */
  private config: ActiveConfig | null;
  private embedded: EmbeddedHub | null = null;
  private client: HubClient | null = null;
  private sync: SyncClient | null = null;
  private me: Me | null = null;
  /** The signed-in user's hub id (null when nobody is). */
  private meId: string | null = null;
  /** The signed-in user's site's lock time (null: none, or a hub from before it), and when it was read. */
  private siteLockMinutes: number | null = null;
  private siteLockReadAt = 0;
  private info: HubInfo | null = null;
  private needsSetup = false;
  /** Something the user should know that is not an error (the kept port was taken). */
  private notice: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /**
   * The hub ended the session (expired, or ended elsewhere): until someone signs in again the
   * status says so, with what still waits (nothing queued is dropped by an expired session).
   */
  private sessionExpired = false;
  /** The sync started in the background (after sign-in, by the timer); awaited on close. */
  private background: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HubConnectionOptions) {
    this.configFile = new HubConfigFile(options.dataDir);
    this.config = this.configFile.read() ?? defaultConfig(options.defaultMode);
  }

  private get appVersion(): string {
    return this.options.appVersion ?? '0.1.0';
  }

  async start(): Promise<void> {
    const config = this.config;
    if (config === null || config.mode === 'off') {
      this.emit();
      return;
    }
    let url: string | null = config.mode === 'remote' ? config.url : null;
    if (config.mode === 'embedded') url = await this.startEmbedded(config.embedded);
    if (url !== null) {
      this.client = new HubClient(url, this.options.tokens.load(), { trustedFingerprint: config.mode === 'remote' ? config.trustedFingerprint : null });
      await this.refreshInfo();
      await this.refreshMe();
    }
    const every = this.options.syncEveryMs ?? 15_000;
    if (every > 0) {
      this.timer = setInterval(() => this.syncInBackground(), every);
      this.timer.unref();
    }
    this.emit();
  }

  private async startEmbedded(settings: EmbeddedSettings): Promise<string> {
    const hub = await EmbeddedHub.start({
      folder: path.join(this.options.dataDir, 'hub'),
      port: settings.port,
      lan: settings.lan,
      publicUrl: settings.publicUrl,
      ...this.options.embeddedHub,
    });
    this.embedded = hub;
    this.notice =
      hub.movedFrom === null
        ? null
        : `Another program uses port ${hub.movedFrom}, so the hub on this computer now listens on port ${hub.port}. Links made before point at the old port.`;
    // The port is chosen once and kept: links and invitations name it.
    if (settings.port !== hub.port) this.saveConfig({ mode: 'embedded', embedded: { ...settings, port: hub.port } });
    this.needsSetup = await hub.needsSetup();
    return hub.localUrl;
  }

  private saveConfig(config: HubConfig): void {
    this.config = config;
    this.configFile.write(config);
  }

  /** What the hub says about itself (its name, public address); unknown while it cannot be reached. */
  private async refreshInfo(): Promise<void> {
    if (this.client === null) return;
    try {
      this.info = await this.client.call(hubInfoRoute, {});
      this.needsSetup = this.info.needsSetup;
    } catch (error) {
      // An older hub without /api/hub, or one that is down: its name stays unknown.
      if (!(error instanceof HubUnreachableError || error instanceof HubRefusedError || error instanceof z.ZodError)) throw error;
    }
  }

  /** Who the token belongs to; a refused token is forgotten (sign in again). */
  private async refreshMe(): Promise<void> {
    this.me = null;
    this.meId = null;
    this.siteLockMinutes = null;
    this.sync = null;
    if (this.client === null) return;
    try {
      const me = await this.client.call(meRoute, {});
      rememberSignedInUser(this.options.localDb, me.id);
      this.me = { name: me.name, email: me.email, role: me.role, permissions: me.permissions };
      this.meId = me.id;
      this.siteLockMinutes = me.lockMinutes;
      this.siteLockReadAt = Date.now();
      this.sync = this.newSyncClient(this.client);
    } catch (error) {
      if (error instanceof HubSessionError) {
        // A token the hub no longer takes is an expired session; no token at all is nobody signed in.
        this.sessionExpired = this.options.tokens.load() !== null;
        this.options.tokens.save(null);
        this.client.setToken(null);
      } else if (!(error instanceof HubUnreachableError)) throw error;
      // Unreachable: keep the token; the next sync tries again.
      if (error instanceof HubUnreachableError && this.options.tokens.load() !== null) {
        this.sync = this.newSyncClient(this.client);
      }
    }
  }

  /**
   * The site's lock time may change while someone is signed in (an admin elsewhere): read again
   * with the sync, at most every few minutes, and handed on when it changed. A failure says
   * nothing here: the sync reports what is wrong with the hub.
   */
  private async refreshSitePolicy(): Promise<void> {
    const client = this.client;
    const userId = this.meId;
    if (client === null || userId === null || Date.now() - this.siteLockReadAt < SITE_POLICY_EVERY_MS) return;
    this.siteLockReadAt = Date.now();
    try {
      const me = await client.call(meRoute, {});
      if (me.id !== this.meId) return;
      this.noteSiteLockMinutes(me.id, me.lockMinutes);
    } catch {
      // Unreachable or refused: the sync's status says so.
    }
  }

  private noteSiteLockMinutes(userId: string, minutes: number | null): void {
    if (minutes === this.siteLockMinutes) return;
    this.siteLockMinutes = minutes;
    this.options.onSiteLockMinutes?.(userId, minutes);
  }

  /** Sets the signed-in admin's site's lock time on the hub (admin.users there); answers the value kept. */
  async setSiteLockMinutes(minutes: number): Promise<number> {
    const userId = this.meId;
    if (userId === null) throw new AppError('signed-out', 'Sign in to the hub first.');
    const { lockMinutes } = await this.hubRoute(siteSettingsRoute, { body: { lockMinutes: minutes } });
    if (this.meId === userId) this.noteSiteLockMinutes(userId, lockMinutes);
    return lockMinutes;
  }

  /**
   * A sync client whose published studies get their files queued for upload: a study put on
   * the hub (by a share made offline, say) is sent whole when the hub is back.
   */
  private newSyncClient(client: HubClient): SyncClient {
    return new SyncClient(this.options.localDb, client, {
      onStatus: () => this.emit(),
      // A dropped item never reaches the hub: the hub records that it was dropped (its audit trail).
      onDiscarded: (item) => this.sync?.enqueue(discardRecord(item)),
      // What was pulled shows before the files finish uploading (a large study takes minutes).
      onPulled: () => this.options.bus.emit('data:changed', { reason: 'sync' }),
      onApplied: (operation, result) => {
        if (operation.kind !== 'study.publish') return;
        const files = listStudyInstances(this.options.localDb, operation.study.studyInstanceUid);
        if (files.length > 0) this.sync?.queueUploads(result.value.studyId as string, files);
      },
    });
  }

  /** The sync's status; with nobody signed in, what still waits in the outbox (an expired session keeps it all). */
  private syncStatus(): SyncStatus {
    if (this.sync !== null) return this.sync.status();
    const waiting = waitingCounts(this.options.localDb);
    return { ...SIGNED_OUT, state: this.sessionExpired ? 'session-expired' : 'signed-out', pending: waiting.changes, uploadsPending: waiting.files, message: this.sessionExpired ? new HubSessionError().message : null };
  }

  status(): HubStatus {
    const config = this.config;
    const publicUrl = this.embedded?.publicUrl ?? this.info?.publicUrl ?? null;
    const embeddedSettings = config?.mode === 'embedded' ? config.embedded : null;
    return {
      mode: config?.mode ?? 'off',
      firstRun: config === null,
      url: this.client?.baseUrl ?? null,
      hubName: this.info?.name ?? null,
      needsSetup: this.needsSetup,
      user: this.me,
      sync: this.options.isLocked?.() === true ? { ...this.syncStatus(), rejected: [] } : this.syncStatus(),
      tokenEncrypted: this.options.tokens.encrypted,
      publicUrl,
      linkReach: this.client === null ? 'none' : publicUrl === null ? (this.info === null ? 'unknown' : 'none') : isLoopbackUrl(publicUrl) ? 'this-computer' : 'elsewhere',
      embedded:
        embeddedSettings === null || this.embedded === null
          ? null
          : { port: this.embedded.port, lan: embeddedSettings.lan, publicUrl: embeddedSettings.publicUrl, lanAddresses: lanAddresses(this.embedded.port) },
      trustedFingerprint: config?.mode === 'remote' ? config.trustedFingerprint : null,
      notice: this.notice,
    };
  }

  private emit(): void {
    this.options.bus.emit('hub:status', this.status());
  }

  /** Checks a hub address: what is there, or what is wrong with it (nothing is saved). */
  async probe(input: { url: string; trustedFingerprint?: string | null }): Promise<HubProbeView> {
    const result = await probeHub(input.url, { trustedFingerprint: input.trustedFingerprint ?? null, appVersion: this.appVersion });
    if (!result.ok) return { ok: false, code: result.code, message: result.message, certificate: result.certificate ?? null };
    const { info } = result;
    return { ok: true, url: result.url, name: info.name, version: info.version, sites: info.sites, needsSetup: info.needsSetup, certificate: result.certificate ?? null };
  }

  /** What switching away from the current hub would let go of. */
  switchPreview(): HubSwitchPreview {
    const waiting = waitingCounts(this.options.localDb);
    return { hub: this.hubLabel(), pendingChanges: waiting.changes, pendingFiles: waiting.files, cachedStudies: cachedHubStudies(this.options.localDb) };
  }

  private hubLabel(): string | null {
    if (this.config === null || this.config.mode === 'off') return null;
    if (this.config.mode === 'embedded') return 'the hub on this computer';
    return this.info?.name ?? this.config.url;
  }

  /**
   * Connects to another hub (or the one inside this app, or none). A remote address is checked
   * first. What still waits for the current hub is sent first or discarded, as the user chose:
   * with neither chosen, nothing changes and the error says how much waits. The cache of the
   * old hub and its session are let go; local studies stay.
   */
  async connect(choice: HubChoice, queued?: 'send' | 'discard'): Promise<HubStatus> {
    let next: HubConfig;
    const keptEmbedded = this.config?.mode === 'embedded' ? this.config.embedded : this.config?.embedded;
    if (choice.kind === 'remote') {
      const probe = await this.probe({ url: choice.url, trustedFingerprint: choice.trustedFingerprint ?? null });
      if (!probe.ok) throw new AppError(probe.code, probe.message);
      next = { mode: 'remote', url: probe.url, trustedFingerprint: choice.trustedFingerprint ?? null, ...(keptEmbedded === undefined ? {} : { embedded: keptEmbedded }) };
    } else if (choice.kind === 'embedded') {
      next = { mode: 'embedded', embedded: keptEmbedded ?? { lan: false, publicUrl: null } };
    } else {
      next = { mode: 'off', ...(keptEmbedded === undefined ? {} : { embedded: keptEmbedded }) };
    }
    if (this.sameHub(next)) {
      // Same hub: only the trusted certificate may have changed; nothing is let go.
      this.saveConfig(next);
      if (this.client !== null && next.mode === 'remote') {
        this.client = new HubClient(this.client.baseUrl, this.options.tokens.load(), { trustedFingerprint: next.trustedFingerprint });
        await this.refreshInfo();
        await this.refreshMe();
      }
      this.emit();
      return this.status();
    }
    await this.leaveCurrentHub(queued);
    this.saveConfig(next);
    await this.start();
    return this.status();
  }

  private sameHub(next: HubConfig): boolean {
    const current = this.config;
    if (current === null) return false;
    if (current.mode !== next.mode) return false;
    return next.mode !== 'remote' || (current.mode === 'remote' && current.url === next.url);
  }

  private refuseIfWaiting(): void {
    const waiting = waitingCounts(this.options.localDb);
    if (waiting.changes + waiting.files > 0) {
      throw new AppError('queued-operations', `${describeWaiting(waiting)} still waiting to be sent to ${this.hubLabel() ?? 'the hub'}. Send them first, or discard them to switch.`);
    }
  }

  private async leaveCurrentHub(queued: 'send' | 'discard' | undefined): Promise<void> {
    const db = this.options.localDb;
    let waiting = waitingCounts(db);
    const label = this.hubLabel() ?? 'the hub';
    if (queued === undefined) this.refuseIfWaiting();
    if (waiting.changes + waiting.files > 0 && queued === 'send') {
      if (this.sync === null || this.me === null) throw new AppError('signed-out', `Sign in to ${label} to send what waits, or discard it to switch.`);
      await this.hubCall(() => this.sync!.sync());
      waiting = waitingCounts(db);
      if (waiting.changes + waiting.files > 0) {
        throw new AppError('still-queued', `${describeWaiting(waiting)} could not be sent to ${label} (${this.sync?.status().message ?? 'it did not take them'}). Try again, or discard them to switch.`);
      }
    }
    await this.stopTimerAndSync();
    try {
      await this.client?.call(signOutRoute, {});
    } catch {
      // Leaving must work while the old hub is down too.
    }
    leaveHub(db, queued === 'discard');
    this.options.tokens.save(null);
    this.client = null;
    this.sync = null;
    this.me = null;
    this.meId = null;
    this.siteLockMinutes = null;
    this.info = null;
    this.needsSetup = false;
    this.notice = null;
    if (this.embedded !== null) {
      await this.embedded.close();
      this.embedded = null;
    }
  }

  private async stopTimerAndSync(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.background;
  }

  /**
   * The hub inside this app: whether it listens on the local network, and the public address
   * its links point to. Takes effect at once (the hub restarts on the same port).
   */
  async setEmbeddedSettings(input: { lan: boolean; publicUrl: string | null }): Promise<HubStatus> {
    let publicUrl: string | null = null;
    if (input.publicUrl !== null && input.publicUrl.trim() !== '') {
      const parsed = parsePublicUrl(input.publicUrl);
      if (!parsed.ok) throw new AppError('bad-public-url', parsed.message);
      publicUrl = parsed.url;
    }
    const current = this.config?.mode === 'embedded' ? this.config.embedded : (this.config?.embedded ?? { lan: false, publicUrl: null });
    const settings: EmbeddedSettings = { ...current, lan: input.lan, publicUrl };
    if (this.config?.mode !== 'embedded') {
      // Kept for when this app's own hub is used again.
      if (this.config !== null) this.saveConfig({ ...(this.config as HubConfig), embedded: settings });
      this.emit();
      return this.status();
    }
    this.saveConfig({ mode: 'embedded', embedded: settings });
    await this.stopTimerAndSync();
    await this.embedded?.close();
    this.embedded = null;
    const url = await this.startEmbedded(settings);
    this.client ??= new HubClient(url, this.options.tokens.load());
    const every = this.options.syncEveryMs ?? 15_000;
    if (every > 0) {
      this.timer = setInterval(() => this.syncInBackground(), every);
      this.timer.unref();
    }
    this.emit();
    return this.status();
  }

  /** Creates the site and its admin: on the embedded hub, or on a fresh remote hub with the setup code from its console. */
  async setup(input: { siteName: string; adminName: string; email: string; password: string; setupToken?: string }): Promise<HubStatus> {
    const client = this.requireClient();
    const setupToken = this.embedded?.setupToken ?? input.setupToken?.trim();
    if (setupToken === undefined || setupToken === '') {
      throw new AppError('setup-token', 'Enter the setup code printed on the hub’s console when it started.');
    }
    const { token } = await this.hubCall(() =>
      client.call(setupRoute, { body: { accountName: input.siteName, adminName: input.adminName, email: input.email, password: input.password, setupToken } }),
    );
    this.needsSetup = false;
    await this.refreshInfo();
    return this.signedIn(token);
  }

  /**
   * Signs in to the hub in use, or, given an address, to that hub (which becomes the hub in
   * use once the password is right). Switching this way needs nothing waiting for another hub.
   */
  async signIn(input: { url?: string; email: string; password: string; trustedFingerprint?: string | null }): Promise<HubStatus> {
    let client = this.client;
    if (input.url !== undefined && input.url !== this.client?.baseUrl) {
      const parsed = parsePublicUrl(input.url);
      if (!parsed.ok) throw new AppError('not-an-address', parsed.message);
      client = new HubClient(parsed.url, null, { trustedFingerprint: input.trustedFingerprint ?? null });
    }
    if (client === null) throw new AppError('no-hub', 'No hub is configured.');
    const switching = client !== this.client && (this.config?.mode === 'embedded' || (this.config?.mode === 'remote' && this.config.url !== null));
    // Nothing waiting for the current hub may be dropped by signing in elsewhere (connect() asks first).
    if (switching) this.refuseIfWaiting();
    const token = await this.hubCall(() => client.signIn(input.email, input.password));
    if (client !== this.client) {
      if (switching) await this.leaveCurrentHub(undefined);
      await this.stopTimerAndSync();
      this.client = client;
      this.saveConfig({ mode: 'remote', url: client.baseUrl, trustedFingerprint: input.trustedFingerprint ?? null });
      await this.refreshInfo();
      const every = this.options.syncEveryMs ?? 15_000;
      if (every > 0) {
        this.timer = setInterval(() => this.syncInBackground(), every);
        this.timer.unref();
      }
    }
    return this.signedIn(token);
  }

  /** Asks the hub to mail a link that sets a new password (the same answer whether or not the address has an account). */
  async requestPasswordReset(input: { email: string; url?: string; trustedFingerprint?: string | null }): Promise<{ sent: true }> {
    // Before joining, the hub just checked is asked; otherwise the hub in use.
    const client = input.url === undefined ? this.requireClient() : new HubClient(input.url, null, { trustedFingerprint: input.trustedFingerprint ?? null });
    await this.hubCall(() => client.call(requestPasswordResetRoute, { body: { email: input.email } }));
    return { sent: true };
  }

  private async signedIn(token: string): Promise<HubStatus> {
    this.sessionExpired = false;
    this.options.tokens.save(token);
    this.client?.setToken(token);
    await this.refreshMe();
    if (this.me !== null && this.meId !== null) {
      this.options.onSignedIn?.({ id: this.meId, name: this.me.name, email: this.me.email, permissions: this.me.permissions, lockMinutes: this.siteLockMinutes });
    }
    this.syncInBackground();
    this.emit();
    return this.status();
  }

  private syncInBackground(): void {
    this.background = this.background.then(() => this.syncNow()).catch(() => undefined);
  }

  async signOut(): Promise<HubStatus> {
    try {
      await this.client?.call(signOutRoute, {});
    } catch {
      // Signing out locally must work offline too.
    }
    this.forgetSession(false);
    this.emit();
    return this.status();
  }

  /** The hub ended the session: forget the token, keep what waits, and say so until someone signs in. */
  private endExpiredSession(): void {
    this.forgetSession(true);
  }

  /** Nobody is signed in from here on: the token and who it was go; the outbox stays (see syncStatus). */
  private forgetSession(expired: boolean): void {
    this.options.tokens.save(null);
    this.client?.setToken(null);
    this.me = null;
    this.meId = null;
    this.siteLockMinutes = null;
    this.sync = null;
    this.sessionExpired = expired;
  }

  /** The signed-in user's hub id, or null. */
  get userId(): string | null {
    return this.meId;
  }

  /** The hub in use: embedded, remote, or none ('off', also before the first-run choice). */
  get mode(): HubMode {
    return this.config?.mode ?? 'off';
  }

  /** Whether no hub has been chosen yet (the first-run screen). */
  get firstRun(): boolean {
    return this.config === null;
  }

  /** Pushes the status again (the workstation locked: the status leaves refused operations out). */
  announce(): void {
    this.emit();
  }

  async syncNow(): Promise<HubStatus> {
    if (this.sync !== null) {
      await this.sync.sync();
      if (this.sync.status().state === 'session-expired') this.endExpiredSession();
      else if (this.me === null && this.sync.status().state === 'online') await this.refreshMe();
      else await this.refreshSitePolicy();
      if (this.info === null) await this.refreshInfo();
      this.options.bus.emit('data:changed', { reason: 'sync' });
    }
    this.emit();
    return this.status();
  }

  /**
   * Puts a local study on the hub: publishes its summary (through the outbox, so it survives a
   * restart), then queues its files, which upload in the background; `uploadsPending` in the
   * status counts down as they go.
   */
  async uploadStudy(studyInstanceUid: string): Promise<{ hubStudyId: string; files: number }> {
    const sync = this.sync;
    if (sync === null || this.me === null) throw new AppError('signed-out', 'Sign in to the hub first.');
    const study = findStudy(this.options.localDb, studyInstanceUid);
    if (study === null) throw new AppError('not-found', 'That study is no longer in the index.');
    const opId = sync.enqueue({ kind: 'study.publish', study: { ...study, modalities: [...study.modalities] }, private: false });
    await this.hubCall(() => sync.push());
    const result = sync.result(opId);
    if (result === null) {
      // Not taken: the hub answered that it could not (its reason), or it was not reached.
      const reason = sync.delayReason(opId);
      if (reason !== null) throw new AppError('hub-error', `${reason} The study will be sent when the hub can take it.`);
      throw new AppError('hub-unreachable', 'The hub cannot be reached. The study will be sent when it is back.');
    }
    if (result.status === 'rejected') throw new AppError(result.error.code, result.error.message);
    // Its files were queued for upload when the hub took the publish (newSyncClient's onApplied).
    const hubStudyId = result.value.studyId as string;
    this.syncInBackground();
    return { hubStudyId, files: listStudyInstances(this.options.localDb, studyInstanceUid).length };
  }

  /** The hub id of a local study, once the hub has it (known from the pulled changes). */
  hubStudyId(studyInstanceUid: string): string | null {
    const row = this.options.localDb.prepare('SELECT hub_study_id AS id FROM hub_studies WHERE study_uid = ? ORDER BY seq DESC LIMIT 1').get(studyInstanceUid) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /**
   * A guest link for local studies: each is put on the hub first (summary, then every file, the
   * status counting the files down), then the hub makes the link. Returns the address to send,
   * as the hub made it from its public address.
   */
  async createGuestLink(input: { studyInstanceUids: readonly string[] } & GuestLinkOptions): Promise<{ url: string; studies: number }> {
    const { studyInstanceUids, ...options } = input;
    const hubIds: string[] = [];
    for (const uid of studyInstanceUids) hubIds.push((await this.uploadStudy(uid)).hubStudyId);
    await this.settled();
    if ((this.sync?.status().uploadsPending ?? 0) > 0) {
      throw new AppError('upload-incomplete', 'The study could not be sent to the hub completely yet. Try again when the hub is reachable.');
    }
    const created = await this.hubRoute(createGuestLinkRoute, { body: { studyIds: hubIds, ...options } });
    return { url: created.url, studies: created.studies };
  }

  async listGuestLinks(studyInstanceUid: string): Promise<{ links: GuestLinkView[] }> {
    const hubId = this.hubStudyId(studyInstanceUid);
    if (hubId === null) return { links: [] };
    return this.hubRoute(studyGuestLinksRoute, { params: { studyId: hubId } });
  }

  /** The sync queue for the Sync panel (empty when nobody is signed in). */
  syncQueue(): { items: SyncQueueItemView[] } {
    return { items: this.sync?.queue() ?? [] };
  }

  /** Tries a queued item again now, and starts a sync. */
  retrySyncItem(input: { kind: 'operation' | 'file'; id: string }): { retried: boolean } {
    const retried = this.requireSync().retry(input.kind, input.id);
    if (retried) this.syncInBackground();
    return { retried };
  }

  /** Drops a queued item (the hub's audit trail records it, see newSyncClient). */
  discardSyncItem(input: { kind: 'operation' | 'file'; id: string }): { discarded: boolean } {
    const discarded = this.requireSync().discard(input.kind, input.id) !== null;
    if (discarded) this.syncInBackground();
    return { discarded };
  }

  dismissRefused(): HubStatus {
    this.sync?.dismissRefused();
    return this.status();
  }

  /** Waits for the background sync started so far (tests, shutdown). */
  settled(): Promise<unknown> {
    return this.background;
  }

  /** The sync client, for features that queue operations (sharing). */
  get syncClient(): SyncClient | null {
    return this.sync;
  }

  /** The sync client of the signed-in user (there is none when signed out), or a clear error. */
  requireSync(): SyncClient {
    if (this.sync === null) throw new AppError('signed-out', 'Sign in to the hub first.');
    return this.sync;
  }

  /**
   * Sends the outbox now, waiting at most `waitMs` for the hub: true when it took everything in
   * time; false when it cannot be reached or has not answered yet — what was queued waits, and a
   * slow hub's answer still arrives (the send goes on in the background and the status follows).
   * A share never holds the screen for longer than that, whatever the network does.
   */
  async pushNow(waitMs = PUSH_WAIT_MS): Promise<boolean> {
    const sync = this.requireSync();
    // The push alone (not the pull and the uploads): the answers to the shares are stored as
    // soon as the hub has given them. Its failures are the next sync's to report.
    const sent = sync.push().then(
      () => true,
      (error: unknown) => {
        if (error instanceof HubSessionError) this.endExpiredSession();
        return false;
      },
    );
    this.background = this.background.then(() => sent).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
      timer.unref();
    });
    try {
      return await Promise.race([sent, late]);
    } finally {
      clearTimeout(timer);
      this.emit();
    }
  }

  /** Starts a sync (pull, uploads) in the background. */
  syncSoon(): void {
    this.syncInBackground();
  }

  /** The client the live signal connects with (issue 16): only while someone is signed in and syncing. */
  liveClient(): HubClient | null {
    return this.sync !== null && this.meId !== null ? this.client : null;
  }

  private requireClient(): HubClient {
    if (this.client === null) throw new AppError('no-hub', 'No hub is configured.');
    return this.client;
  }

  /** Runs a hub request and turns its failures into sentences for the person at the screen. */
  private async hubCall<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof HubRefusedError) throw new AppError(error.code, error.message);
      if (error instanceof HubUnreachableError) throw new AppError('hub-unreachable', 'The hub cannot be reached. Try again when it is back.');
      if (error instanceof HubSessionError) {
        this.endExpiredSession();
        this.emit();
        throw new AppError('signed-out', error.message);
      }
      throw error;
    }
  }

  async adminOverview(): Promise<AdminOverview> {
    const client = this.requireClient();
    const has = (key: string) => this.me?.permissions.includes(key) ?? false;
    // Only what the role may read is asked for: the rest is empty, not an error.
    const ask = <T>(allowed: boolean, call: () => Promise<T>, empty: T): Promise<T> => (allowed ? this.hubCall(call) : Promise.resolve(empty));
    const [users, roles, locations, groups, worklists] = await Promise.all([
      ask(has('admin.users'), () => client.call(listUsersRoute, {}), { users: [] }),
      ask(has('admin.roles'), () => client.call(listRolesRoute, {}), { roles: [] }),
      ask(has('admin.locations'), () => client.call(listLocationsRoute, {}), { locations: [] }),
      ask(has('admin.groups'), () => client.call(listGroupsRoute, {}), { groups: [] }),
      ask(this.me !== null, () => client.call(listWorklistsRoute, {}), { worklists: [] }),
    ]);
    return { ...users, ...roles, ...locations, ...groups, ...worklists };
  }

  /** A declared hub route, called with the user's token; its answer checked against the declaration. */
  hubRoute<R extends HubRoute>(route: R, input: HubRouteRequest<R>): Promise<HubRouteResponse<R>> {
    const client = this.requireClient();
    return this.hubCall(() => client.call(route, input));
  }

  /** A binary answer with the user's token (the viewer's instances from the hub). */
  hubBytes(pathname: string): Promise<Uint8Array> {
    const client = this.requireClient();
    return this.hubCall(() => client.download(pathname));
  }

  /** A hub call with the user's token; JSON answers come parsed, others (the audit CSV) as text. */
  hubRequest<T>(method: 'GET' | 'POST' | 'PUT', pathname: string, body?: unknown): Promise<T> {
    const client = this.requireClient();
    return this.hubCall(() => client.request(method, pathname, body) as Promise<T>);
  }

  async close(): Promise<void> {
    await this.stopTimerAndSync();
    if (this.embedded !== null) {
      await this.embedded.close();
      this.embedded = null;
    }
  }
}

/** The hub used without asking when the app was told which (tests, the demo); null: ask (first run). */
function defaultConfig(mode: HubMode | undefined): ActiveConfig | null {
  switch (mode) {
    case undefined:
      return null;
    case 'embedded':
      return { mode: 'embedded', embedded: { lan: false, publicUrl: null } };
    case 'remote':
      return { mode: 'remote', url: null, trustedFingerprint: null };
    case 'off':
      return { mode: 'off' };
  }
}

function describeWaiting(waiting: { changes: number; files: number }): string {
  const parts = [];
  if (waiting.changes > 0) parts.push(`${waiting.changes} ${waiting.changes === 1 ? 'change' : 'changes'}`);
  if (waiting.files > 0) parts.push(`${waiting.files} ${waiting.files === 1 ? 'file' : 'files'}`);
  return `${parts.join(' and ')} ${waiting.changes + waiting.files === 1 ? 'is' : 'are'}`;
}
