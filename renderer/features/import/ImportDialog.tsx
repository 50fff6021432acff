/**
 * Import from a folder: the native picker in Electron, a path field in browser mode; progress,
 * counts and Cancel while it runs; then what was imported and a readable list of what failed.
 */
import { useEffect, useRef, useState } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import { api } from '../../lib/api';
import { formatCount, formatDateTime } from '../../lib/format';
import { useImport } from './import-store';

export function ImportDialog({ hostKind }: { readonly hostKind: 'electron' | 'browser' | null }) {
  const { phase, progress, summary, error, unfinished } = useImport();
  const { start, cancel, closeDialog, reset, resume, dismissUnfinished } = useImport.getState();
  const [folder, setFolder] = useState('');
  const [copy, setCopy] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const firstField = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const busy = phase === 'starting' || phase === 'running' || phase === 'cancelling';

  useEffect(() => firstField.current?.focus(), []);

  const pick = async (): Promise<void> => {
    const result = await api.call('import:pick-folder', {});
    if (!result.ok) setPickError(result.error.message);
    else if (result.value.paths.length > 0) setFolder(result.value.paths.join('\n'));
  };
  const paths = folder.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const percent = progress?.filesTotal ? Math.round((progress.filesDone / progress.filesTotal) * 100) : 0;

  return (
    <ModalDialog title="Import studies" onClose={closeDialog} closeOnBackdrop={!busy}>
        {!busy && unfinished.length > 0 && (
          <section aria-label="Unfinished imports" className="notice">
            <p>{unfinished.length === 1 ? 'An import' : `${unfinished.length} imports`} stopped before finishing (the app was closed or the computer went off). Resuming continues where it stopped.</p>
            <ul className="failures">
              {unfinished.map((job) => (
                <li key={job.id}>
                  <code>{job.paths.join(', ')}</code>
                  <span className="muted">
                    Started {formatDateTime(job.startedAt)}
                    {job.copyToLibrary ? ', copying into the library' : ''}
                  </span>
                  <span className="row-actions">
                    <button type="button" className="primary" onClick={() => void resume(job.id)}>
                      Resume
                    </button>
                    <button type="button" className="quiet" onClick={() => void dismissUnfinished(job.id)}>
                      Dismiss
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (paths.length > 0 && !busy) void start(paths, copy);
          }}
        >
          {hostKind === 'electron' ? (
            <div className="field-row">
              <button type="button" ref={firstField} onClick={() => void pick()} disabled={busy}>
                Choose folder…
              </button>
              <span className="path-preview">{folder === '' ? 'No folder chosen' : folder}</span>
            </div>
          ) : (
            <label className="field">
              <span>Folder path</span>
              <input
                ref={firstField}
                type="text"
                value={folder}
                onChange={(event) => setFolder(event.target.value)}
                placeholder="/media/cdrom or /home/you/studies"
                disabled={busy}
                spellCheck={false}
              />
            </label>
          )}
          {pickError !== null && <p role="alert" className="error-text">{pickError}</p>}
          <label className="check">
            <input type="checkbox" checked={copy} onChange={(event) => setCopy(event.target.checked)} disabled={busy} />
            Copy files into the Studyshare library (otherwise they are indexed where they are)
          </label>
          <div className="dialog-actions">
            {phase === 'done' && summary?.cancelled !== true ? (
              <button type="button" onClick={reset}>
                New import
              </button>
            ) : (
              <button type="submit" className="primary" disabled={paths.length === 0 || busy}>
                Start import
              </button>
            )}
            <button type="button" onClick={closeDialog}>
              {busy ? 'Hide' : 'Close'}
            </button>
          </div>
        </form>

        {(busy || progress !== null) && (
          <section aria-label="Import progress" className="progress">
            <div
              role="progressbar"
              aria-label="Files read"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              className="bar"
            >
              <div className="bar-fill" style={{ width: `${percent}%` }} />
            </div>
            {/* Cancel sits apart from Start, so a late click can never start another import. */}
            {busy && (
              <button type="button" className="cancel" onClick={() => void cancel()} disabled={phase === 'cancelling'}>
                Cancel import
              </button>
            )}
            <p className="counts" aria-live="polite">
              {progress === null
                ? 'Looking for files…'
                : `${formatCount(progress.filesDone)} of ${formatCount(progress.filesTotal ?? 0)} files · ${formatCount(progress.imported)} imported · ${formatCount(progress.duplicates)} duplicates · ${formatCount(progress.unchanged)} unchanged · ${formatCount(progress.errors)} failed`}
            </p>
          </section>
        )}

        {error !== null && (
          <p role="alert" className="error-text">
            {error.message}
          </p>
        )}

        {summary !== null && (
          <section aria-label="Import result" className="result">
            <p role="status">
              {summary.cancelled ? 'Import cancelled. ' : 'Import finished. '}
              {formatCount(summary.imported)} images imported into {formatCount(summary.studies)} studies in {summary.seconds} s
              {summary.cancelled ? '; run it again to continue where it stopped.' : '.'}
            </p>
            {summary.errors.length > 0 && (
              <>
                <h3>{summary.errors.length === 1 ? '1 file' : `${formatCount(summary.errors.length)} files`} could not be imported</h3>
                <ul className="failures" aria-label="Files that failed">
                  {summary.errors.map((failure) => (
                    <li key={failure.path}>
                      <code>{failure.path}</code>
                      <span>{failure.reason}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        )}
    </ModalDialog>
  );
}
