/**
 * Administration → Organisation (issue 13): what the site's members see beyond what reaches
 * them (the viewing policy, whole-site access for named people and roles, whether uploaders may
 * mark their studies private), and its departments — add, open, rename, add and remove members
 * (searched by name), delete. The hub decides and records every change; this screen shows what
 * it holds and the hub's sentence when it refuses.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { DepartmentView } from '../../../shared/contract';
import { DEIDENTIFIED_DEPARTMENT_HELP, DEIDENTIFIED_DEPARTMENT_LABEL, DOWNLOAD_POLICIES, DOWNLOAD_POLICY_LABELS, VIEWING_POLICIES, VIEWING_POLICY_HELP, VIEWING_POLICY_LABELS, type SitePolicy } from '../../../shared/permissions/site-policy';
import { ErrorMessage, Notice } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { useOrganisation } from './organisation-store';

function PolicyForm() {
  const view = useOrganisation((s) => s.policy);
  const change = useOrganisation((s) => s.change);
  const [draft, setDraft] = useState<SitePolicy | null>(null);
  const [personQuery, setPersonQuery] = useState('');
  useEffect(() => setDraft(view?.policy ?? null), [view]);
  if (view === null || draft === null) return <p className="muted">Loading…</p>;
  const toggle = (list: readonly string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  const matching = view.people.filter((p) => draft.wholeSiteUserIds.includes(p.id) || (personQuery.trim() !== '' && p.name.toLowerCase().includes(personQuery.trim().toLowerCase())));
  const changed = JSON.stringify(draft) !== JSON.stringify(view.policy);
  const save = (event: FormEvent) => {
    event.preventDefault();
    void change('organisation:set-policy', { policy: draft }, `The viewing policy is now “${VIEWING_POLICY_LABELS[draft.viewing]}”, downloading “${DOWNLOAD_POLICY_LABELS[draft.download]}”; it applies from each member’s next request.`);
  };
  return (
    <form className="organisation-policy" aria-label="Viewing policy" onSubmit={save}>
      <fieldset>
        <legend>What members see beyond what is shared with them</legend>
        {VIEWING_POLICIES.map((policy) => (
          <label key={policy} className="policy-choice">
            <input type="radio" name="viewing-policy" value={policy} checked={draft.viewing === policy} onChange={() => setDraft({ ...draft, viewing: policy })} />
            <span>
              <strong>{VIEWING_POLICY_LABELS[policy]}</strong>
              <span className="muted small"> — {VIEWING_POLICY_HELP[policy]}</span>
            </span>
          </label>
        ))}
        {/* Rule 14: the option exists under participated only (the hub keeps it off otherwise). */}
        {draft.viewing === 'participated' && (
          <label className="check policy-suboption">
            <input type="checkbox" checked={draft.deidentifiedDepartment} onChange={(e) => setDraft({ ...draft, deidentifiedDepartment: e.target.checked })} />
            <span>
              {DEIDENTIFIED_DEPARTMENT_LABEL}
              <span className="muted small"> — {DEIDENTIFIED_DEPARTMENT_HELP}</span>
            </span>
          </label>
        )}
        <p className="muted small">Administrators always see every study of the site, private ones too.</p>
      </fieldset>
      <fieldset>
        <legend>Whole site, whatever the policy</legend>
        <div className="policy-columns">
          <div role="group" aria-label="Roles that see the whole site">
            {view.roles.map((role) => (
              <label key={role.id} className="check">
                <input type="checkbox" checked={draft.wholeSiteRoleIds.includes(role.id)} onChange={(e) => setDraft({ ...draft, wholeSiteRoleIds: toggle(draft.wholeSiteRoleIds, role.id, e.target.checked) })} />
                {role.name}
              </label>
            ))}
          </div>
          <div role="group" aria-label="People who see the whole site">
            <input type="search" aria-label="Find a person to give whole-site access" placeholder="Find a person…" value={personQuery} onChange={(e) => setPersonQuery(e.target.value)} />
            {matching.slice(0, 20).map((person) => (
              <label key={person.id} className="check">
                <input type="checkbox" checked={draft.wholeSiteUserIds.includes(person.id)} onChange={(e) => setDraft({ ...draft, wholeSiteUserIds: toggle(draft.wholeSiteUserIds, person.id, e.target.checked) })} />
                {person.name}
              </label>
            ))}
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Who may download the site’s studies</legend>
        <div role="radiogroup" aria-label="Download policy">
          {DOWNLOAD_POLICIES.map((mode) => (
            <label key={mode} className="policy-choice">
              <input type="radio" name="download-policy" value={mode} checked={draft.download === mode} onChange={() => setDraft({ ...draft, download: mode })} />
              <span>{DOWNLOAD_POLICY_LABELS[mode]}</span>
            </label>
          ))}
        </div>
        {draft.download === 'roles' && (
          <div role="group" aria-label="Roles that may download">
            {view.roles.map((role) => (
              <label key={role.id} className="check">
                <input type="checkbox" checked={draft.downloadRoleIds.includes(role.id)} onChange={(e) => setDraft({ ...draft, downloadRoleIds: toggle(draft.downloadRoleIds, role.id, e.target.checked) })} />
                {role.name}
              </label>
            ))}
          </div>
        )}
        <p className="muted small">Downloading saves a study’s files (a zip, a guest link that allows it). Viewing images is not downloading. Administrators always may.</p>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={draft.uploaderMarksPrivate} onChange={(e) => setDraft({ ...draft, uploaderMarksPrivate: e.target.checked })} />
        Uploaders may mark their own studies private (administrators always may)
      </label>
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={!changed}>
          Save policy
        </button>
        <button type="button" disabled={!changed} onClick={() => setDraft(view.policy)}>
          Undo changes
        </button>
      </div>
    </form>
  );
}

function DepartmentPanel({ department, onClose }: { readonly department: DepartmentView; readonly onClose: () => void }) {
  const people = useOrganisation((s) => s.policy?.people ?? []);
  const change = useOrganisation((s) => s.change);
  const [name, setName] = useState(department.name);
  const [query, setQuery] = useState('');
  const [confirming, setConfirming] = useState(false);
  const candidates = query.trim() === '' ? [] : people.filter((p) => !department.members.some((m) => m.id === p.id) && p.name.toLowerCase().includes(query.trim().toLowerCase())).slice(0, 8);
  return (
    <section className="department-panel" aria-label={`Department ${department.name}`}>
      <div className="department-head">
        <h3>{department.name}</h3>
        <button type="button" className="quiet" onClick={onClose}>
          Close
        </button>
      </div>
      <form
        className="inline-form"
        aria-label="Rename department"
        onSubmit={(event) => {
          event.preventDefault();
          void change('organisation:rename-department', { id: department.id, name }, `Renamed to ${name}.`);
        }}
      >
        <input aria-label="Department name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={name.trim() === '' || name.trim() === department.name}>
          Rename
        </button>
      </form>
      <table className="admin-table" aria-label={`Members of ${department.name}`}>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {department.members.length === 0 && (
            <tr>
              <td colSpan={2} className="muted">
                No members yet.
              </td>
            </tr>
          )}
          {department.members.map((member) => (
            <tr key={member.id}>
              <td>{member.name}</td>
              <td>
                <button
                  type="button"
                  className="quiet"
                  aria-label={`Remove ${member.name} from ${department.name}`}
                  onClick={() => void change('organisation:remove-department-member', { id: department.id, userId: member.id }, `${member.name} left ${department.name}: what they saw through it is gone.`)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="member-search">
        <input type="search" aria-label={`Find someone to add to ${department.name}`} placeholder="Add a member: type a name…" value={query} onChange={(e) => setQuery(e.target.value)} />
        <ul aria-label="People found">
          {candidates.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                aria-label={`Add ${person.name} to ${department.name}`}
                onClick={() => {
                  setQuery('');
                  void change('organisation:add-department-member', { id: department.id, userId: person.id }, `${person.name} joined ${department.name}.`);
                }}
              >
                Add {person.name}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Delete department
      </button>
      {confirming && (
        <ModalDialog title={`Delete ${department.name}?`} onClose={() => setConfirming(false)} narrow>
          <p>Its members stop seeing each other’s studies through it. A department whose worklist received studies cannot be deleted (they would be lost).</p>
          <div className="dialog-actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                void change('organisation:delete-department', { id: department.id }, `${department.name} was deleted.`).then((done) => done !== null && onClose());
              }}
            >
              Delete {department.name}
            </button>
            <button type="button" autoFocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      )}
    </section>
  );
}

function Departments() {
  const departments = useOrganisation((s) => s.departments);
  const change = useOrganisation((s) => s.change);
  const [name, setName] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  if (departments === null) return null;
  const open = departments.find((d) => d.id === openId) ?? null;
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const added = await change('organisation:add-department', { name }, `${name} was added.`);
    if (added !== null) {
      setName('');
      setOpenId(added.id);
    }
  };
  return (
    <div className="departments">
      <h2>Departments</h2>
      <table className="admin-table" aria-label="Departments">
        <thead>
          <tr>
            <th scope="col">Department</th>
            <th scope="col">Members</th>
          </tr>
        </thead>
        <tbody>
          {departments.length === 0 && (
            <tr>
              <td colSpan={2} className="muted">
                No departments yet.
              </td>
            </tr>
          )}
          {departments.map((department) => (
            <tr key={department.id} aria-selected={department.id === openId}>
              <td>
                <button type="button" className="link" aria-label={`Open ${department.name}`} onClick={() => setOpenId(department.id)}>
                  {department.name}
                </button>
              </td>
              <td>{department.members.map((m) => m.name).join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" aria-label="Add a department" onSubmit={(event) => void add(event)}>
        <input aria-label="New department name" placeholder="Department name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="primary" disabled={name.trim() === ''}>
          Add Department
        </button>
      </form>
      {open !== null && <DepartmentPanel key={open.id} department={open} onClose={() => setOpenId(null)} />}
    </div>
  );
}

export function OrganisationTab() {
  const { error, notice, load } = useOrganisation();
  useEffect(() => void load(), [load]);
  return (
    <div className="organisation">
      <ErrorMessage message={error} />
      <Notice message={notice} />
      <h2>Viewing policy</h2>
      <PolicyForm />
      <Departments />
    </div>
  );
}
