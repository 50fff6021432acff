/**
 * Administration → Users, for those whose role manages connections (issue 14, part 3): the
 * requests of external users with their status (Review / Assigned / Declined), an alert while
 * some wait, the site's connection code, and per request *Assign physicians* (the dialog) and
 * *Decline*. The hub enforces who may; this screen shows what it answers.
 */
import { useEffect, useState } from 'react';
import { CONNECTION_KIND_LABELS } from '../../../shared/connections/connection-kinds';
import type { SiteConnectionView } from '../../../shared/hub-api/connections';
import { ModalDialog } from '../../components/ModalDialog';
import { ErrorMessage, Notice } from '../../components/Messages';
import { hasPermission, useHub } from '../hub/hub-store';
import { AssignPhysiciansDialog } from './AssignPhysiciansDialog';
import { useConnections } from './connections-store';
import './connections.css';

const STATUS = { review: 'Review', assigned: 'Assigned', declined: 'Declined' } as const;

function DeclineButton({ connection }: { connection: SiteConnectionView }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" className="quiet" aria-label={`Decline ${connection.user.name}`} onClick={() => setConfirming(true)}>
        Decline
      </button>
      {confirming && (
        <ModalDialog title={`Decline ${connection.user.name}?`} onClose={() => setConfirming(false)} narrow>
          <p>
            {connection.user.name} ({connection.user.email}) is told their request was declined{connection.physicians.length > 0 ? ' and loses the studies of the physicians assigned to them' : ''}. They may ask again.
          </p>
          <div className="dialog-actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                void useConnections.getState().decline(connection);
              }}
            >
              Decline {connection.user.name}
            </button>
            <button type="button" autoFocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      )}
    </>
  );
}

export function ConnectionRequests() {
  const status = useHub((s) => s.status);
  const allowed = hasPermission(status, 'admin.connections');
  const { site, reviewCount, settings, roles, assigning, error, notice } = useConnections();
  useEffect(() => {
    if (allowed) void useConnections.getState().loadSite();
  }, [allowed]);
  if (!allowed) return null;
  return (
    <section className="connection-requests" aria-label="Connection requests">
      <h3 className="small-heading">Connection requests</h3>
      {reviewCount > 0 && (
        <p role="alert" className="connection-alert">
          {reviewCount === 1 ? 'One connection request waits' : `${reviewCount} connection requests wait`} for review: assign physicians or decline.
        </p>
      )}
      {settings !== null && (
        <p className="muted small">
          External users find this site by its exact name or its connection code <strong className="code">{settings.connectionCode}</strong>
          {settings.acceptsConnections ? '.' : ' — the site takes no requests now.'}
        </p>
      )}
      <ErrorMessage message={assigning === null ? error : null} />
      <Notice message={notice} />
      {site.length === 0 ? (
        <p className="muted">No requests yet.</p>
      ) : (
        <table className="admin-table" aria-label="Connection requests">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">As</th>
              <th scope="col">Status</th>
              <th scope="col">Physicians</th>
              <th scope="col" title="What they may do with this site’s studies (one role per connection; never anything site-wide)">
                Role
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {site.map((connection) => (
              <tr key={connection.id} className={connection.status === 'declined' ? 'inactive' : undefined}>
                <td>{connection.user.name}</td>
                <td>{connection.user.email}</td>
                <td>{CONNECTION_KIND_LABELS[connection.kind]}</td>
                <td>
                  <span className={`connection-status ${connection.status}`}>{STATUS[connection.status]}</span>
                </td>
                <td>{connection.physicians.length === 0 ? '—' : connection.physicians.map((p) => p.name).join(', ')}</td>
                <td>
                  {connection.status === 'declined' || roles.length === 0 ? (
                    (connection.role?.name ?? '—')
                  ) : (
                    <select
                      aria-label={`Role of ${connection.user.name}`}
                      value={connection.role?.id ?? ''}
                      onChange={(event) => void useConnections.getState().setRole(connection, event.target.value)}
                    >
                      {connection.role == null && <option value="">Set at the first assignment</option>}
                      {roles.map((role) => (
                        <option key={role.id} value={role.id}>
                          {role.name}
                        </option>
                      ))}
                    </select>
                  )}
                </td>
                <td className="row-actions">
                  {connection.status !== 'declined' && (
                    <>
                      <button type="button" aria-label={`Assign physicians to ${connection.user.name}`} onClick={() => useConnections.getState().openAssign(connection)}>
                        Assign physicians
                      </button>
                      <DeclineButton connection={connection} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {assigning !== null && <AssignPhysiciansDialog connection={assigning} />}
    </section>
  );
}
