/**
 * *Assign physicians* (issue 14, part 3): search the site's directory by surname, tick the
 * physicians the user acts for (exactly one for a Physician connection: ticking another replaces
 * it), add one missing from the directory, Submit. Unticking all puts the user back to Review.
 */
import { useState, type FormEvent } from 'react';
import { useSearchAsYouType } from '../../lib/use-search-as-you-type';
import { CONNECTION_KIND_LABELS } from '../../../shared/connections/connection-kinds';
import type { SiteConnectionView } from '../../../shared/hub-api/connections';
import { ErrorMessage } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { useConnections, type PhysicianChoice } from './connections-store';

export function AssignPhysiciansDialog({ connection }: { connection: SiteConnectionView }) {
  const error = useConnections((s) => s.error);
  const single = connection.kind === 'physician';
  const [query, setQuery] = useState('');
  // What is ticked, with names, so that a ticked physician stays listed whatever the search shows.
  const [chosen, setChosen] = useState<ReadonlyMap<string, PhysicianChoice>>(() => new Map(connection.physicians.map((p) => [p.id, { ...p, specialty: null }])));
  const [adding, setAdding] = useState({ givenNames: '', familyName: '', specialty: '' });
  const [busy, setBusy] = useState(false);

  // The store says why a search failed (its error, above); an answer is always a list here.
  const answer = useSearchAsYouType<readonly PhysicianChoice[]>(query, () => useConnections.getState().searchPhysicians(query).then((value) => ({ ok: true as const, value })), 150);
  const found = answer.found ?? [];

  const toggle = (physician: PhysicianChoice) => {
    const next = new Map(single ? [] : chosen);
    if (chosen.has(physician.id)) {
      if (!single) next.delete(physician.id);
    } else next.set(physician.id, physician);
    setChosen(next);
  };
  const listed = [...chosen.values(), ...found.filter((p) => !chosen.has(p.id))];

  const submit = async () => {
    setBusy(true);
    await useConnections.getState().assign(connection, [...chosen.keys()]);
    setBusy(false);
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const physician = await useConnections.getState().createPhysician(adding);
    if (physician === null) return;
    setAdding({ givenNames: '', familyName: '', specialty: '' });
    setChosen(new Map([...(single ? [] : chosen), [physician.id, physician]]));
  };

  return (
    <ModalDialog title={`Assign physicians to ${connection.user.name}`} onClose={() => useConnections.getState().openAssign(null)}>
      <p className="muted small">
        {connection.user.email} asks to connect as <strong>{CONNECTION_KIND_LABELS[connection.kind]}</strong>
        {single ? ': choose the one physician this is.' : ': choose every physician they work for. They will see all of those physicians’ studies, and nothing else of the site.'}
      </p>
      <label className="search-field">
        Search by surname
        <input type="search" autoFocus value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Surname" />
      </label>
      <ul className="choice-list" aria-label="Physicians">
        {listed.length === 0 && <li className="muted">No physician of your directory matches.</li>}
        {listed.map((physician) => (
          <li key={physician.id}>
            <label>
              <input type="checkbox" checked={chosen.has(physician.id)} onChange={() => toggle(physician)} aria-label={physician.name} />
              {physician.name}
              {physician.specialty !== null && <span className="muted small"> · {physician.specialty}</span>}
            </label>
          </li>
        ))}
      </ul>
      <details className="add-physician">
        <summary>Not in the directory? Add a physician</summary>
        <form className="inline-form" aria-label="Add a physician" onSubmit={(event) => void add(event)}>
          <input aria-label="Given names" placeholder="Given names" value={adding.givenNames} onChange={(e) => setAdding({ ...adding, givenNames: e.target.value })} />
          <input aria-label="Family name" placeholder="Family name" value={adding.familyName} onChange={(e) => setAdding({ ...adding, familyName: e.target.value })} />
          <input aria-label="Specialty" placeholder="Specialty (optional)" value={adding.specialty} onChange={(e) => setAdding({ ...adding, specialty: e.target.value })} />
          <button type="submit" disabled={adding.familyName.trim() === ''}>
            Add and tick
          </button>
        </form>
      </details>
      <ErrorMessage message={error} />
      <div className="dialog-actions">
        <span className="muted small">{chosen.size === 0 ? 'None ticked: the request goes back to Review.' : `${chosen.size} ticked`}</span>
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          Submit
        </button>
        <button type="button" onClick={() => useConnections.getState().openAssign(null)}>
          Cancel
        </button>
      </div>
    </ModalDialog>
  );
}
