/**
 * The application frame: top bar (search, import, Actions), worklists, the study table with its
 * empty, loading and error states, the details panel, and the import dialog. Global keys:
 * `/` focuses search, Esc closes what is open. Shown only while someone is signed in (root.tsx);
 * Lock (and Ctrl/Cmd+L) brings back the lock screen.
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { HostInfo } from '../shared/contract';
import { ActionsMenu } from './features/actions/ActionsMenu';
import { AdminView } from './features/admin/AdminView';
import { PrivateNotice } from './features/organisation/PrivateNotice';
import { CollectionDialogs, CollectionNotice } from './features/collections/CollectionDialogs';
import { AddPhysicianDialogHost } from './features/physicians/AddPhysicianDialog';
import { DownloadStatus } from './features/hub-worklists/DownloadStatus';
import { AccessRequestsDialogHost } from './features/access-requests/AccessRequests';
import { GuestLinkDialog } from './features/guest-links/GuestLinkDialog';
import { useGuestLinks } from './features/guest-links/guest-link-store';
import { HubChip } from './features/hub/HubChip';
import { NotificationBell } from './features/notifications/NotificationBell';
import { HubDialog } from './features/hub/HubDialog';
import { canAdminister, useHub } from './features/hub/hub-store';
import { useView } from './features/sidebar/view-store';
import { HubStudyPanel, HubWorklistView } from './features/hub-worklists/HubWorklistView';
import { CASES_VIEW } from './features/physicians/cases-source';
import { CasesView } from './features/physicians/CasesView';
import { useHubStudies } from './features/hub-worklists/hub-worklist-store';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { useSettings } from './features/settings/settings-store';
import { ShareDialog } from './features/sharing/ShareDialog';
import { useShareDialog } from './features/sharing/share-store';
import { DetailsPanel } from './features/details/DetailsPanel';
import { ImportDialog } from './features/import/ImportDialog';
import { DicomNetDialogs } from './features/dicom-net/DicomNetDialogs';
import { useImport } from './features/import/import-store';
import { Sidebar } from './features/sidebar/Sidebar';
import { FilterBar } from './features/worklist/FilterBar';
import { WorklistBody, studyCountText } from './features/worklist/WorklistBody';
import { isFiltered, rowAt, useWorklist } from './features/worklist/worklist-store';
import { useWorkstation } from './features/workstation/workstation-store';
import { api } from './lib/api';
import { useViewer } from './features/viewer/viewer-store';

// The viewer (Cornerstone3D and its codecs) loads when a study is first opened, not with the worklist.
const ViewerView = lazy(() => import('./features/viewer/ViewerView').then((module) => ({ default: module.ViewerView })));
import { formatCount } from './lib/format';

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function App() {
  const searchRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const [host, setHost] = useState<HostInfo | null>(null);
  const importOpen = useImport((s) => s.dialogOpen);
  const importPhase = useImport((s) => s.phase);
  const importProgress = useImport((s) => s.progress);
  const hubDialogOpen = useHub((s) => s.dialogOpen);
  const settingsOpen = useSettings((s) => s.isOpen);
  const guestLinkStudies = useGuestLinks((s) => s.studyUids);
  // Administration shows only while the signed-in user may administer; otherwise the worklist.
  const mayAdminister = useHub((s) => canAdminister(s.status));
  const signedIn = useHub((s) => s.status?.user != null);
  const chosenView = useView((s) => s.view);
  const hubWorklist = useView((s) => s.hubWorklist);
  const shareStudies = useShareDialog((s) => s.studies);
  const viewerOpen = useViewer((s) => s.opening !== null);
  const unfinishedImports = useImport((s) => s.unfinished.length);
  // Bumped after every sync or import: open details re-read what they show.
  const [dataVersion, setDataVersion] = useState(0);
  const view = chosenView === 'admin' ? (mayAdminister ? 'admin' : 'worklist') : chosenView === 'hub' && signedIn && hubWorklist !== null ? 'hub' : 'worklist';
  // The worklist showing (the local one behind Administration): the top bar's filters, the
  // status bar, Esc and the Actions menu act on it.
  const active = view === 'hub' ? useHubStudies : useWorklist;
  const total = useStore(active, (s) => s.total);
  const totalCapped = useStore(active, (s) => s.totalCapped);
  const filtered = useStore(active, (s) => isFiltered(s.filters));
  const selectedCount = useStore(active, (s) => s.selected.size);
  const detailsOpen = useStore(active, (s) => s.detailsOpen);
  const activeRef = useRef(active);
  activeRef.current = active;

  useEffect(() => {
    void api.call('host:info', {}).then((result) => result.ok && setHost(result.value));
    // An import the app stopped in the middle of last time is offered again (top bar, Import dialog).
    void useImport.getState().loadUnfinished();
    // The hub status (and its event) is followed by root.tsx, which shows the lock screen too.
    const unsubscribe = [
      api.on('hub:join-link', ({ url }) => useHub.getState().offerJoin(url)),
      api.on('data:changed', () => {
        useWorklist.getState().refresh();
        useHubStudies.getState().refresh();
        setDataVersion((version) => version + 1);
      }),
      api.on('import:progress', (event) => useImport.getState().onProgress(event)),
      api.on('import:finished', (event) => useImport.getState().onFinished(event)),
    ];
    return () => unsubscribe.forEach((undo) => undo());
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === '/' && !isTyping(event.target)) {
        event.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (event.key.toLowerCase() === 'o' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target) && useViewer.getState().opening === null) {
        // O opens the focused study in the viewer, as Enter and a double-click on the row do (a click shows its details).
        const state = activeRef.current.getState();
        const row = state.focus === null ? undefined : rowAt(state, state.focus);
        if (row !== undefined) {
          event.preventDefault();
          void useViewer.getState().open(row.hub === null ? { uid: row.study.studyInstanceUid } : { hubId: row.hub.studyId });
        }
      } else if (event.key === 'Escape' && !event.defaultPrevented) {
        if (useSettings.getState().isOpen) useSettings.getState().close();
        else if (useShareDialog.getState().studies !== null) useShareDialog.getState().close();
        else if (useHub.getState().dialogOpen) useHub.getState().closeDialog();
        else if (useImport.getState().dialogOpen) useImport.getState().closeDialog();
        else if (activeRef.current.getState().detailsOpen) {
          activeRef.current.getState().closeDetails();
          gridRef.current?.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const importing = importPhase === 'running' || importPhase === 'starting' || importPhase === 'cancelling';
  const percent = importProgress?.filesTotal ? Math.round((importProgress.filesDone / importProgress.filesTotal) * 100) : 0;

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Studyshare</span>
        <FilterBar store={active} searchRef={searchRef} />
        <div className="topbar-actions">
          <HubChip />
          {importing && (
            <button type="button" className="quiet import-chip" onClick={() => useImport.getState().openDialog()}>
              Importing {percent}%
            </button>
          )}
          {!importing && unfinishedImports > 0 && (
            <button type="button" className="quiet import-chip" onClick={() => useImport.getState().openDialog()}>
              Import stopped · resume?
            </button>
          )}
          <button type="button" onClick={() => useImport.getState().openDialog()}>
            Import…
          </button>
          <ActionsMenu view={view} store={active} />
          <PrivateNotice />
          <CollectionNotice />
          <DownloadStatus />
          <NotificationBell />
          <button type="button" className="quiet" aria-label="Settings" title="Settings" onClick={() => useSettings.getState().open()}>
            <span aria-hidden="true">⚙</span>
          </button>
          {/* An icon like Settings beside it: the top bar's filters need the width. */}
          <button type="button" className="quiet lock-button" aria-label="Lock" title={`Lock (${/Mac/.test(navigator.platform) ? '⌘' : 'Ctrl+'}L)`} onClick={() => void useWorkstation.getState().lock()}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <rect x="5" y="10.5" width="14" height="10" rx="1.5" />
              <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
            </svg>
          </button>
        </div>
      </header>
      <Sidebar />
      {view === 'admin' ? (
        <main className="worklist" aria-label="Administration">
          <AdminView />
        </main>
      ) : view === 'hub' && hubWorklist?.id === CASES_VIEW.id ? (
        <main className="worklist" aria-label={hubWorklist.name}>
          <CasesView gridRef={gridRef} />
        </main>
      ) : view === 'hub' && hubWorklist !== null ? (
        <main className="worklist" aria-label={hubWorklist.name}>
          <HubWorklistView name={hubWorklist.name} gridRef={gridRef} />
        </main>
      ) : (
        <main className="worklist" aria-label="Local studies">
          <WorklistBody
            store={useWorklist}
            gridRef={gridRef}
            empty={
              <>
                <p>No studies in the index yet.</p>
                <p className="muted">Import a folder, a CD or a USB stick: Studyshare reads the DICOM headers and lists every study here.</p>
                <button type="button" className="primary" onClick={() => useImport.getState().openDialog()}>
                  Import folder…
                </button>
              </>
            }
          />
        </main>
      )}
      {detailsOpen && view === 'worklist' && <DetailsPanel version={dataVersion} />}
      {detailsOpen && view === 'hub' && (
        <HubStudyPanel
          version={dataVersion}
          onClose={() => {
            useHubStudies.getState().closeDetails();
            gridRef.current?.focus();
          }}
        />
      )}
      <footer className="statusbar">
        <span role="status" aria-label="Study count">
          {studyCountText(total, totalCapped, filtered)}
        </span>
        <span>{selectedCount > 0 ? `${formatCount(selectedCount)} selected` : ''}</span>
        <span className="muted">{host === null ? '' : host.kind === 'browser' ? 'Browser mode' : 'Desktop'}</span>
      </footer>
      {importOpen && <ImportDialog hostKind={host?.kind ?? null} />}
      {hubDialogOpen && !settingsOpen && <HubDialog />}
      {settingsOpen && <SettingsDialog />}
      {guestLinkStudies !== null && <GuestLinkDialog studyUids={guestLinkStudies} />}
      {shareStudies !== null && <ShareDialog studies={shareStudies} />}
      <CollectionDialogs />
      <AddPhysicianDialogHost />
      <AccessRequestsDialogHost />
      <DicomNetDialogs />
      {viewerOpen && (
        <Suspense fallback={<div className="viewer-loading" role="status">Opening the viewer…</div>}>
          <ViewerView />
        </Suspense>
      )}
    </div>
  );
}
