/**
 * The site's audit trail for those with audit.view: newest first, filtered by action, person and
 * dates, older pages on demand, and the same filters exported as CSV. Events that happened
 * through an external share are marked: they belong to that share's own trail.
 */
import { useCallback, useEffect, useState } from 'react';
import { AUDIT_ACTIONS, AUDIT_ACTION_LABELS, type AuditAction } from '../../../shared/audit-actions';
import type { AdminOverview, AuditEventView } from '../../../shared/contract';
import { api } from '../../lib/api';
import { formatDateTime, formatPersonName } from '../../lib/format';
import { ErrorMessage } from '../../components/Messages';

interface Filters {
  readonly action: AuditAction | '';
  readonly actorId: string;
  readonly from: string;
  readonly to: string;
}

const toInput = (filters: Filters) => ({
  action: filters.action === '' ? undefined : filters.action,
  actorId: filters.actorId === '' ? undefined : filters.actorId,
  from: filters.from === '' ? undefined : filters.from,
  to: filters.to === '' ? undefined : filters.to,
});

/** The study as readers know it — patient, accession, date — with its UID only as the cell's tooltip. */
function studyLabel(event: AuditEventView): string {
  if (event.study === null) return event.studyUid ?? '';
  const parts = [formatPersonName(event.study.patientName), event.study.accessionNumber ?? '', event.study.studyDate ?? ''].filter((part) => part !== '');
  return parts.length === 0 ? (event.studyUid ?? '') : parts.join(' · ');
}

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AuditTab({ overview }: { readonly overview: AdminOverview }) {
  const [filters, setFilters] = useState<Filters>({ action: '', actorId: '', from: '', to: '' });
  const [events, setEvents] = useState<readonly AuditEventView[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(
    async (before?: number) => {
      const result = await api.call('audit:query', { ...toInput(filters), before });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setError(null);
      setEvents((current) => (before === undefined ? result.value.events : [...(current ?? []), ...result.value.events]));
      setMore(result.value.events.length === 200);
    },
    [filters],
  );
  useEffect(() => void load(), [load]);

  const exportCsv = async () => {
    setExporting(true);
    const result = await api.call('audit:export', toInput(filters));
    setExporting(false);
    if (result.ok) download(result.value.filename, result.value.csv);
    else setError(result.error.message);
  };

  const set = (patch: Partial<Filters>) => setFilters({ ...filters, ...patch });
  return (
    <>
      <form className="audit-filters" aria-label="Filter the audit trail" onSubmit={(event) => event.preventDefault()}>
        <label>
          Action
          <select value={filters.action} onChange={(e) => set({ action: e.target.value as AuditAction | '' })}>
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {AUDIT_ACTION_LABELS[action]}
              </option>
            ))}
          </select>
        </label>
        <label>
          User
          <select value={filters.actorId} onChange={(e) => set({ actorId: e.target.value })}>
            <option value="">Everyone</option>
            {overview.users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      <ErrorMessage message={error} />
      {events !== null && events.length === 0 && <p className="muted">No events match these filters.</p>}
      {events !== null && events.length > 0 && (
        <table className="admin-table" aria-label="Audit trail">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">User</th>
              <th scope="col">Target</th>
              <th scope="col">Study</th>
              <th scope="col">Trail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.seq}>
                <td>{formatDateTime(event.at)}</td>
                <td>{AUDIT_ACTION_LABELS[event.action as AuditAction] ?? event.action}</td>
                <td>
                  {event.actor.name}
                  {event.onBehalfOf !== null && <span className="muted"> for {event.onBehalfOf.name}</span>}
                </td>
                <td>{event.target ?? ''}</td>
                <td title={event.studyUid ?? undefined}>{studyLabel(event)}</td>
                <td>{event.trail === 'share' ? 'External share' : event.trail === 'study' ? 'Study' : 'Site'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && events !== null && (
        <button type="button" onClick={() => void load(events.at(-1)?.seq)}>
          Load older events
        </button>
      )}
    </>
  );
}
