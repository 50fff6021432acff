/**
 * Users → the user → Acts for… (issue 14): the physicians a case manager acts for, chosen by an
 * admin with checkboxes (searched by surname). The hub replaces the set and records it on the
 * site's trail; a deactivated physician stays listed, marked, but reaches nothing.
 */
import { useState } from 'react';
import type { AdminUserView } from '../../../shared/contract';
import type { PhysicianView } from '../../../shared/hub-api/physicians';
import { ErrorMessage } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { api } from '../../lib/api';

export function ActsForButton({ user }: { readonly user: AdminUserView }) {
  const [open, setOpen] = useState(false);
  const [physicians, setPhysicians] = useState<readonly PhysicianView[]>([]);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [surname, setSurname] = useState('');
  const [error, setError] = useState<string | null>(null);
  const show = async () => {
    const [all, mine] = await Promise.all([api.call('physicians:list', { includeInactive: true }), api.call('physicians:acts-for', { userId: user.id })]);
    if (!all.ok || !mine.ok) {
      setError((all.ok ? null : all.error.message) ?? (mine.ok ? null : mine.error.message));
    } else {
      setPhysicians(all.value.physicians);
      setChosen(new Set(mine.value.physicians.map((p) => p.physicianId)));
      setError(null);
    }
    setOpen(true);
  };
  const save = async () => {
    const result = await api.call('physicians:set-acts-for', { userId: user.id, physicianIds: [...chosen] });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setOpen(false);
  };
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const shown = physicians.filter((p) => p.familyName.toLowerCase().startsWith(surname.trim().toLowerCase()) || chosen.has(p.id));
  return (
    <>
      <button type="button" className="quiet" aria-label={`Acts for: ${user.name}`} onClick={() => void show()}>
        Acts for…
      </button>
      {open && (
        <ModalDialog title={`${user.name} acts for`} onClose={() => setOpen(false)} narrow>
          <ErrorMessage message={error} />
          <input aria-label="Search by surname" placeholder="Surname" value={surname} onChange={(event) => setSurname(event.target.value)} />
          <ul className="checklist" aria-label="Physicians">
            {shown.map((physician) => (
              <li key={physician.id}>
                <label>
                  <input type="checkbox" checked={chosen.has(physician.id)} onChange={() => toggle(physician.id)} />
                  <span>
                    {physician.displayName}
                    {physician.specialty === null ? '' : `, ${physician.specialty}`}
                    {physician.active ? '' : ' (inactive)'}
                  </span>
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="muted">No physician in the directory{surname === '' ? '' : ' with this surname'}.</li>}
          </ul>
          <div className="row-actions">
            <button type="button" className="primary" onClick={() => void save()}>
              Save
            </button>
            <button type="button" className="quiet" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      )}
    </>
  );
}
