/**
 * The desktop's link to a hub: the embedded one (started in this process on loopback when no
 * other hub is configured) or a remote one; the signed-in user; the sync client and its timer;
 * and the admin calls, made with the token that never leaves main. Its status is pushed as the
 * `hub:status` event whenever it changes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AdminOverview, GuestLinkView, HubStatus } from '../../../shared/contract';
import { buildHub } from '../../../server/app';
import { openHubDatabase } from '../../../server/db/open-hub-db';
import type { HubDatabase } from '../../../server/db/schema';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import { HubClient, HubRefusedError, HubSessionError, HubUnreachableError } from '../sync-client/hub-client';
import { findStudy, listStudyInstances } from '../study-index/study-lookup';
import { SyncClient, type SyncStatus } from '../sync-client/sync-client';
import type { TokenStore } from './token-store';

export type HubMode = 'embedded' | 'remote' | 'off';

interface HubConfig {
  readonly mode: HubMode;
  readonly url?: string;
}

export interface HubConnectionOptions {
  readonly dataDir: string;
  readonly localDb: Database.Database;
  readonly bus: EventBus;
  readonly tokens: TokenStore;
  /** What to do when no hub is configured yet (default: run the embedded one). */
  readonly defaultMode?: HubMode;
  readonly syncEveryMs?: number;
  /** The embedded hub's clock (tests move it) and guest page folder (a packaged app's resources). */
  readonly embeddedHub?: { readonly now?: () => Date; readonly guestPageDir?: string };
}

type Me = NonNullable<HubStatus['user']>;

const SIGNED_OUT: SyncStatus = { state: 'signed-out', pending: 0, rejected: [], uploadsPending: 0, message: null };

export class HubConnection {
  private config: HubConfig;
  private embedded: { app: FastifyInstance; db: Kysely<HubDatabase> } | null = null;
  private client: HubClient | null = null;
  private sync: SyncClient | null = null;
  private me: Me | null = null;
  private needsSetup = false;
  private timer: NodeJS.Timeout | null = null;
  /** The sync started in the background (after sign-in, by the timer); awaited on close. */
  private background: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HubConnectionOptions) {
    this.config = this.readConfig() ?? { mode: options.defaultMode ?? 'embedded' };
  }

  private get configFile(): string {
    return path.join(this.options.dataDir, 'hub.json');
  }

  private readConfig(): HubConfig | null {
    if (!existsSync(this.configFile)) return null;
    try {
      const parsed = JSON.parse(readFileSync(this.configFile, 'utf8')) as HubConfig;
      return parsed.mode === 'remote' && typeof parsed.url === 'string' ? parsed : { mode: parsed.mode === 'off' ? 'off' : 'embedded' };
    } catch {
      return null;
    }
  }

  private writeConfig(config: HubConfig): void {
    this.config = config;
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
  }

  async start(): Promise<void> {
    if (this.config.mode === 'off') return;
    let url = this.config.url ?? null;
    if (this.config.mode === 'embedded') url = await this.startEmbedded();
    this.client = new HubClient(url!, this.options.tokens.load());
    await this.refreshMe();
    const every = this.options.syncEveryMs ?? 15_000;
    if (every > 0) {
      this.timer = setInterval(() => this.syncInBackground(), every);
      this.timer.unref();
    }
    this.emit();
  }

  private async startEmbedded(): Promise<string> {
    const folder = path.join(this.options.dataDir, 'hub');
    mkdirSync(folder, { recursive: true });
    const db = await openHubDatabase(path.join(folder, 'hub.sqlite'));
    const app = buildHub({ db, blobDir: path.join(folder, 'blobs'), ...this.options.embeddedHub });
    await app.listen({ port: 0, host: '127.0.0.1' });
    this.embedded = { app, db };
    this.needsSetup = (await db.selectFrom('accounts').select('id').executeTakeFirst()) === undefined;
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  /** Who the token belongs to; a refused token is forgotten (sign in again). */
  private async refreshMe(): Promise<void> {
    this.me = null;
    this.sync = null;
    if (this.client === null) return;
    try {
      const me = (await this.client.request('GET', '/api/me')) as { id: string; name: string; email: string; role: string | null; permissions: string[] };
      this.forgetOtherUser(me.id);
      this.me = { name: me.name, email: me.email, role: me.role, permissions: me.permissions };
      this.sync = this.newSyncClient(this.client);
    } catch (error) {
      if (error instanceof HubSessionError) {
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
   * One desktop, several people over time: what the hub showed the previous user (the cache and
   * its cursor) is dropped when someone else signs in, and what they queued but never sent is
   * marked refused rather than sent under the new user's name.
   */
  private forgetOtherUser(userId: string): void {
    const db = this.options.localDb;
    const last = (db.prepare("SELECT value FROM sync_state WHERE key = 'user_id'").get() as { value: string } | undefined)?.value;
    if (last === userId) return;
    db.transaction(() => {
      if (last !== undefined) {
        db.prepare('DELETE FROM hub_studies').run();
        db.prepare("DELETE FROM sync_state WHERE key = 'cursor'").run();
        db.prepare("UPDATE uploads SET state = 'failed', error = 'Signed in as someone else before it was sent.' WHERE state = 'pending'").run();
        db.prepare(
          "UPDATE outbox SET state = 'rejected', error_code = 'other-user', error_message = 'Signed in as someone else before it was sent.', settled_at = ? WHERE state = 'pending'",
        ).run(new Date().toISOString());
      }
      db.prepare("INSERT INTO sync_state (key, value) VALUES ('user_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(userId);
    })();
  }

  /**
   * A sync client whose published studies get their files queued for upload: a study put on
   * the hub (by a share made offline, say) is sent whole when the hub is back.
   */
  private newSyncClient(client: HubClient): SyncClient {
    return new SyncClient(this.options.localDb, client, {
      onStatus: () => this.emit(),
      onApplied: (operation, result) => {
        if (operation.kind !== 'study.publish') return;
        const files = listStudyInstances(this.options.localDb, operation.study.studyInstanceUid);
        if (files.length > 0) this.sync?.queueUploads(result.value.studyId as string, files);
      },
    });
  }

  status(): HubStatus {
    return {
      mode: this.config.mode,
      url: this.client?.baseUrl ?? null,
      needsSetup: this.needsSetup,
      user: this.me,
      sync: this.sync?.status() ?? SIGNED_OUT,
      tokenEncrypted: this.options.tokens.encrypted,
    };
  }

  private emit(): void {
    this.options.bus.emit('hub:status', this.status());
  }

  /** Creates the site and its admin on the embedded hub (the first-run screen). */
  async setup(input: { siteName: string; adminName: string; email: string; password: string }): Promise<HubStatus> {
    const client = this.requireClient();
    if (this.config.mode !== 'embedded') throw new AppError('not-embedded', 'Only the hub inside this app is set up here; a remote hub is set up by its administrator.');
    const { token } = (await this.hubCall(() =>
      client.request('POST', '/api/setup', { accountName: input.siteName, adminName: input.adminName, email: input.email, password: input.password }),
    )) as { token: string };
    this.needsSetup = false;
    this.writeConfig({ mode: 'embedded' });
    return this.signedIn(token);
  }

  async signIn(input: { url?: string; email: string; password: string }): Promise<HubStatus> {
    if (input.url !== undefined && input.url !== this.client?.baseUrl) {
      this.client = new HubClient(input.url);
    }
    const client = this.requireClient();
    const token = await this.hubCall(() => client.signIn(input.email, input.password));
    if (input.url !== undefined) this.writeConfig({ mode: 'remote', url: input.url });
    return this.signedIn(token);
  }

  private async signedIn(token: string): Promise<HubStatus> {
    this.options.tokens.save(token);
    this.client?.setToken(token);
    await this.refreshMe();
    this.syncInBackground();
    this.emit();
    return this.status();
  }

  private syncInBackground(): void {
    this.background = this.background.then(() => this.syncNow()).catch(() => undefined);
  }

  async signOut(): Promise<HubStatus> {
    try {
      await this.client?.request('DELETE', '/api/sessions');
    } catch {
      // Signing out locally must work offline too.
    }
    this.options.tokens.save(null);
    this.client?.setToken(null);
    this.me = null;
    this.sync = null;
    this.emit();
    return this.status();
  }

  async syncNow(): Promise<HubStatus> {
    if (this.sync !== null) {
      await this.sync.sync();
      if (this.me === null && this.sync.status().state === 'online') await this.refreshMe();
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
    if (result === null) throw new AppError('hub-unreachable', 'The hub cannot be reached. The study will be sent when it is back.');
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
   * status counting the files down), then the hub makes the link. Returns the address to send.
   */
  async createGuestLink(input: { studyInstanceUids: readonly string[] } & Record<string, unknown>): Promise<{ url: string; studies: number }> {
    const { studyInstanceUids, ...options } = input;
    const hubIds: string[] = [];
    for (const uid of studyInstanceUids) hubIds.push((await this.uploadStudy(uid)).hubStudyId);
    await this.settled();
    if ((this.sync?.status().uploadsPending ?? 0) > 0) {
      throw new AppError('upload-incomplete', 'The study could not be sent to the hub completely yet. Try again when the hub is reachable.');
    }
    const created = await this.hubRequest<{ path: string; studies: number }>('POST', '/api/guest-links', { studyIds: hubIds, ...options });
    return { url: new URL(created.path, this.requireClient().baseUrl).toString(), studies: created.studies };
  }

  async listGuestLinks(studyInstanceUid: string): Promise<{ links: GuestLinkView[] }> {
    const hubId = this.hubStudyId(studyInstanceUid);
    if (hubId === null) return { links: [] };
    const client = this.requireClient();
    return this.hubCall(() => client.request('GET', `/api/studies/${hubId}/guest-links`) as Promise<{ links: GuestLinkView[] }>);
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

  /** Pushes the outbox now; false when the hub cannot be reached (what was queued waits). */
  async pushNow(): Promise<boolean> {
    const sync = this.requireSync();
    try {
      await this.hubCall(() => sync.push());
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'hub-unreachable') return false;
      throw error;
    } finally {
      this.emit();
    }
  }

  /** Starts a sync (pull, uploads) in the background. */
  syncSoon(): void {
    this.syncInBackground();
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
        await this.signOut();
        throw new AppError('signed-out', error.message);
      }
      throw error;
    }
  }

  async adminOverview(): Promise<AdminOverview> {
    const client = this.requireClient();
    const has = (key: string) => this.me?.permissions.includes(key) ?? false;
    const get = <T>(pathname: string, allowed: boolean, empty: T): Promise<T> => (allowed ? this.hubCall(() => client.request('GET', pathname) as Promise<T>) : Promise.resolve(empty));
    const [users, roles, locations, groups, worklists] = await Promise.all([
      get('/api/users', has('admin.users'), { users: [] as AdminOverview['users'] }),
      get('/api/roles', has('admin.roles'), { roles: [] as AdminOverview['roles'] }),
      get('/api/locations', has('admin.locations'), { locations: [] as AdminOverview['locations'] }),
      get('/api/groups', has('admin.groups'), { groups: [] as AdminOverview['groups'] }),
      get('/api/worklists', this.me !== null, { worklists: [] as AdminOverview['worklists'] }),
    ]);
    return { ...users, ...roles, ...locations, ...groups, ...worklists };
  }

  /** A hub call with the user's token; JSON answers come parsed, others (the audit CSV) as text. */
  hubRequest<T>(method: 'GET' | 'POST' | 'PUT', pathname: string, body?: unknown): Promise<T> {
    const client = this.requireClient();
    return this.hubCall(() => client.request(method, pathname, body) as Promise<T>);
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.background;
    if (this.embedded !== null) {
      await this.embedded.app.close();
      await this.embedded.db.destroy();
      this.embedded = null;
    }
  }
}
