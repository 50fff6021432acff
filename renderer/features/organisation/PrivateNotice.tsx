/** What became of Make private / Unmark as private: a status line with the refusals and why. */
import { useEffect } from 'react';
import { useHub } from '../hub/hub-store';
import { usePrivateStudies } from './private-store';

export function PrivateNotice() {
  const message = usePrivateStudies((s) => s.message);
  const refused = usePrivateStudies((s) => s.refused);
  // What the last person did is not the next person's business: cleared when the user changes.
  const userEmail = useHub((s) => s.status?.user?.email ?? null);
  useEffect(() => usePrivateStudies.getState().dismiss(), [userEmail]);
  if (message === null) return null;
  return (
    <div className="private-notice" role="status" aria-label="Private studies">
      <span>{message}</span>
      {refused.map((r) => (
        <span key={r.study} className="error-text small">
          {' '}
          {r.reason}
        </span>
      ))}
      <button type="button" className="quiet" aria-label="Dismiss" onClick={() => usePrivateStudies.getState().dismiss()}>
        ×
      </button>
    </div>
  );
}

/** The lock shown beside a private study in every list. */
export function LockIcon({ label = 'Private' }: { readonly label?: string }) {
  return (
    <svg className="lock-icon" viewBox="0 0 24 24" role="img" aria-label={label} focusable="false">
      <title>{label}</title>
      <rect x="5" y="10.5" width="14" height="10" rx="1.5" />
      <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
    </svg>
  );
}
