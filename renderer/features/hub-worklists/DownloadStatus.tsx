/**
 * What became of Actions → Download… (issue 13): a quiet status line while the zip comes (bytes
 * so far), then where it was saved, or the hub's why (download policy, a collection without the
 * download right, the hub away, the disk full). Announced to screen readers; dismissed by its
 * button or Escape.
 */
import { describeBytes, useDownloads } from './download-store';

export function DownloadStatus() {
  const state = useDownloads((s) => s.state);
  const dismiss = useDownloads((s) => s.dismiss);
  if (state.kind === 'idle') return null;
  const text =
    state.kind === 'saving'
      ? `Downloading the study… ${describeBytes(state.bytes)}`
      : state.kind === 'saved'
        ? `Study saved (${describeBytes(state.bytes)}) to ${state.path}`
        : `Not downloaded: ${state.message}`;
  return (
    <div
      className="private-notice download-notice"
      role={state.kind === 'failed' ? 'alert' : 'status'}
      aria-label="Download"
      onKeyDown={(event) => {
        if (event.key === 'Escape') dismiss();
      }}
    >
      <span className={state.kind === 'failed' ? 'error-text' : undefined}>{text}</span>
      {state.kind !== 'saving' && (
        <button type="button" className="quiet" aria-label="Dismiss download message" onClick={dismiss}>
          ×
        </button>
      )}
    </div>
  );
}
