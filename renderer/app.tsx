/**
 * The application frame: top bar (search, import, Actions), worklists, the study table with its
 * empty, loading and error states, the details panel, and the import dialog. Global keys:
 * `/` focuses search, Esc closes what is open.
 */
import { useEffect, useRef, useState } from 'react';
import type { HostInfo } from '../shared/contract';
import { ActionsMenu } from './features/actions/ActionsMenu';
import { AdminView } from './features/admin/AdminView';
import { GuestLinkDialog } from './features/guest-links/GuestLinkDialog';
import { useGuestLinks } from './features/guest-links/guest-link-store';
import { HubChip } from './features/hub/HubChip';
import { HubDialog } from './features/hub/HubDialog';
import { canAdminister, useHub } from './features/hub/hub-store';
import { useView } from './features/sidebar/view-store';
import { HubWorklistView } from './features/hub-worklists/HubWorklistView';
import { useHubWorklists } from './features/hub-worklists/hub-worklist-store';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { useSettings } from './features/settings/settings-store';
import { ShareDialog } from './features/sharing/ShareDialog';
import { useShareDialog } from './features/sharing/share-store';
import { DetailsPanel } from './features/details/DetailsPanel';
import { ImportDialog } from './features/import/ImportDialog';
import { useImport } from './features/import/import-store';
import { Sidebar } from './features/sidebar/Sidebar';
import { FilterBar } from './features/worklist/FilterBar';
import { WorklistTable } from './features/worklist/WorklistTable';
import { useWorklist } from './features/worklist/worklist-store';
import { api } from './lib/api';
import { formatCount } from './lib/format';

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function App() {
  const searchRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const [host, setHost] = useState<HostInfo | null>(null);
  const status = useWorklist((s) => s.status);
  const error = useWorklist((s) => s.error);
  const total = useWorklist((s) => s.total);
  const filters = useWorklist((s) => s.filters);
  const selectedCount = useWorklist((s) => s.selected.size);
  const detailsOpen = useWorklist((s) => s.detailsOpen);
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
  // Bumped after every sync or import: open details re-read what they show.
  const [dataVersion, setDataVersion] = useState(0);
  const view = chosenView === 'admin' ? (mayAdminister ? 'admin' : 'worklist') : chosenView === 'hub' && signedIn && hubWorklist !== null ? 'hub' : 'worklist';

  useEffect(() => {
    void api.call('host:info', {}).then((result) => result.ok && setHost(result.value));
    void useHub.getState().load();
    const unsubscribe = [
      api.on('hub:status', (status) => useHub.getState().receive(status)),
      api.on('hub:join-link', ({ url }) => useHub.getState().offerJoin(url)),
      api.on('data:changed', () => {
        useWorklist.getState().refresh();
        void useHubWorklists.getState().refresh();
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
      } else if (event.key === 'Escape' && !event.defaultPrevented) {
        if (useSettings.getState().isOpen) useSettings.getState().close();
        else if (useShareDialog.getState().studies !== null) useShareDialog.getState().close();
        else if (useHub.getState().dialogOpen) useHub.getState().closeDialog();
        else if (useImport.getState().dialogOpen) useImport.getState().closeDialog();
        else if (useWorklist.getState().detailsOpen) {
          useWorklist.getState().closeDetails();
          gridRef.current?.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const filtered = filters.text !== '' || filters.modalities.length > 0 || filters.dateFrom !== '' || filters.dateTo !== '';
  const importing = importPhase === 'running' || importPhase === 'starting' || importPhase === 'cancelling';
  const percent = importProgress?.filesTotal ? Math.round((importProgress.filesDone / importProgress.filesTotal) * 100) : 0;

  let body;
  if (status === 'error') {
    body = (
      <div className="state" role="alert">
        <p>The worklist could not be loaded: {error}</p>
        <button type="button" onClick={() => useWorklist.getState().refresh()}>
          Retry
        </button>
      </div>
    );
  } else if (status === 'ready' && total === 0) {
    body = filtered ? (
      <div className="state">
        <p>No studies match these filters.</p>
        <button type="button" onClick={() => useWorklist.getState().clearFilters()}>
          Clear filters
        </button>
      </div>
    ) : (
      <div className="state">
        <p>No studies in the index yet.</p>
        <p className="muted">Import a folder, a CD or a USB stick: Studyshare reads the DICOM headers and lists every study here.</p>
        <button type="button" className="primary" onClick={() => useImport.getState().openDialog()}>
          Import folder…
        </button>
      </div>
    );
  } else {
    body = (
      <>
        {status === 'loading' && total === null && (
          <div className="loading" role="status">
            Loading studies…
          </div>
        )}
        <WorklistTable gridRef={gridRef} />
      </>
    );
  }

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Studyshare</span>
        <FilterBar searchRef={searchRef} />
        <div className="topbar-actions">
          <HubChip />
          {importing && (
            <button type="button" className="quiet import-chip" onClick={() => useImport.getState().openDialog()}>
              Importing {percent}%
            </button>
          )}
          <button type="button" onClick={() => useImport.getState().openDialog()}>
            Import…
          </button>
          <ActionsMenu view={view} />
          <button type="button" className="quiet" aria-label="Settings" title="Settings" onClick={() => useSettings.getState().open()}>
            <span aria-hidden="true">⚙</span>
          </button>
        </div>
      </header>
      <Sidebar />
      {view === 'admin' ? (
        <main className="worklist" aria-label="Administration">
          <AdminView />
        </main>
      ) : view === 'hub' && hubWorklist !== null ? (
        <main className="worklist" aria-label={hubWorklist.name}>
          <HubWorklistView name={hubWorklist.name} version={dataVersion} />
        </main>
      ) : (
        <main className="worklist" aria-label="Local studies">
          {body}
        </main>
      )}
      {detailsOpen && view === 'worklist' && <DetailsPanel version={dataVersion} />}
      <footer className="statusbar">
        <span role="status" aria-label="Study count">
          {total === null ? '…' : `${formatCount(total)} ${filtered ? 'matching' : ''} studies`}
        </span>
        <span>{selectedCount > 0 ? `${formatCount(selectedCount)} selected` : ''}</span>
        <span className="muted">{host === null ? '' : host.kind === 'browser' ? 'Browser mode' : 'Desktop'}</span>
      </footer>
      {importOpen && <ImportDialog hostKind={host?.kind ?? null} />}
      {hubDialogOpen && !settingsOpen && <HubDialog />}
      {settingsOpen && <SettingsDialog />}
      {guestLinkStudies !== null && <GuestLinkDialog studyUids={guestLinkStudies} />}
      {shareStudies !== null && <ShareDialog studies={shareStudies} />}
    </div>
  );
}
