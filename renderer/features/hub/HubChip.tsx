/** The hub and sync state in the top bar, in a few words (sync-words.ts); a click opens the hub dialog. */
import { useHub } from './hub-store';
import { syncWords } from './sync-words';

export function HubChip() {
  const status = useHub((s) => s.status);
  const openDialog = useHub((s) => s.openDialog);
  if (status === null) return null;
  const { label, tone } = syncWords(status);
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
