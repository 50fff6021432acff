/**
 * The Sync panel (in the hub dialog): everything that waits for the hub, one row each — what it
 * is, why it waits, since when, and when it is tried next — with Retry (now) and Discard (the
 * hub's audit trail records it). Refused items stay until retried, discarded or dismissed. It
 * reads the queue again whenever the sync status changes.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SyncQueueItemView } from '../../../shared/contract';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useHub } from '../hub/hub-store';
import { OPERATION_WORDS } from './operation-words';

const STATE_WORDS: Record<SyncQueueItemView['state'], string> = { waiting: 'Waiting', delayed: 'Tried again later', refused: 'Refused' };

function itemWords(item: SyncQueueItemView): string {
  if (item.kind === 'file') return `File ${item.what}`;
  return `${OPERATION_WORDS[item.what] ?? item.what}${item.target === null ? '' : ` with ${item.target}`}`;
}

export function SyncQueue() {
  const status = useHub((s) => s.status);
  const [items, setItems] = useState<readonly SyncQueueItemView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const sync = status?.sync;
  const load = useCallback(async () => {
    const result = await api.call('sync:queue', {});
    if (result.ok) {
      setItems(result.value.items);
      setError(null);
    } else setError(result.error.message);
  }, []);
  // Read again when what waits changes (counts, state).
  useEffect(() => {
    void load();
  }, [load, sync?.pending, sync?.uploadsPending, sync?.delayed, sync?.state, sync?.rejected.length]);

  const act = async (name: 'sync:retry' | 'sync:discard', item: SyncQueueItemView) => {
    setConfirming(null);
    const result = await api.call(name, { kind: item.kind, id: item.id });
    if (!result.ok) setError(result.error.message);
    await load();
  };

  if (items === null) return error === null ? null : <p className="error-text">{error}</p>;
  return (
    <section aria-label="Sync queue" className="sync-queue">
      <h3>Waiting for the hub</h3>
      {error !== null && <p className="error-text">{error}</p>}
      {items.length === 0 ? (
        <p className="muted">Nothing waits: everything was sent.</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">State</th>
              <th scope="col">Why</th>
              <th scope="col">Since</th>
              <th scope="col">Next try</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const words = itemWords(item);
              return (
                <tr key={`${item.kind}:${item.id}`} className={item.state}>
                  <td title={item.studyUid ?? undefined}>{words}</td>
                  <td>
                    {STATE_WORDS[item.state]}
                    {item.attempts > 1 ? ` (${item.attempts} tries)` : ''}
                  </td>
                  <td className={item.state === 'waiting' ? 'muted' : 'error-text'}>{item.reason ?? '—'}</td>
                  <td>{formatDateTime(item.failingSince ?? item.queuedAt)}</td>
                  <td>{item.state === 'delayed' ? formatDateTime(item.nextAttemptAt) : item.state === 'waiting' ? 'Next sync' : '—'}</td>
                  <td className="row-actions">
                    {item.state !== 'waiting' && !(item.state === 'refused' && item.kind === 'operation') && (
                      <button type="button" className="quiet" aria-label={`Retry: ${words}`} onClick={() => void act('sync:retry', item)}>
                        Retry
                      </button>
                    )}
                    {confirming === `${item.kind}:${item.id}` ? (
                      <>
                        <button type="button" className="danger" aria-label={`Confirm discard: ${words}`} onClick={() => void act('sync:discard', item)}>
                          Discard for good
                        </button>
                        <button type="button" className="quiet" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" className="quiet" aria-label={`Discard: ${words}`} onClick={() => setConfirming(`${item.kind}:${item.id}`)}>
                        Discard
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
