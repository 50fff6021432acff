/**
 * "Shared with" in a study's details: each target (kind, name, site), who shared it and when,
 * with Remove where this user may remove it; below, what this user queued that waits for the
 * hub or that the hub refused (with why). Offline, it says so and shows what it knows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudySharingView } from '../../../shared/contract';
import { ErrorMessage, Notice } from '../../components/Messages';
import { api } from '../../lib/api';
import { formatCount, formatDateTime } from '../../lib/format';
import type { StudyRef } from './share-store';

const KIND: Record<string, string> = { location: 'Location', group: 'Group', personal: 'Personal', person: 'Person' };

export function SharedWith({ study, version, onLoaded, onRefused }: { study: StudyRef; version: number; onLoaded?: (view: StudySharingView) => void; onRefused?: (code: string) => void }) {
  const [view, setView] = useState<StudySharingView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const key = 'uid' in study ? `u:${study.uid}` : `h:${study.hubId}`;

  // The latest props, read by `load` when it runs: the `study` object is new on every render, so
  // the study is told apart by its name (`key`), not by identity.
  const latest = useRef({ study, onLoaded, onRefused });
  useEffect(() => {
    latest.current = { study, onLoaded, onRefused };
  });
  const load = useCallback(async (opened: boolean) => {
    const { study: current, onLoaded: loaded, onRefused: refused } = latest.current;
    const result = await api.call('sharing:study', { study: current, opened });
    if (result.ok) {
      setView(result.value);
      setError(null);
      loaded?.(result.value);
    } else {
      setError(result.error.message);
      // The caller may show something better than the sentence (issue 13: "You do not have access").
      refused?.(result.error.code);
    }
  }, []);
  // Opening a study is a view on its trail; re-reading it after a sync is not.
  useEffect(() => {
    setView(null);
    setNotice(null);
    void load(true);
  }, [key, load]);
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    void load(false);
    // Only a new version re-reads; a new study is the effect above.
  }, [version, load]);

  const remove = async (shareId: string, label: string) => {
    const result = await api.call('sharing:remove', { shareId, study, label });
    if (!result.ok) setError(result.error.message);
    else if (result.value.state === 'removed') setNotice(`The share with ${label} was removed.`);
    else if (result.value.state === 'pending') setNotice(`Removing the share with ${label} waits for the hub.`);
    else setError(result.value.reason);
    await load(false);
  };

  return (
    <section aria-label="Shared with" className="shared-with">
      <h3>Shared with</h3>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      {view === null && error === null && <p className="muted">Loading…</p>}
      {view !== null && view.message !== null && <p className="muted">{view.message}</p>}
      {view?.files != null && view.files.waiting > 0 && (
        <p className="warn-text" role="status">
          {formatCount(view.files.waiting)} of {formatCount(view.files.total)} files still uploading to the hub
        </p>
      )}
      {view !== null && view.live && view.shares.length === 0 && <p className="muted">Not shared with anyone.</p>}
      {view !== null && view.shares.length > 0 && (
        <ul className="share-list" aria-label="Shares">
          {view.shares.map((share) => {
            const label = share.target.name;
            return (
              <li key={share.id}>
                <div>
                  <span className="tag">{KIND[share.target.kind]}</span> {label}
                  {share.target.site !== null && <span className="muted"> · {share.target.site}</span>}
                  {share.external && <span className="tag">External</span>}
                  {share.invitationPending && <span className="tag">Invited</span>}
                </div>
                <div className="muted small">
                  by {share.sharedBy.name}, {formatDateTime(share.sharedAt)}
                </div>
                {share.removable && (
                  <button type="button" className="quiet" onClick={() => void remove(share.id, label)}>
                    Remove share with {label}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {view !== null && view.queued.length > 0 && (
        <ul className="share-list" aria-label="Waiting or refused">
          {view.queued.map((item) => (
            <li key={item.id}>
              <div>
                <span className={item.state === 'pending' ? 'tag' : 'tag danger'}>{item.state === 'pending' ? 'Pending' : 'Refused'}</span>{' '}
                {item.kind === 'share.remove' ? `Remove share with ${item.target}` : item.target}
              </div>
              {item.reason !== null && <div className="error-text small">{item.reason}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
