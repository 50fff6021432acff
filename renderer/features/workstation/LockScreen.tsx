/**
 * The lock screen: what shows while nobody is signed in at this computer. It renders no patient
 * detail at all — the app's views are unmounted and their stores emptied (clear-patient-data.ts)
 * — only the app's name, why it is locked, and the way in: the hub account (with the first-run
 * choices and the site's setup where those come first), or a local profile when no hub is used
 * (creating the first one on a fresh desktop).
 */
import { useState, type FormEvent } from 'react';
import type { WorkstationStatus } from '../../../shared/contract';
import { ModalDialog } from '../../components/ModalDialog';
import { HubDialog } from '../hub/HubDialog';
import { useHub } from '../hub/hub-store';
import { useWorkstation } from './workstation-store';

function reasonText(status: WorkstationStatus): string {
  const who = status.lastUser === null ? '' : ` ${status.lastUser.name} was signed in.`;
  switch (status.reason) {
    case 'idle':
      return `Locked after ${status.idleMinutes} ${status.idleMinutes === 1 ? 'minute' : 'minutes'} without activity.${who}`;
    case 'manual':
      return `Locked.${who}`;
    case 'signed-out':
      return `Signed out.${who}`;
    case 'start':
    case null:
      return 'Sign in to see the studies on this computer.';
  }
}

function Field({ label, type = 'text', value, onChange, autoComplete }: { label: string; type?: string; value: string; onChange: (value: string) => void; autoComplete: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={value} onChange={(event) => onChange(event.target.value)} autoComplete={autoComplete} spellCheck={false} />
    </label>
  );
}

/** Sign in with a local profile, or create the first one (a desktop without a hub). */
function LocalProfileDialog({ status }: { status: WorkstationStatus }) {
  const { busy, error, signInLocal, createProfile } = useWorkstation();
  const creating = status.signIn === 'create-profile';
  const [name, setName] = useState(status.lastUser?.kind === 'local' ? status.lastUser.login : '');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (creating) {
      setMismatch(password !== repeat);
      if (password === repeat) void createProfile(name, password);
    } else {
      void signInLocal(name, password).then(() => setPassword(''));
    }
  };
  return (
    <ModalDialog title={creating ? 'Create a local profile' : 'Sign in to this workstation'} onClose={() => undefined} narrow>
      <form onSubmit={submit} aria-label={creating ? 'Create a local profile' : 'Sign in with a local profile'}>
        <p className="muted">
          {creating
            ? 'This computer uses no hub. Create the profile that signs in here: it is the administrator of this computer’s profiles and its lock time.'
            : 'This computer uses no hub: sign in with a local profile.'}
        </p>
        <Field label="Name" value={name} onChange={setName} autoComplete="username" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete={creating ? 'new-password' : 'current-password'} />
        {creating && (
          <>
            <Field label="Repeat the password" type="password" value={repeat} onChange={setRepeat} autoComplete="new-password" />
            <p className="muted">At least 10 characters.</p>
          </>
        )}
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={busy}>
            {creating ? 'Create profile' : 'Sign in'}
          </button>
        </div>
        {(mismatch || error !== null) && (
          <p role="alert" className="error-text">
            {mismatch ? 'The two passwords differ.' : error?.message}
          </p>
        )}
      </form>
    </ModalDialog>
  );
}

export function LockScreen({ status }: { status: WorkstationStatus }) {
  const hubStatus = useHub((s) => s.status);
  return (
    <div className="lock-screen">
      <main className="lock-panel" aria-label="Studyshare is locked">
        <header className="lock-bar">
          <span className="brand">Studyshare</span>
          <svg className="lock-glyph" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <rect x="5" y="10.5" width="14" height="10" rx="1.5" />
            <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
          </svg>
          <span role="status">{reasonText(status)}</span>
        </header>
        <footer className="lock-foot muted">
          Patient data stays hidden until someone signs in. This computer locks after {status.idleMinutes} {status.idleMinutes === 1 ? 'minute' : 'minutes'} without
          activity, or at once with Ctrl+L.
        </footer>
      </main>
      {status.signIn === 'hub' ? (
        hubStatus !== null && <HubDialog lockScreen initialEmail={status.lastUser?.kind === 'hub' ? status.lastUser.login : ''} />
      ) : (
        <LocalProfileDialog key={status.signIn} status={status} />
      )}
    </div>
  );
}
