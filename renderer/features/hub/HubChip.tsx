/** The hub and sync state in the top bar, in a few words; a click opens the hub dialog. */
import { useHub } from './hub-store';

export function HubChip() {
  const status = useHub((s) => s.status);
  const openDialog = useHub((s) => s.openDialog);
  if (status === null) return null;
  let label: string;
  let tone = 'ok';
  if (status.mode === 'off') {
    // Local index only: the chip stays, so connecting to a hub is one click away.
    label = 'No hub';
    tone = 'idle';
  } else if (status.needsSetup) {
    label = 'Set up your site';
    tone = 'attention';
  } else if (status.user === null) {
    label = 'Sign in to the hub';
    tone = 'attention';
  } else if (status.sync.state === 'offline') {
    label = `Hub offline · ${status.sync.pending} waiting`;
    tone = 'warn';
  } else if (status.sync.rejected.length > 0) {
    label = `${status.sync.rejected.length} refused`;
    tone = 'warn';
  } else if (status.sync.state === 'syncing' || status.sync.pending > 0) {
    label = `Syncing · ${status.sync.pending} pending`;
  } else {
    label = 'Hub · up to date';
  }
  return (
    <button
      type="button"
      className={`quiet hub-chip ${tone}`}
      onClick={openDialog}
      aria-label={`Hub: ${label}`}
      title={status.user === null ? undefined : `Signed in as ${status.user.name} (${status.user.email})`}
    >
      <span aria-hidden="true" className="dot" />
      {label}
    </button>
  );
}
