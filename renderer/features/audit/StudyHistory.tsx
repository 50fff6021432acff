/**
 * A study's own audit trail in its details, for those who may read the trail: newest first,
 * what happened through its external shares left out (that is on each share's own trail).
 */
import { useEffect, useState } from 'react';
import { AUDIT_ACTION_LABELS, type AuditAction } from '../../../shared/audit-actions';
import type { AuditEventView } from '../../../shared/contract';
import { ErrorMessage } from '../../components/Messages';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';

export function StudyHistory({ hubStudyId, version }: { readonly hubStudyId: string; readonly version: number }) {
  const [events, setEvents] = useState<readonly AuditEventView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void api.call('audit:query', { studyId: hubStudyId }).then((result) => {
      if (!current) return;
      if (result.ok) {
        setEvents(result.value.events);
        setError(null);
      } else setError(result.error.message);
    });
    return () => {
      current = false;
    };
  }, [hubStudyId, version]);
  return (
    <section aria-label="History" className="shared-with">
      <h3>History</h3>
      <ErrorMessage message={error} />
      {events !== null && (
        <ul className="share-list" aria-label="Study history">
          {events.slice(0, 50).map((event) => (
            <li key={event.seq}>
              <div>
                {AUDIT_ACTION_LABELS[event.action as AuditAction] ?? event.action}
                {event.target !== null && ` · ${event.target}`}
              </div>
              <div className="muted small">
                {event.actor.name}, {formatDateTime(event.at)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
