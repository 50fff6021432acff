/**
 * An external user's side of connecting (issue 14, part 3): a sidebar entry "Connected sites"
 * and its dialog — their requests with status and the physicians they were assigned, and asking
 * a site (by its exact name or its connection code) as a physician, a practice manager or an
 * external rep. Shown to people outside any site (no role yet, or the external users' role).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { CONNECTION_KIND_LABELS, CONNECTION_KINDS, type ConnectionKind } from '../../../shared/connections/connection-kinds';
import { EXTERNAL_USER_ROLE } from '../../../shared/connections/connection-kinds';
import { ErrorMessage, Notice } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { useHub } from '../hub/hub-store';
import { useConnections } from './connections-store';
import './connections.css';

const STATUS = { review: 'In review', assigned: 'Connected', declined: 'Declined' } as const;

function MyConnectionsDialog() {
  const { mine, error, notice } = useConnections();
  const [site, setSite] = useState('');
  const [kind, setKind] = useState<ConnectionKind>('physician');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await useConnections.getState().request(site, kind)) setSite('');
  };
  return (
    <ModalDialog title="Connected sites" onClose={() => useConnections.getState().showMine(false)}>
      <table className="admin-table" aria-label="Your connection requests">
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col">As</th>
            <th scope="col">Status</th>
            <th scope="col">Physicians</th>
            <th scope="col" title="What the site lets you do with its studies (each site sets its own)">
              Role
            </th>
          </tr>
        </thead>
        <tbody>
          {mine.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                You have not asked any site yet.
              </td>
            </tr>
          )}
          {mine.map((connection) => (
            <tr key={connection.id}>
              <td>{connection.site.name}</td>
              <td>{CONNECTION_KIND_LABELS[connection.kind]}</td>
              <td>
                <span className={`connection-status ${connection.status}`}>{STATUS[connection.status]}</span>
              </td>
              <td>{connection.physicians.length === 0 ? '—' : connection.physicians.map((p) => p.name).join(', ')}</td>
              <td>{connection.role?.name ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="small-heading">Ask a site to connect you</h3>
      <form className="stacked-form" aria-label="Ask a site to connect you" onSubmit={(event) => void submit(event)}>
        <label>
          Site name or connection code
          <input value={site} onChange={(event) => setSite(event.target.value)} placeholder="Exactly as the site spells it, or ABCD-EFGH-J" />
        </label>
        <fieldset className="radio-row">
          <legend>I am</legend>
          {CONNECTION_KINDS.map((value) => (
            <label key={value}>
              <input type="radio" name="connection-kind" value={value} checked={kind === value} onChange={() => setKind(value)} />
              {CONNECTION_KIND_LABELS[value]}
            </label>
          ))}
        </fieldset>
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={site.trim() === ''}>
            Ask to connect
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      <div className="dialog-actions">
        <button type="button" onClick={() => useConnections.getState().showMine(false)}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}

/** The sidebar entry for people outside any site, with the dialog while it is open. */
export function MyConnectionsNav() {
  const user = useHub((s) => s.status?.user ?? null);
  const open = useConnections((s) => s.mineOpen);
  const outside = user !== null && (user.role === null || user.role === EXTERNAL_USER_ROLE);
  useEffect(() => {
    useConnections.getState().showMine(false);
    if (outside) void useConnections.getState().loadMine();
  }, [outside, user?.email]);
  if (!outside) return null;
  return (
    <>
      <h2>Sites</h2>
      <ul>
        <li>
          <a
            href="#connections"
            className="worklist-link"
            onClick={(event) => {
              event.preventDefault();
              useConnections.getState().showMine(true);
              void useConnections.getState().loadMine();
            }}
          >
            <span>Connected sites</span>
          </a>
        </li>
      </ul>
      {open && <MyConnectionsDialog />}
    </>
  );
}
