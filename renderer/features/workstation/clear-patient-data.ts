/**
 * What the renderer forgets when the workstation locks: every store that can hold patient data
 * (worklist rows and selection, the hub worklist's, open dialogs naming studies, the admin
 * screens, a finished import's report with its paths) goes back to its first state. Views are
 * unmounted by the lock screen; this empties what outlives them.
 */
import { useAdmin } from '../admin/admin-store';
import { useGuestLinks } from '../guest-links/guest-link-store';
import { useHub } from '../hub/hub-store';
import { useHubStudies, useHubWorklists } from '../hub-worklists/hub-worklist-store';
import { useImport } from '../import/import-store';
import { useSettings } from '../settings/settings-store';
import { useShareDialog } from '../sharing/share-store';
import { useView } from '../sidebar/view-store';
import { useWorklist, type WorklistStore } from '../worklist/worklist-store';

/** Back to the first state, with a newer generation: an answer still on its way is dropped. */
function resetWorklist(store: WorklistStore): void {
  store.setState({ ...store.getInitialState(), generation: store.getState().generation + 1 }, true);
}

export function clearPatientData(): void {
  resetWorklist(useWorklist);
  resetWorklist(useHubStudies);
  useHubWorklists.setState({ worklists: [], listError: null, worklistId: null });
  useAdmin.setState(useAdmin.getInitialState(), true);
  useShareDialog.getState().close();
  useGuestLinks.getState().close();
  useView.setState(useView.getInitialState(), true);
  useSettings.getState().close();
  useHub.getState().closeDialog();
  const importing = useImport.getState();
  importing.closeDialog();
  // A running import goes on in main; only its counts come back. A finished one's report (file paths) goes.
  if (importing.phase !== 'running' && importing.phase !== 'starting' && importing.phase !== 'cancelling') importing.reset();
}
