/**
 * Actions → Send to…: choose a node, send the selected studies, watch each instance's outcome
 * counted, see why any failed, and retry those.
 */
import { useState } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import { jobOf, useDicom } from './dicom-store';

export function SendDialog({ studies }: { readonly studies: readonly string[] }) {
  const nodes = useDicom((s) => s.status?.nodes ?? []);
  const job = useDicom((s) => jobOf(s.status, s.sendJobId));
  const failures = useDicom((s) => s.failures);
  const error = useDicom((s) => s.error);
  const [nodeId, setNodeId] = useState<number | null>(nodes[0]?.id ?? null);
  const running = job?.state === 'running';
  const close = () => useDicom.getState().closeSend();
  return (
    <ModalDialog title={studies.length === 1 ? 'Send 1 study' : `Send ${studies.length} studies`} onClose={close} narrow closeOnBackdrop={!running}>
      {nodes.length === 0 ? (
        <p>No DICOM node is set up yet: add your PACS in Settings → DICOM nodes.</p>
      ) : (
        <label className="field">
          To
          <select value={nodeId ?? ''} disabled={running} onChange={(event) => setNodeId(Number(event.target.value))}>
            {nodes.map((node) => (
              <option key={node.id} value={node.id}>
                {node.name} ({node.aeTitle} at {node.host}:{node.port})
              </option>
            ))}
          </select>
        </label>
      )}
      {job !== null && (
        <div role="status" aria-label="Send progress" className="transfer-progress">
          <progress max={job.total ?? 1} value={job.done + job.failed} aria-label="Instances sent" />
          <p>
            {job.done} of {job.total ?? '…'} instances sent
            {job.failed > 0 ? `, ${job.failed} failed` : ''}
            {job.state === 'done' ? ' — done.' : job.state === 'cancelled' ? ' — cancelled.' : job.state === 'failed' ? '.' : '…'}
          </p>
          {job.message !== null && <p className={job.state === 'failed' ? 'error-text' : 'muted'}>{job.message}</p>}
        </div>
      )}
      {failures.length > 0 && !running && (
        <details className="failures">
          <summary>Why {failures.length === 1 ? 'one instance' : `${failures.length} instances`} failed</summary>
          <ul>
            {[...new Set(failures.map((f) => f.reason))].map((reason) => (
              <li key={reason}>
                {reason} ({failures.filter((f) => f.reason === reason).length})
              </li>
            ))}
          </ul>
        </details>
      )}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
      <div className="dialog-actions">
        {running ? (
          <button type="button" onClick={() => job !== null && void useDicom.getState().cancel(job.id)}>
            Cancel send
          </button>
        ) : job !== null && job.failed > 0 ? (
          <button type="button" className="primary" onClick={() => void useDicom.getState().retryFailed()}>
            Retry {job.failed} failed
          </button>
        ) : job === null ? (
          <button type="button" className="primary" disabled={nodeId === null} onClick={() => nodeId !== null && void useDicom.getState().send(nodeId)}>
            Send
          </button>
        ) : null}
        <button type="button" onClick={close}>
          {job !== null && !running ? 'Close' : 'Cancel'}
        </button>
      </div>
    </ModalDialog>
  );
}
