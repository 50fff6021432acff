/**
 * "Access requests" on the hub (issue 13): the sidebar entry with the number waiting for this
 * user's answer, and its dialog — the requests to answer (Approve makes a direct share, Deny
 * says no), this user's own with their answers, and asking for a study one was sent a link to
 * but cannot see ("You do not have access" → Request access).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorMessage, Notice } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { formatCount } from '../../lib/format';
import { useHub } from '../hub/hub-store';
import { useAccessRequests } from './access-requests-store';

const ANSWER = { approved: 'Approved', denied: 'Denied' } as const;

function AccessRequestsDialog() {
  const { incoming, mine, error, notice } = useAccessRequests();
  const [study, setStudy] = useState('');
  const [message, setMessage] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await useAccessRequests.getState().ask(study, message)) {
      setStudy('');
      setMessage('');
    }
  };
  return (
    <ModalDialog title="Access requests" onClose={() => useAccessRequests.getState().show(false)}>
      <h3 className="small-heading">Waiting for your answer</h3>
      <table className="admin-table" aria-label="Requests to answer">
        <thead>
          <tr>
            <th scope="col">Study</th>
            <th scope="col">Asked by</th>
            <th scope="col">Message</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {incoming.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Nobody is waiting.
              </td>
            </tr>
          )}
          {incoming.map((request) => (
            <tr key={request.id}>
              <td>{request.study}</td>
              <td>
                {request.requester.name} <span className="muted small">{request.requester.email}</span>
              </td>
              <td>{request.message || '—'}</td>
              <td className="row-actions">
                <button type="button" className="primary" aria-label={`Approve ${request.requester.name}`} onClick={() => void useAccessRequests.getState().decide(request.id, true)}>
                  Approve
                </button>
                <button type="button" aria-label={`Deny ${request.requester.name}`} onClick={() => void useAccessRequests.getState().decide(request.id, false)}>
                  Deny
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="small-heading">Ask for a study you cannot see</h3>
      <form className="stacked-form" aria-label="Request access" onSubmit={(event) => void submit(event)}>
        <label>
          Study link or id
          <input value={study} onChange={(e) => setStudy(e.target.value)} placeholder="Paste the link you were sent" />
        </label>
        <label>
          Message (optional)
          <input value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={study.trim() === ''}>
            Request access
          </button>
        </div>
      </form>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      {mine.length > 0 && (
        <>
          <h3 className="small-heading">Your requests</h3>
          <table className="admin-table" aria-label="Your requests">
            <tbody>
              {mine.map((request) => (
                <tr key={request.id}>
                  <td>{request.study}</td>
                  <td>{request.createdAt.slice(0, 10)}</td>
                  <td>{request.decision === null ? 'Waiting' : ANSWER[request.decision]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={() => useAccessRequests.getState().show(false)}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}

/** The sidebar entry, with the count waiting for this user's answer. */
export function AccessRequestsNav() {
  const userEmail = useHub((s) => s.status?.user?.email ?? null);
  const waiting = useAccessRequests((s) => s.incoming.length);
  useEffect(() => {
    // Another person signed in: the last one's dialog and messages are not theirs.
    useAccessRequests.getState().show(false);
    if (userEmail !== null) void useAccessRequests.getState().load();
  }, [userEmail]);
  if (userEmail === null) return null;
  return (
    <>
      <li>
        <a
          href="#access-requests"
          className="worklist-link"
          onClick={(event) => {
            event.preventDefault();
            useAccessRequests.getState().show(true);
            void useAccessRequests.getState().load();
          }}
        >
          <span>Access requests</span>
          <span className="badge" aria-label={`${waiting} waiting for your answer`}>
            {waiting > 0 ? formatCount(waiting) : ''}
          </span>
        </a>
      </li>
    </>
  );
}

/** The dialog, rendered at the app's root (not inside the sidebar's list). */
export function AccessRequestsDialogHost() {
  const open = useAccessRequests((s) => s.open);
  return open ? <AccessRequestsDialog /> : null;
}
