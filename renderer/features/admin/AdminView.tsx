/**
 * Site administration: users (with deactivation, unlock and password resets), the roles × permissions matrix, locations and groups with their
 * members, every worklist's share code, and the audit trail. Each tab shows only what the signed-in user's
 * permissions allow; the hub enforces the same rules whatever the screen shows.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AdminOverview, AdminUserView } from '../../../shared/contract';
import { PERMISSIONS, PERMISSION_KEYS } from '../../../shared/permissions/catalogue';
import { hasPermission, useHub } from '../hub/hub-store';
import { useAdmin } from './admin-store';
import { AuditTab } from '../audit/AuditTab';
import { OrganisationTab } from '../organisation/OrganisationTab';
import { ActsForButton } from '../physicians/ActsForButton';
import { PhysiciansTab } from '../physicians/PhysiciansTab';
import { ConnectionRequests } from '../connections/ConnectionRequests';
import { ErrorMessage, Notice } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';

const ROLES = ['Admin', 'Radiologist', 'Technologist', 'Physician', 'Case Manager', 'Referrer'] as const;
type Tab = 'users' | 'roles' | 'locations' | 'groups' | 'organisation' | 'physicians' | 'codes' | 'audit';

/** What an admin can do to one user, by what the hub says of them (the hub decides; the screen hides what cannot work). */
function UserActions({ user, self }: { user: AdminUserView; self: boolean }) {
  const change = useAdmin((s) => s.change);
  const [confirming, setConfirming] = useState(false);
  const deactivate = async () => {
    setConfirming(false);
    await change('admin:set-user-active', { userId: user.id, active: false }, `${user.name} was deactivated: their sessions ended and they cannot sign in.`);
  };
  return (
    <div className="row-actions">
      {user.active && !self && (
        <button type="button" className="quiet" aria-label={`Deactivate ${user.name}`} onClick={() => setConfirming(true)}>
          Deactivate
        </button>
      )}
      {!user.active && (
        <button type="button" className="quiet" aria-label={`Reactivate ${user.name}`} onClick={() => void change('admin:set-user-active', { userId: user.id, active: true }, `${user.name} was reactivated and can sign in again.`)}>
          Reactivate
        </button>
      )}
      {user.locked && (
        <button type="button" className="quiet" aria-label={`Unlock ${user.name}`} onClick={() => void change('admin:unlock-user', { userId: user.id }, `${user.name} was unlocked and can sign in again.`)}>
          Unlock
        </button>
      )}
      {user.active && (
        <button
          type="button"
          className="quiet"
          aria-label={`Send ${user.name} a password reset`}
          onClick={() => void change('admin:send-password-reset', { userId: user.id }, `A link to set a new password was mailed to ${user.email}; their sessions ended.`)}
        >
          Send password reset
        </button>
      )}
      {confirming && (
        <ModalDialog title={`Deactivate ${user.name}?`} onClose={() => setConfirming(false)} narrow>
          <p>
            {user.name} ({user.email}) is signed out everywhere and cannot sign in until reactivated. Their studies, shares and worklists stay.
          </p>
          <div className="dialog-actions">
            <button type="button" className="danger" onClick={() => void deactivate()}>
              Deactivate {user.name}
            </button>
            <button type="button" autoFocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      )}
    </div>
  );
}

function userState(user: AdminUserView): { label: string; className: string } {
  if (!user.active) return { label: 'Deactivated', className: 'user-state off' };
  if (user.locked) return { label: 'Locked', className: 'user-state locked' };
  return { label: 'Active', className: 'user-state' };
}

function UsersTab({ overview }: { overview: AdminOverview }) {
  const change = useAdmin((s) => s.change);
  const me = useHub((s) => s.status?.user?.email ?? null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('Radiologist');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await change('admin:add-user', { name, email, password, role }, `${name} was added.`)) {
      setName('');
      setEmail('');
      setPassword('');
    }
  };
  return (
    <>
      <ConnectionRequests />
      <table className="admin-table users" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {overview.users.map((user) => {
            const state = userState(user);
            return (
              <tr key={user.id} className={user.active ? undefined : 'inactive'}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>{user.role ?? '—'}</td>
                <td>
                  <span className={state.className}>{state.label}</span>
                </td>
                <td>
                  <UserActions user={user} self={user.email === me} />
                  {user.active && user.role === 'Case Manager' && <ActsForButton user={user} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label="Add a user">
        <input aria-label="Name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
        <input aria-label="Email" placeholder="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <input aria-label="Initial password" placeholder="Initial password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
    </>
  );
}

function RolesTab({ overview }: { overview: AdminOverview }) {
  const change = useAdmin((s) => s.change);
  return (
    <table className="admin-table matrix" aria-label="Permissions by role">
      <thead>
        <tr>
          <th scope="col">Permission</th>
          {overview.roles.map((role) => (
            <th key={role.id} scope="col">
              {role.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {PERMISSION_KEYS.map((key) => (
          <tr key={key}>
            <th scope="row">{PERMISSIONS[key]}</th>
            {overview.roles.map((role) => {
              const granted = role.permissions.includes(key);
              return (
                <td key={role.id} className="center">
                  <input
                    type="checkbox"
                    aria-label={`${role.name}: ${PERMISSIONS[key]}`}
                    checked={granted}
                    onChange={() => {
                      const permissions = granted ? role.permissions.filter((p) => p !== key) : [...role.permissions, key];
                      void change('admin:set-role-permissions', { roleId: role.id, permissions: permissions as never }, `${role.name} updated.`);
                    }}
                  />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PlacesTab({ overview, kind }: { overview: AdminOverview; kind: 'location' | 'group' }) {
  const change = useAdmin((s) => s.change);
  const [name, setName] = useState('');
  const [department, setDepartment] = useState(false);
  const [member, setMember] = useState<Record<string, string>>({});
  const places = kind === 'location' ? overview.locations : overview.groups;
  const label = kind === 'location' ? 'Location' : 'Group';
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const ok =
      kind === 'location'
        ? await change('admin:add-location', { name }, `${name} was added.`)
        : await change('admin:add-group', { name, department }, `${name} was added.`);
    if (ok) setName('');
  };
  return (
    <>
      <table className="admin-table" aria-label={`${label}s`}>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col">Members</th>
            <th scope="col">Add a member</th>
          </tr>
        </thead>
        <tbody>
          {places.map((place) => (
            <tr key={place.id}>
              <td>
                {place.name}
                {'department' in place && place.department ? <span className="tag">department</span> : null}
              </td>
              <td>{place.members.map((m) => m.name).join(', ') || '—'}</td>
              <td>
                <select aria-label={`User to add to ${place.name}`} value={member[place.id] ?? ''} onChange={(e) => setMember({ ...member, [place.id]: e.target.value })}>
                  <option value="">Choose…</option>
                  {overview.users
                    .filter((u) => !place.members.some((m) => m.id === u.id))
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.name}
                      </option>
                    ))}
                </select>{' '}
                <button
                  type="button"
                  disabled={!member[place.id]}
                  onClick={() => void change('admin:add-member', { kind, ownerId: place.id, userId: member[place.id] }, 'Member added.')}
                >
                  Add to {place.name}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(event) => void add(event)} aria-label={`Add a ${kind}`}>
        <input aria-label={`${label} name`} placeholder={`${label} name`} value={name} onChange={(e) => setName(e.target.value)} />
        {kind === 'group' && (
          <label className="check">
            <input type="checkbox" checked={department} onChange={(e) => setDepartment(e.target.checked)} />
            Department (members share every study automatically)
          </label>
        )}
        <button type="submit" className="primary">
          Add {kind}
        </button>
      </form>
    </>
  );
}

function CodesTab({ overview }: { overview: AdminOverview }) {
  const change = useAdmin((s) => s.change);
  const status = useHub((s) => s.status);
  const kindLabel = { location: 'Location', group: 'Group', personal: 'Personal' } as const;
  return (
    <table className="admin-table" aria-label="Worklist share codes">
      <thead>
        <tr>
          <th scope="col">Worklist</th>
          <th scope="col">Kind</th>
          <th scope="col">Share code</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {overview.worklists.map((worklist) => {
          const permission = worklist.kind === 'location' ? 'admin.locations' : worklist.kind === 'group' ? 'admin.groups' : 'admin.users';
          return (
            <tr key={worklist.id}>
              <td>{worklist.name}</td>
              <td>{kindLabel[worklist.kind]}</td>
              <td>
                <code className="share-code">{worklist.shareCode}</code>
              </td>
              <td>
                {hasPermission(status, permission) && (
                  <button type="button" onClick={() => void change('admin:regenerate-share-code', { worklistId: worklist.id }, `New code for ${worklist.name}; the old one no longer works.`)}>
                    New code for {worklist.name}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function AdminView() {
  const status = useHub((s) => s.status);
  const { overview, error, notice, load } = useAdmin();
  useEffect(() => void load(), [load]);
  const tabs: { id: Tab; label: string; allowed: boolean }[] = [
    { id: 'users', label: 'Users', allowed: hasPermission(status, 'admin.users') },
    { id: 'roles', label: 'Roles', allowed: hasPermission(status, 'admin.roles') },
    { id: 'locations', label: 'Locations', allowed: hasPermission(status, 'admin.locations') },
    { id: 'groups', label: 'Groups', allowed: hasPermission(status, 'admin.groups') },
    { id: 'organisation', label: 'Organisation', allowed: hasPermission(status, 'admin.policy') },
    { id: 'physicians', label: 'Physicians', allowed: hasPermission(status, 'admin.users') },
    { id: 'codes', label: 'Share codes', allowed: status?.user !== null },
    { id: 'audit', label: 'Audit trail', allowed: hasPermission(status, 'audit.view') },
  ];
  const visible = tabs.filter((tab) => tab.allowed);
  const [tab, setTab] = useState<Tab>(visible[0]?.id ?? 'codes');
  return (
    <section className="admin" aria-label="Administration">
      <div role="tablist" aria-label="Administration" className="tabs">
        {visible.map((t) => (
          <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      <div role="tabpanel" aria-label={visible.find((t) => t.id === tab)?.label}>
        {overview === null ? (
          <p className="muted">Loading…</p>
        ) : tab === 'users' ? (
          <UsersTab overview={overview} />
        ) : tab === 'roles' ? (
          <RolesTab overview={overview} />
        ) : tab === 'locations' ? (
          <PlacesTab overview={overview} kind="location" />
        ) : tab === 'groups' ? (
          <PlacesTab overview={overview} kind="group" />
        ) : tab === 'organisation' ? (
          <OrganisationTab />
        ) : tab === 'physicians' ? (
          <PhysiciansTab overview={overview} />
        ) : tab === 'audit' ? (
          <AuditTab overview={overview} />
        ) : (
          <CodesTab overview={overview} />
        )}
      </div>
    </section>
  );
}
