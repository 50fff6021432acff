/**
 * The composition root shared by the Electron shell and browser mode: opens the index in the
 * data folder, creates the services and the contract's handlers, and the bus their events go to.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HostInfo } from '../../../shared/contract';
import { siteAuditCsvRoute, siteAuditRoute } from '../../../shared/hub-api/audit';
import { shareTargetsRoute, visibleStudiesRoute, worklistStudiesRoute } from '../../../shared/hub-api/studies';
import { hubStudyQueryParams } from '../../../shared/hub-api/worklists';
import { addUserRoute, changePasswordRoute, resetUserPasswordRoute, setRolePermissionsRoute, setUserActiveRoute, unlockUserRoute } from '../../../shared/hub-api/accounts';
import { revokeGuestLinkRoute } from '../../../shared/hub-api/guest-links';
import {
  addGroupMemberRoute,
  addGroupRoute,
  addLocationMemberRoute,
  addLocationRoute,
  listWorklistsRoute,
  regenerateShareCodeRoute,
  worklistByCodeRoute,
} from '../../../shared/hub-api/places';
import { AppError } from '../api/app-error';
import { CALL_GATE, type Handlers } from '../api/dispatch';
import { connectionCalls } from '../connections/connection-calls';
import { physicianCalls } from '../physicians/physician-calls';
import { StudyPhysicians } from '../physicians/study-physicians-service';
import { EventBus } from '../api/event-bus';
import { openIndexDatabase, type IndexDatabase } from '../db/connection';
import { ImportManager } from '../dicom-import/import-manager';
import { recoverLibrary, type LibraryRecovery } from '../dicom-import/import-recovery';
import { HubConnection, type HubConnectionOptions, type HubMode } from '../hub-connection/hub-connection';
import { TokenStore, type TokenCipher } from '../hub-connection/token-store';
import type { ImportOptions } from '../dicom-import/import-service';
import { findStudy, listSeries } from '../study-index/study-lookup';
import { queryStudies } from '../study-index/study-query';
import { ShareService } from '../sharing/share-service';
import { PrivateStudies } from '../private-studies/private-service';
import { CollectionStudies } from '../collections/collection-service';
import { CommentService } from '../comments/comment-service';
import { accessRequestsRoute, decideAccessRequestRoute, requestAccessRoute } from '../../../shared/hub-api/access-requests';
import {
  collectionCandidatesRoute,
  collectionMembersRoute,
  collectionStudiesRoute,
  createCollectionRoute,
  deleteCollectionRoute,
  listCollectionsRoute,
  removeCollectionMemberRoute,
  setCollectionMemberRoute,
  updateCollectionRoute,
} from '../../../shared/hub-api/collections';
import {
  addDepartmentMemberRoute,
  addDepartmentRoute,
  deleteDepartmentRoute,
  listDepartmentsRoute,
  removeDepartmentMemberRoute,
  renameDepartmentRoute,
  setSitePolicyRoute,
  sitePolicyRoute,
} from '../../../shared/hub-api/organisation';
import { auditQueryString } from '../sharing/audit-query';
import { localStudyVisible } from '../study-index/local-visibility';
import { Workstation } from '../workstation/workstation';
import { parsePublicUrl } from '../../../shared/hub-info';
import { ViewerService } from '../viewer/viewer-service';
import { registerViewerData } from '../viewer/viewer-data';
import { DicomNetService } from '../dicom-net/dicom-net-service';
import { signedInSync } from '../dicom-net/hub-outbox';
import { dicomFlagsFromEnvironment } from '../dicom-net/dicom-flags';
import { NotificationService, type OsNotifier } from '../notifications/notification-service';
import { LiveSubscription } from '../sync-client/live-subscription';
import { StudyDownloads } from '../download/study-download';
import { freeDownloadPath } from '../download/downloads-folder';

export interface HostServices {
  readonly kind: HostInfo['kind'];
  /** A native folder picker, where the host has one. */
  readonly pickFolder?: () => Promise<readonly string[]>;
  /** A native save dialog (Download…): the chosen path, or null when cancelled; absent in browser mode (a downloads folder then). */
  readonly pickSavePath?: (suggestedName: string) => Promise<string | null>;
  /** The operating system's notifications (the Electron shell); absent in browser mode. */
  readonly notifier?: OsNotifier;
}

export interface StudyshareApp {
  readonly handlers: Handlers;
  readonly bus: EventBus;
  readonly db: IndexDatabase;
  readonly imports: ImportManager;
  readonly hub: HubConnection;
  /** The workstation lock: who is signed in at this computer; locked, patient data stays in main. */
  readonly workstation: Workstation;
  /** The viewer's sessions and the bytes it serves (electron/main/viewer). */
  readonly viewer: ViewerService;
  /** Starts the hub connection (the embedded hub, the first sync). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export const APP_VERSION = '0.1.0';

export interface AppOptions {
  /** Paces background imports (smaller batches, pauses between them). */
  readonly importPacing?: Pick<ImportOptions, 'batchFiles' | 'pauseBetweenBatchesMs'>;
  /** Which hub to use when none is configured yet, without asking; undefined: the first-run screen asks. */
  readonly hubMode?: HubMode;
  /** Encrypts the hub token at rest (Electron's safeStorage); without it the file is owner-only. */
  readonly tokenCipher?: TokenCipher | null;
  readonly syncEveryMs?: number;
  readonly embeddedHub?: HubConnectionOptions['embeddedHub'];
  /** The workstation's clock and idle check (tests). */
  readonly workstation?: { readonly now?: () => number; readonly checkEveryMs?: number };
  /** `--dicom-port` / `--ae-title`: the DICOM listener runs with these, whatever Settings say. */
  readonly dicom?: { readonly port?: number; readonly aeTitle?: string };
}

export function createStudyshareApp(dataDir: string, host: HostServices, options: AppOptions = {}): StudyshareApp {
  mkdirSync(dataDir, { recursive: true });
  const db = openIndexDatabase(path.join(dataDir, 'index.sqlite'));
  const bus = new EventBus();
  const libraryDir = path.join(dataDir, 'library');
  const imports = new ImportManager(db, bus, libraryDir, options.importPacing);
  let libraryRecovery: LibraryRecovery | null = null;
  // The hub and the workstation know each other through callbacks: a hub sign-in unlocks, a
  // lock redacts the hub's status.
  let workstation: Workstation | null = null;
  const hub = new HubConnection({
    dataDir,
    localDb: db,
    bus,
    tokens: new TokenStore(path.join(dataDir, 'hub-token'), options.tokenCipher ?? null),
    defaultMode: options.hubMode,
    appVersion: APP_VERSION,
    syncEveryMs: options.syncEveryMs,
    embeddedHub: options.embeddedHub,
    onSignedIn: (user) => workstation?.unlockAsHubUser(user),
    onSiteLockMinutes: (userId, minutes) => workstation?.siteLockMinutesChanged(userId, minutes),
    isLocked: () => workstation?.locked ?? true,
  });
  const lockScreen = new Workstation({
    db,
    bus,
    hubState: () => ({ mode: hub.mode, firstRun: hub.firstRun }),
    now: options.workstation?.now,
    checkEveryMs: options.workstation?.checkEveryMs,
    // A hub user's lock time is their site's: an admin changes it on the hub, for everyone there.
    saveSiteLockMinutes: (minutes) => hub.setSiteLockMinutes(minutes),
  });
  workstation = lockScreen;
  bus.subscribe((name) => {
    // The hub user went away (signed out, session ended, another hub): a hub user's workstation locks.
    if (name === 'hub:status') lockScreen.hubUserGone(hub.userId);
    // Locked: the hub's status goes out again without anything about studies.
    if (name === 'workstation:state' && lockScreen.locked) hub.announce();
  });

  // Notifications (issue 16): the bell's count and the OS notification, woken by the hub's live
  // signal (which also starts a pull); without it, the periodic pull's data:changed reads them.
  const notifications = new NotificationService({
    hubRoute: (route, input) => hub.hubRoute(route, input),
    userId: () => (lockScreen.locked ? null : hub.userId),
    emit: (payload) => bus.emit('notifications:changed', payload),
    notifier: host.notifier ?? null,
  });
  const live = new LiveSubscription({
    client: () => hub.liveClient(),
    onSignal: () => {
      hub.syncSoon();
      void notifications.refresh();
    },
    onLive: (connected) => notifications.setLive(connected),
  });
  let liveUser: string | null = null;
  bus.subscribe((name) => {
    if (name === 'data:changed') void notifications.refresh();
    // Someone else signed in (or out): their own stream, their own inbox.
    if (name === 'hub:status' && hub.userId !== liveUser) {
      liveUser = hub.userId;
      live.restart();
      void notifications.refresh();
    }
  });
  const sharing = new ShareService(db, hub);
  const privateStudies = new PrivateStudies(db, hub);
  const collectionStudies = new CollectionStudies(db, hub);
  const studyPhysicians = new StudyPhysicians(db, hub);
  const studyDownloads = new StudyDownloads({
    client: () => hub.liveClient(),
    choosePath: host.pickSavePath ?? ((name) => freeDownloadPath(path.join(dataDir, 'downloads'), name)),
    progress: (event) => bus.emit('download:progress', event),
  });
  const comments = new CommentService(db, hub);
  /** A local study the person signed in may see (others answer as if absent). */
  const requireVisible = (uid: string): void => {
    if (!localStudyVisible(db, uid, lockScreen.viewer())) throw new AppError('not-found', 'That study is no longer in the index.');
  };
  const requireVisibleRefs = (refs: readonly ({ uid: string } | { hubId: string })[]): void => {
    for (const ref of refs) if ('uid' in ref) requireVisible(ref.uid);
  };

  const viewer = new ViewerService({
    db,
    dataDir,
    localVisible: (uid) => localStudyVisible(db, uid, lockScreen.viewer()),
    findStudy: (uid) => findStudy(db, uid),
    recordOpened: async (ref) => {
      const seen = await sharing.study(ref, true);
      return { hubStudyId: seen.hubStudyId, summary: seen.summary };
    },
    hubRoute: (route, input) => hub.hubRoute(route, input),
    hubBytes: (pathname) => hub.hubBytes(pathname),
  });
  // Locked (or someone else signing in): no viewing session outlives the person who opened it.
  bus.subscribe((name) => {
    if (name === 'workstation:state' && lockScreen.locked) viewer.closeAll();
  });

  const dicom = new DicomNetService({
    db,
    bus,
    libraryDir,
    actor: () => lockScreen.status().user?.name ?? 'unknown',
    flags: options.dicom ?? dicomFlagsFromEnvironment(process.env),
    // Publishing received studies and recording sends: through the signed-in person's outbox.
    hub: { sync: () => signedInSync(hub), syncSoon: () => hub.syncSoon(), hubStudyId: (uid) => hub.hubStudyId(uid) },
  });
  const requireVisibleUids = (uids: readonly string[]): void => {
    for (const uid of uids) requireVisible(uid);
  };

  const handlers: Handlers = {
    // Every call passes here first (dispatch.ts): locked, only call-gate.ts's allowlist runs.
    [CALL_GATE]: (name) => lockScreen.refusal(name),
    'host:info': () => ({ kind: host.kind, version: APP_VERSION, platform: process.platform }),
    'studies:query': (query) => queryStudies(db, query, undefined, lockScreen.viewer()),
    'studies:details': ({ studyInstanceUid }) => {
      requireVisible(studyInstanceUid);
      const study = findStudy(db, studyInstanceUid);
      if (study === null) throw new AppError('not-found', 'That study is no longer in the index.');
      return { study, series: listSeries(db, studyInstanceUid) };
    },
    'import:pick-folder': async () => {
      if (host.pickFolder === undefined) {
        throw new AppError('not-available', 'There is no folder picker in browser mode: type the folder path instead.');
      }
      return { paths: await host.pickFolder() };
    },
    'import:start': ({ paths, copyToLibrary }) => imports.start(paths, copyToLibrary),
    'import:cancel': ({ importId }) => imports.cancel(importId),
    'import:unfinished': () => ({ imports: imports.unfinished(), recovered: libraryRecovery }),
    'import:resume': ({ jobId }) => imports.resume(jobId),
    'import:dismiss': ({ jobId }) => imports.dismiss(jobId),
    'hub:status': () => hub.status(),
    'hub:setup': (input) => hub.setup(input),
    'hub:sign-in': (input) => {
      // Locked, the lock screen signs in to the hub in use; switching hubs waits for someone signed in.
      const current = hub.status().url;
      if (lockScreen.locked && !hub.firstRun && input.url !== undefined && current !== null) {
        const parsed = parsePublicUrl(input.url);
        if (!parsed.ok || parsed.url.replace(/\/$/, '') !== current.replace(/\/$/, '')) throw new AppError('locked', 'Studyshare is locked. Sign in to the hub in use first.');
      }
      return hub.signIn(input);
    },
    'hub:sign-out': () => hub.signOut(),
    'hub:sync-now': () => hub.syncNow(),
    'hub:dismiss-refused': () => hub.dismissRefused(),
    'sync:queue': () => hub.syncQueue(),
    'sync:retry': (input) => hub.retrySyncItem(input),
    'sync:discard': (input) => hub.discardSyncItem(input),
    'hub:probe': (input) => hub.probe(input),
    'hub:connect': ({ choice, queued }) => hub.connect(choice, queued),
    'hub:switch-preview': () => hub.switchPreview(),
    'hub:embedded-settings': (input) => hub.setEmbeddedSettings(input),
    'hub:request-password-reset': (input) => hub.requestPasswordReset(input),
    'hub:change-password': async ({ currentPassword, newPassword }) => {
      // The hub checks the current password (wrong ones count like wrong sign-ins) and its policy.
      await hub.hubRoute(changePasswordRoute, { body: { currentPassword, newPassword } });
      return {};
    },
    'admin:overview': () => hub.adminOverview(),
    'admin:add-user': async (input) => ({ id: (await hub.hubRoute(addUserRoute, { body: input })).user.id }),
    'admin:set-role-permissions': async ({ roleId, permissions }) => (await hub.hubRoute(setRolePermissionsRoute, { params: { id: roleId }, body: { permissions } })).role,
    'admin:add-location': async ({ name }) => ({ id: (await hub.hubRoute(addLocationRoute, { body: { name } })).location.id }),
    'admin:add-group': async (input) => ({ id: (await hub.hubRoute(addGroupRoute, { body: input })).group.id }),
    'admin:add-member': async ({ kind, ownerId, userId }) => {
      await hub.hubRoute(kind === 'location' ? addLocationMemberRoute : addGroupMemberRoute, { params: { id: ownerId }, body: { userId } });
      return {};
    },
    'admin:regenerate-share-code': ({ worklistId }) => hub.hubRoute(regenerateShareCodeRoute, { params: { id: worklistId } }),
    'admin:set-user-active': ({ userId, active }) => hub.hubRoute(setUserActiveRoute, { params: { id: userId }, body: { active } }),
    'admin:unlock-user': ({ userId }) => hub.hubRoute(unlockUserRoute, { params: { id: userId } }),
    'admin:send-password-reset': async ({ userId }) => {
      const { sent } = await hub.hubRoute(resetUserPasswordRoute, { params: { id: userId } });
      // The hub mails nothing to a deactivated user, nor past three resets in an hour; their sessions ended all the same.
      if (!sent) throw new AppError('reset-not-sent', 'No mail was sent: the user is deactivated, or three resets were sent to them in the last hour. Their sessions have ended.');
      return {};
    },
    'organisation:policy': () => hub.hubRoute(sitePolicyRoute, {}),
    'organisation:set-policy': async ({ policy }) => {
      await hub.hubRoute(setSitePolicyRoute, { body: policy });
      return hub.hubRoute(sitePolicyRoute, {});
    },
    'organisation:departments': () => hub.hubRoute(listDepartmentsRoute, {}),
    'organisation:add-department': async ({ name }) => (await hub.hubRoute(addDepartmentRoute, { body: { name } })).department,
    'organisation:rename-department': async ({ id, name }) => (await hub.hubRoute(renameDepartmentRoute, { params: { id }, body: { name } })).department,
    'organisation:delete-department': async ({ id }) => {
      await hub.hubRoute(deleteDepartmentRoute, { params: { id } });
      return {};
    },
    'organisation:add-department-member': async ({ id, userId }) => (await hub.hubRoute(addDepartmentMemberRoute, { params: { id }, body: { userId } })).department,
    'organisation:remove-department-member': async ({ id, userId }) => (await hub.hubRoute(removeDepartmentMemberRoute, { params: { id, userId } })).department,
    'hub-studies:visible': async (query) => {
      const page = await hub.hubRoute(visibleStudiesRoute, { query: hubStudyQueryParams(query) });
      return {
        total: page.total,
        totalCapped: page.totalCapped,
        nextCursor: page.nextCursor,
        // Someone of no site: each study's site and the sites they are connected to (the Site column and filter).
        studies: page.studies.map((study) => ({ hubStudyId: study.studyId, private: study.private, sharedAt: study.sharedAt ?? '', summary: study.summary, reason: study.reason ?? null, site: study.site ?? null })),
        ...(page.sites === undefined ? {} : { sites: page.sites }),
      };
    },
    ...connectionCalls((route, input) => hub.hubRoute(route, input), () => hub.status().user?.permissions ?? []),
    ...physicianCalls((route, input) => hub.hubRoute(route, input)),
    'physicians:link': (input) => {
      requireVisibleRefs(input.studies);
      return studyPhysicians.link(input);
    },
    'physicians:unlink': (input) => studyPhysicians.unlink(input),
    'collections:list': () => hub.hubRoute(listCollectionsRoute, {}),
    'collections:create': async (body) => (await hub.hubRoute(createCollectionRoute, { body })).collection,
    'collections:update': async ({ id, ...body }) => (await hub.hubRoute(updateCollectionRoute, { params: { id }, body })).collection,
    'collections:delete': async ({ id }) => {
      await hub.hubRoute(deleteCollectionRoute, { params: { id } });
      return {};
    },
    'collections:candidates': ({ id, q }) => hub.hubRoute(collectionCandidatesRoute, { params: { id }, query: { q } }),
    'collections:members': ({ id }) => hub.hubRoute(collectionMembersRoute, { params: { id } }),
    'collections:set-member': ({ id, ...body }) => hub.hubRoute(setCollectionMemberRoute, { params: { id }, body }),
    'collections:remove-member': (params) => hub.hubRoute(removeCollectionMemberRoute, { params }),
    'studies:download': (input) => studyDownloads.download(input),
    'collections:add-studies': (input) => {
      requireVisibleRefs(input.studies);
      return collectionStudies.change(input, true);
    },
    'collections:remove-studies': (input) => collectionStudies.change(input, false),
    'collections:studies': async ({ collectionId, ...query }) => {
      const page = await hub.hubRoute(collectionStudiesRoute, { params: { id: collectionId }, query: hubStudyQueryParams(query) });
      return {
        total: page.total,
        totalCapped: page.totalCapped,
        nextCursor: page.nextCursor,
        studies: page.studies.map((study) => ({ hubStudyId: study.studyId, private: study.private, sharedAt: study.sharedAt ?? '', summary: study.summary, reason: study.reason ?? null })),
      };
    },
    'access:requests': () => hub.hubRoute(accessRequestsRoute, {}),
    'access:request': async ({ study, message }) => (await hub.hubRoute(requestAccessRoute, { params: { id: study }, body: { message } })).request,
    'access:decide': async ({ id, approve }) => (await hub.hubRoute(decideAccessRequestRoute, { params: { id }, body: { approve } })).request,
    // Comments (issue 16): a study named by UID must be one this person may see here.
    'comments:list': ({ study }) => {
      requireVisibleRefs([study]);
      return comments.list(study);
    },
    'comments:add': (input) => {
      requireVisibleRefs([input.study]);
      return comments.add(input);
    },
    'comments:edit': (input) => {
      requireVisibleRefs([input.study]);
      return comments.edit(input);
    },
    'comments:delete': (input) => {
      requireVisibleRefs([input.study]);
      return comments.remove(input);
    },
    'comments:hide': (input) => comments.hide(input),
    'comments:history': (input) => comments.history(input),
    'comments:mentions': (input) => {
      requireVisibleRefs([input.study]);
      return comments.mentions(input);
    },
    'studies:set-private': (input) => {
      requireVisibleRefs(input.studies);
      return privateStudies.set(input);
    },
    'guest-links:create': (input) => {
      input.studyInstanceUids.forEach(requireVisible);
      return hub.createGuestLink(input);
    },
    'guest-links:list': ({ studyInstanceUid }) => {
      requireVisible(studyInstanceUid);
      return hub.listGuestLinks(studyInstanceUid);
    },
    'guest-links:revoke': ({ id }) => hub.hubRoute(revokeGuestLinkRoute, { params: { id } }),
    'sharing:targets': ({ kind, q }) => hub.hubRoute(shareTargetsRoute, { query: { kind, q } }),
    'sharing:lookup-code': ({ code }) => hub.hubRoute(worklistByCodeRoute, { params: { code } }),
    'sharing:share': (input) => {
      requireVisibleRefs(input.studies);
      return sharing.share(input);
    },
    'sharing:remove': (input) => {
      requireVisibleRefs([input.study]);
      return sharing.remove(input);
    },
    'sharing:study': ({ study, opened }) => {
      requireVisibleRefs([study]);
      return sharing.study(study, opened);
    },
    'sharing:states': ({ studyInstanceUids }) => ({ states: sharing.states(studyInstanceUids.filter((uid) => localStudyVisible(db, uid, lockScreen.viewer()))) }),
    'hub-worklists:list': async () => {
      const { worklists } = await hub.hubRoute(listWorklistsRoute, {});
      return { worklists: worklists.filter((worklist) => worklist.member) };
    },
    'hub-worklists:studies': async ({ worklistId, ...query }) => {
      // Search, filters, sort and paging go to the hub as the shared schema reads them.
      const page = await hub.hubRoute(worklistStudiesRoute, { params: { id: worklistId }, query: hubStudyQueryParams(query) });
      return {
        total: page.total,
        totalCapped: page.totalCapped,
        nextCursor: page.nextCursor,
        studies: page.studies.map((study) => ({ hubStudyId: study.studyId, private: study.private, sharedAt: study.sharedAt ?? '', summary: study.summary, reason: study.reason ?? null })),
      };
    },
    'audit:query': (filter) => hub.hubRoute(siteAuditRoute, { query: filter }),
    'audit:export': async (filter) => ({
      // A text answer (the CSV), so the plain request: the route's path from its declaration.
      csv: await hub.hubRequest<string>('GET', `${siteAuditCsvRoute.path}?${auditQueryString(filter)}`),
      filename: `studyshare-audit-${new Date().toISOString().slice(0, 10)}.csv`,
    }),
    'workstation:status': () => lockScreen.status(),
    'workstation:sign-in-local': ({ name, password }) => lockScreen.signInLocal(name, password),
    'workstation:create-profile': ({ name, password }) => lockScreen.createProfile(name, password),
    'workstation:lock': () => lockScreen.lock('manual'),
    'workstation:activity': () => lockScreen.activity(),
    // A hub user's: their site's, through the hub; a local profile's: this computer's.
    'workstation:set-idle-minutes': ({ minutes }) => lockScreen.setIdleMinutes(minutes),
    'viewer:open': ({ study }) => viewer.open(study),
    'viewer:close': ({ sessionId }) => {
      viewer.close(sessionId);
      return {};
    },
    'viewer:settings': () => viewer.getSettings(),
    'viewer:set-settings': (settings) => viewer.setSettings(settings),
    'dicom:status': () => dicom.status(),
    'dicom:set-listener': (settings) => dicom.setListener(settings),
    'dicom:save-node': (node) => dicom.saveNode(node),
    'dicom:remove-node': ({ id }) => dicom.removeNode(id),
    'dicom:echo': (target) => dicom.echo(target),
    'dicom:send': (input) => {
      requireVisibleUids([...input.studies, ...input.series.map((s) => s.studyUid)]);
      return dicom.send(input);
    },
    'dicom:send-failures': ({ jobId }) => dicom.sendFailures(jobId),
    'dicom:retry-send': ({ jobId }) => dicom.retrySend(jobId),
    'dicom:query': (input) => dicom.query(input),
    'dicom:query-page': (input) => dicom.queryPage(input),
    'dicom:query-series': (input) => dicom.querySeries(input),
    'dicom:retrieve': (input) => dicom.retrieve(input),
    'dicom:priors': (input) => {
      requireVisible(input.studyUid);
      return dicom.priors(input);
    },
    'dicom:cancel': ({ jobId }) => dicom.cancel(jobId),
    'notifications:list': (input) => notifications.list(input),
    'notifications:mark-read': (input) => notifications.markRead(input),
    'notifications:preferences': () => notifications.preferencesList(),
    'notifications:set-preferences': (input) => notifications.setPreferences(input),
  };

  // The bytes go out only while someone is signed in, like every call with patient data.
  registerViewerData(handlers, (pathAfterPrefix) =>
    lockScreen.locked ? Promise.resolve({ status: 423, code: 'locked', message: 'Studyshare is locked. Sign in to continue.' }) : viewer.serve(pathAfterPrefix),
  );

  return {
    handlers,
    viewer,
    bus,
    db,
    imports,
    hub,
    workstation: lockScreen,
    start: async () => {
      // Before anything writes to the library: what a crash left there is put right first.
      libraryRecovery = await recoverLibrary(db, libraryDir);
      await hub.start();
      await dicom.start();
      live.start();
    },
    async close() {
      lockScreen.close();
      imports.cancelAll();
      await dicom.close();
      await live.stop();
      await hub.close();
      db.close();
    },
  };
}
