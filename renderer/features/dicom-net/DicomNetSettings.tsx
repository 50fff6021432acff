/**
 * Settings → DICOM: the listener (on/off, port, AE title, who may send) and the list of PACS
 * nodes (add, edit, remove, Echo). Kept in its own component; SettingsDialog only places it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { DicomNodeView, ListenerStatus } from '../../../shared/types/dicom-net';
import { useDicom } from './dicom-store';
import './dicom-net.css';

const splitList = (text: string): string[] => text.split(/[\s,]+/).map((item) => item.trim()).filter((item) => item !== '');

function ListenerSettingsForm({ listener }: { readonly listener: ListenerStatus }) {
  const saveListener = useDicom((s) => s.saveListener);
  const [enabled, setEnabled] = useState(listener.enabled);
  const [port, setPort] = useState(String(listener.port));
  const [aeTitle, setAeTitle] = useState(listener.aeTitle);
  const [allowedAe, setAllowedAe] = useState(listener.allowedAeTitles.join(' '));
  const [allowedAddresses, setAllowedAddresses] = useState(listener.allowedAddresses.join(' '));
  const [autoPublish, setAutoPublish] = useState(listener.autoPublish);
  const [saved, setSaved] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const ok = await saveListener({ enabled, port: Number(port), aeTitle: aeTitle.trim(), allowedAeTitles: splitList(allowedAe), allowedAddresses: splitList(allowedAddresses), autoPublish });
    if (ok) setSaved(enabled ? 'Listening.' : 'The listener is off.');
  };
  const state = listener.running
    ? `Listening on port ${listener.port} as ${listener.aeTitle}` + (listener.associations > 0 ? ` — receiving on ${listener.associations} association${listener.associations === 1 ? '' : 's'}` : '')
    : listener.error ?? 'Off: studies reach this computer by import only.';
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="DICOM listener">
      <h3>DICOM listener</h3>
      <p role="status" className={listener.error === null ? 'muted' : 'error-text'}>
        {state}
      </p>
      {listener.setByFlags && <p className="muted">Started with --dicom-port / --ae-title: those apply until the app restarts.</p>}
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Receive studies sent to this computer (C-STORE)
      </label>
      <div className="dicom-fields">
        <label className="field">
          AE title
          <input value={aeTitle} maxLength={16} onChange={(event) => setAeTitle(event.target.value)} />
        </label>
        <label className="field">
          Port
          <input value={port} inputMode="numeric" onChange={(event) => setPort(event.target.value)} />
        </label>
      </div>
      <label className="field">
        Only from these AE titles (space-separated; empty: any)
        <input value={allowedAe} onChange={(event) => setAllowedAe(event.target.value)} />
      </label>
      <label className="field">
        Only from these addresses (empty: any)
        <input value={allowedAddresses} onChange={(event) => setAllowedAddresses(event.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={autoPublish} onChange={(event) => setAutoPublish(event.target.checked)} /> Put received studies on the hub
      </label>
      <p className="muted">
        A study goes once no instance of it has arrived for a minute, as a share would put it there; while the hub is away it waits and goes when the hub is back.
      </p>
      {listener.autoPublish && (listener.published > 0 || listener.publishWaiting > 0) && (
        <p className="muted" role="status">
          Put on the hub since start: {listener.published} {listener.published === 1 ? 'study' : 'studies'}
          {listener.publishWaiting > 0 ? `; ${listener.publishWaiting} still arriving` : ''}.
        </p>
      )}
      {listener.autoPublish && listener.publishNote !== null && <p className="warn-text">{listener.publishNote}</p>}
      {listener.received + listener.duplicates + listener.refused > 0 && (
        <p className="muted">
          Since start: {listener.received} received, {listener.duplicates} already here, {listener.refused} refused.
        </p>
      )}
      {listener.lastRefusal !== null && <p className="warn-text">Last refusal — {listener.lastRefusal}</p>}
      <div className="dialog-actions">
        <button type="submit" className="primary">
          Save listener
        </button>
        {saved !== null && <span role="status">{saved}</span>}
      </div>
    </form>
  );
}

function NodeRow({ node, onEdit }: { readonly node: DicomNodeView; readonly onEdit: () => void }) {
  const [echo, setEcho] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <tr>
      <td>{node.name}</td>
      <td>
        <code>{node.aeTitle}</code>
      </td>
      <td>
        {node.host}:{node.port}
      </td>
      <td>{node.retrieve === 'move' ? 'C-MOVE' : 'C-GET'}</td>
      <td className="node-actions">
        <button
          type="button"
          disabled={busy}
          aria-label={`Echo ${node.name}`}
          onClick={() => {
            setBusy(true);
            setEcho(null);
            void useDicom.getState().echo(node.id).then((result) => (setEcho(result), setBusy(false)));
          }}
        >
          {busy ? 'Echo…' : 'Echo'}
        </button>
        <button type="button" aria-label={`Edit ${node.name}`} onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="danger" aria-label={`Remove ${node.name}`} onClick={() => void useDicom.getState().removeNode(node.id)}>
          Remove
        </button>
        {echo !== null && (
          <span role={echo.ok ? 'status' : 'alert'} className={echo.ok ? 'ok-text' : 'error-text'}>
            {echo.message}
          </span>
        )}
      </td>
    </tr>
  );
}

function NodeForm({ node, onDone }: { readonly node: DicomNodeView | null; readonly onDone: () => void }) {
  const [name, setName] = useState(node?.name ?? '');
  const [aeTitle, setAeTitle] = useState(node?.aeTitle ?? '');
  const [host, setHost] = useState(node?.host ?? '');
  const [port, setPort] = useState(String(node?.port ?? 104));
  const [retrieve, setRetrieve] = useState<'move' | 'get'>(node?.retrieve ?? 'move');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await useDicom.getState().saveNode({ ...(node === null ? {} : { id: node.id }), name: name.trim() || aeTitle.trim(), aeTitle: aeTitle.trim(), host: host.trim(), port: Number(port), retrieve });
    if (ok) onDone();
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label={node === null ? 'Add a DICOM node' : `Edit ${node.name}`} className="node-form">
      <div className="dicom-fields">
        <label className="field">
          Name
          <input value={name} onChange={(event) => setName(event.target.value)} placeholder="Main PACS" autoFocus />
        </label>
        <label className="field">
          AE title
          <input value={aeTitle} maxLength={16} required onChange={(event) => setAeTitle(event.target.value)} />
        </label>
        <label className="field">
          Host
          <input value={host} required onChange={(event) => setHost(event.target.value)} placeholder="pacs.hospital.local" />
        </label>
        <label className="field">
          Port
          <input value={port} inputMode="numeric" required onChange={(event) => setPort(event.target.value)} />
        </label>
        <label className="field">
          Retrieve with
          <select value={retrieve} onChange={(event) => setRetrieve(event.target.value as 'move' | 'get')}>
            <option value="move">C-MOVE (to this listener)</option>
            <option value="get">C-GET</option>
          </select>
        </label>
      </div>
      <div className="dialog-actions">
        <button type="submit" className="primary">
          {node === null ? 'Add node' : 'Save node'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function DicomNetSettings() {
  const status = useDicom((s) => s.status);
  const error = useDicom((s) => s.error);
  const [editing, setEditing] = useState<DicomNodeView | 'new' | null>(null);
  useEffect(() => {
    void useDicom.getState().load();
    return () => useDicom.getState().clearError();
  }, []);
  if (status === null) return null;
  return (
    <section aria-label="DICOM networking" className="dicom-settings">
      <ListenerSettingsForm listener={status.listener} />
      <h3>DICOM nodes</h3>
      {status.nodes.length === 0 ? (
        <p className="muted">No PACS yet: add one to send studies to it and query it.</p>
      ) : (
        <table className="node-table" aria-label="DICOM nodes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">AE title</th>
              <th scope="col">Address</th>
              <th scope="col">Retrieve</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {status.nodes.map((node) => (
              <NodeRow key={node.id} node={node} onEdit={() => setEditing(node)} />
            ))}
          </tbody>
        </table>
      )}
      {editing === null ? (
        <div className="dialog-actions">
          <button type="button" onClick={() => setEditing('new')}>
            Add node…
          </button>
        </div>
      ) : (
        <NodeForm key={editing === 'new' ? 'new' : editing.id} node={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
      )}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
    </section>
  );
}
