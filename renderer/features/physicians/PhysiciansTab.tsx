/**
 * Administration → Physicians (issue 14): the site's physician directory — name, the DICOM names
 * the physician also answers to, identifier, specialty, the user account linked when they sign in,
 * and whether they are active. Adding or changing one relinks existing studies on the hub in the
 * background (a deactivated physician keeps their links but reaches nobody through delegation).
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AdminOverview } from '../../../shared/contract';
import type { PhysicianView } from '../../../shared/hub-api/physicians';
import { splitPersonName } from '../../../shared/physicians/name-key';
import { ErrorMessage, Notice } from '../../components/Messages';
import { api } from '../../lib/api';
import { MatchReviews } from './MatchReviews';

const EMPTY = { displayName: '', aliases: '', identifier: '', specialty: '', userId: '', active: true };

export function PhysiciansTab({ overview }: { readonly overview: AdminOverview }) {
  const [physicians, setPhysicians] = useState<readonly PhysicianView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState(EMPTY);
  const load = async () => {
    const result = await api.call('physicians:list', { includeInactive: true });
    if (result.ok) setPhysicians(result.value.physicians);
    else setError(result.error.message);
  };
  useEffect(() => void load(), []);
  const edit = (physician: PhysicianView | null) => {
    setEditing(physician?.id ?? null);
    setForm(
      physician === null
        ? EMPTY
        : { displayName: physician.displayName, aliases: physician.aliases.join('\n'), identifier: physician.identifier ?? '', specialty: physician.specialty ?? '', userId: physician.userId ?? '', active: physician.active },
    );
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { familyName, givenNames } = splitPersonName(form.displayName);
    const result = await api.call('physicians:save', {
      ...(editing === null ? {} : { id: editing }),
      physician: {
        displayName: form.displayName,
        familyName,
        givenNames,
        aliases: form.aliases.split('\n').map((alias) => alias.trim()).filter((alias) => alias !== ''),
        identifier: form.identifier.trim() === '' ? null : form.identifier,
        specialty: form.specialty.trim() === '' ? null : form.specialty,
        userId: form.userId === '' ? null : form.userId,
        active: form.active,
      },
    });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setError(null);
    setNotice(`${result.value.displayName} was ${editing === null ? 'added' : 'saved'}; studies with a matching DICOM name are linked in the background.`);
    edit(null);
    await load();
  };
  const set = (key: keyof typeof EMPTY) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });
  return (
    <>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      <table className="admin-table" aria-label="Physicians">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">DICOM names</th>
            <th scope="col">Identifier</th>
            <th scope="col">Specialty</th>
            <th scope="col">Linked user</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {physicians.map((physician) => (
            <tr key={physician.id} className={physician.active ? undefined : 'inactive'}>
              <td>{physician.displayName}</td>
              <td>{physician.aliases.join(', ')}</td>
              <td>{physician.identifier ?? ''}</td>
              <td>{physician.specialty ?? ''}</td>
              <td>{physician.userName ?? '—'}</td>
              <td>{physician.active ? 'Active' : 'Inactive'}</td>
              <td>
                <button type="button" className="quiet" aria-label={`Edit ${physician.displayName}`} onClick={() => edit(physician)}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MatchReviews />
      <form className="stacked-form" onSubmit={(event) => void submit(event)} aria-label={editing === null ? 'Add a physician' : 'Edit the physician'}>
        <h3>{editing === null ? 'Add a physician' : 'Edit the physician'}</h3>
        <label>
          <span>Name</span>
          <input aria-label="Physician name" placeholder="Paula Physician" value={form.displayName} onChange={set('displayName')} required />
        </label>
        <label>
          <span>Other DICOM names, one a line</span>
          <textarea aria-label="DICOM names" placeholder="PHYSICIAN^P" rows={2} value={form.aliases} onChange={set('aliases')} />
        </label>
        <label>
          <span>Identifier (e.g. NPI)</span>
          <input aria-label="Identifier" value={form.identifier} onChange={set('identifier')} />
        </label>
        <label>
          <span>Specialty</span>
          <input aria-label="Specialty" value={form.specialty} onChange={set('specialty')} />
        </label>
        <label>
          <span>Linked user</span>
          <select aria-label="Linked user" value={form.userId} onChange={set('userId')}>
            <option value="">None</option>
            {overview.users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name} ({user.email})
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" aria-label="Active" checked={form.active} onChange={(event) => setForm({ ...form, active: event.target.checked })} />
          <span>Active</span>
        </label>
        <div className="row-actions">
          <button type="submit" className="primary">
            {editing === null ? 'Add physician' : 'Save physician'}
          </button>
          {editing !== null && (
            <button type="button" className="quiet" onClick={() => edit(null)}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </>
  );
}
