/**
 * The hub dialog. At first run it offers the three ways to start (join the site's hub, create a
 * site on this computer, later); then it sets up a new site (on this computer, or on a fresh
 * server hub with the setup code from its console), signs in (with "Forgot password?"), and,
 * once signed in, says who you are, what waits to sync and what the hub refused and why.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import { api } from '../../lib/api';
import { useSettings } from '../settings/settings-store';
import { OPERATION_WORDS } from '../sync/operation-words';
import { SyncQueue } from '../sync/SyncQueue';
import { useHub } from './hub-store';
import { syncWords } from './sync-words';
import { HubIdentity, JoinHubForm, type CheckedHub } from './JoinHubForm';

function Field({ label, type = 'text', value, onChange, autoComplete }: { label: string; type?: string; value: string; onChange: (value: string) => void; autoComplete?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={value} onChange={(event) => onChange(event.target.value)} autoComplete={autoComplete} spellCheck={false} />
    </label>
  );
}

/** Operation kinds in words. */

function FirstRunChoices({ onJoin }: { onJoin: () => void }) {
  const { busy, connect, closeDialog } = useHub();
  return (
    <div className="choices">
      <p className="muted">Studyshare keeps your studies in a local index. To share them, it connects to a hub.</p>
      <button type="button" className="choice" onClick={onJoin} disabled={busy}>
        <strong>Join your site’s hub</strong>
        <span>Your site already runs Studyshare: connect to its hub with its address and your account.</span>
      </button>
      <button type="button" className="choice" onClick={() => void connect({ choice: { kind: 'embedded' } })} disabled={busy}>
        <strong>Create a site on this computer</strong>
        <span>Run a hub inside this app, for one workstation or a trial. Others can join it later over your network.</span>
      </button>
      <button type="button" className="choice" onClick={() => void connect({ choice: { kind: 'off' } }).then((ok) => ok && closeDialog())} disabled={busy}>
        <strong>Later</strong>
        <span>Use the local index only. You can connect to a hub any time in Settings.</span>
      </button>
    </div>
  );
}

function SetupForm({ needsCode, onBack }: { needsCode: boolean; onBack?: () => void }) {
  const { busy, setup, closeDialog } = useHub();
  const [siteName, setSiteName] = useState('');
  const [adminName, setAdminName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [setupToken, setSetupToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) void setup({ siteName, adminName, email, password, ...(needsCode ? { setupToken } : {}) });
  };
  return (
    <form onSubmit={submit} aria-label="Set up your site">
      <p className="muted">
        {needsCode
          ? 'This hub has no site yet. Enter the setup code printed on the hub’s console, name your site and create its administrator.'
          : 'Studyshare runs its own hub on this computer. Name your site and create its administrator; you can add colleagues afterwards.'}
      </p>
      {needsCode && <Field label="Setup code" value={setupToken} onChange={setSetupToken} autoComplete="one-time-code" />}
      <Field label="Site name" value={siteName} onChange={setSiteName} />
      <Field label="Your name" value={adminName} onChange={setAdminName} autoComplete="name" />
      <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" />
      <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="new-password" />
      <p className="muted">At least 10 characters.</p>
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy}>
          Create site
        </button>
        <button type="button" onClick={onBack ?? closeDialog}>
          {onBack === undefined ? 'Later' : 'Back'}
        </button>
      </div>
    </form>
  );
}

/**
 * Sign in to the hub in use, or to a hub just checked (which becomes the hub in use). On the lock
 * screen it offers neither another hub nor closing: signing in is the way past it.
 */
function SignInForm({ hub, onBack, lockScreen = false, initialEmail = '' }: { hub: CheckedHub | null; onBack?: () => void; lockScreen?: boolean; initialEmail?: string }) {
  const { status, busy, signIn, closeDialog } = useHub();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [reset, setReset] = useState<'closed' | 'open' | 'sending' | { sent: string } | { error: string }>('closed');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy) void signIn({ email, password, ...(hub === null ? {} : { url: hub.url, trustedFingerprint: hub.trustedFingerprint }) });
  };
  const requestReset = async () => {
    setReset('sending');
    const result = await api.call('hub:request-password-reset', { email, ...(hub === null ? {} : { url: hub.url, trustedFingerprint: hub.trustedFingerprint }) });
    setReset(result.ok ? { sent: email.trim() } : { error: result.error.message });
  };
  return (
    <form onSubmit={submit} aria-label="Sign in">
      {hub !== null ? (
        <HubIdentity hub={hub} />
      ) : (
        status?.mode === 'remote' && (
          <p className="muted">
            {status.hubName ?? 'Hub'} at {status.url}
          </p>
        )
      )}
      <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
      <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
      {reset === 'closed' ? (
        <button type="button" className="link" onClick={() => setReset('open')}>
          Forgot password?
        </button>
      ) : (
        <div className="reset" role="group" aria-label="Forgot password">
          {typeof reset === 'object' && 'sent' in reset ? (
            <p role="status">If {reset.sent} has an account on this hub, a link to set a new password is on its way. It works once, for one hour.</p>
          ) : (
            <>
              <p className="muted">Enter your email address above: the hub mails you a link to set a new password.</p>
              <button type="button" onClick={() => void requestReset()} disabled={reset === 'sending' || email.trim() === ''}>
                {reset === 'sending' ? 'Sending…' : 'Send the link'}
              </button>
              {typeof reset === 'object' && 'error' in reset && (
                <p role="alert" className="error-text">
                  {reset.error}
                </p>
              )}
            </>
          )}
        </div>
      )}
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
        {lockScreen ? null : onBack !== undefined ? (
          <button type="button" onClick={onBack}>
            Back
          </button>
        ) : (
          <>
            <button type="button" onClick={() => useSettings.getState().open()}>
              Use another hub…
            </button>
            <button type="button" onClick={closeDialog}>
              Close
            </button>
          </>
        )}
      </div>
    </form>
  );
}

function SignedIn() {
  const { status, busy, signOut, syncNow, closeDialog } = useHub();
  if (status?.user == null) return null;
  const { sync } = status;
  return (
    <>
      <dl className="facts">
        <dt>Signed in as</dt>
        <dd>
          {status.user.name} ({status.user.role ?? 'no role'})
        </dd>
        <dt>Hub</dt>
        <dd>{status.mode === 'embedded' ? 'On this computer' : `${status.hubName ?? ''} ${status.url ?? ''}`.trim()}</dd>
        <dt>Links open at</dt>
        <dd>{status.publicUrl ?? 'no public address'}</dd>
        <dt>State</dt>
        <dd role="status">{syncWords(status).detail}</dd>
      </dl>
      <SyncQueue />
      {status.notice !== null && <p className="notice">{status.notice}</p>}
      {sync.rejected.length > 0 && (
        <>
          <h3>Refused by the hub</h3>
          <ul className="failures" aria-label="Refused changes">
            {sync.rejected.map((item) => (
              <li key={item.id}>
                <span>
                  {OPERATION_WORDS[item.kind] ?? item.kind}
                  {item.target !== null && ` with ${item.target}`}
                </span>
                <span className="error-text">{item.reason}</span>
                {item.studyUid !== null && <code>{item.studyUid}</code>}
              </li>
            ))}
          </ul>
          <button type="button" className="quiet" onClick={() => void useHub.getState().dismissRefused()}>
            Dismiss refusals
          </button>
        </>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={() => void syncNow()} disabled={busy}>
          Sync now
        </button>
        <button type="button" onClick={() => void signOut()} disabled={busy}>
          Sign out
        </button>
        <button type="button" onClick={() => useSettings.getState().open()}>
          Hub settings…
        </button>
        <button type="button" className="primary" onClick={closeDialog}>
          Close
        </button>
      </div>
    </>
  );
}

/**
 * `lockScreen`: shown by the workstation's lock screen — the first-run choices, the site's setup
 * or the sign-in (even while the hub still holds a session: the person must prove who they are),
 * and it cannot be closed.
 */
export function HubDialog({ lockScreen = false, initialEmail }: { lockScreen?: boolean; initialEmail?: string } = {}) {
  const { status, error, connect, clearError, joinUrl } = useHub();
  const closeDialog = lockScreen ? () => undefined : useHub.getState().closeDialog;
  const [joining, setJoining] = useState(joinUrl !== null);
  const [checked, setChecked] = useState<CheckedHub | null>(null);
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.querySelector('input')?.focus(), [status?.needsSetup, status?.user, status?.firstRun, joining, checked]);
  // A join link opened while the dialog is up starts the join over with its address.
  useEffect(() => {
    if (joinUrl === null) return;
    setChecked(null);
    setJoining(true);
  }, [joinUrl]);
  if (status === null) return null;

  const back = () => {
    clearError();
    if (checked !== null) setChecked(null);
    else setJoining(false);
  };
  let title: string;
  let body;
  if (checked !== null && checked.needsSetup) {
    // A fresh server hub: connect to it (saved), then the setup code from its console creates the site.
    title = 'Set up your site';
    body =
      status.mode === 'remote' && status.url === checked.url ? (
        <SetupForm needsCode onBack={back} />
      ) : (
        <div>
          <HubIdentity hub={checked} />
          <p className="muted">This hub has no site yet. Connect to it to create the site with the setup code from its console.</p>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={() => void connect({ choice: { kind: 'remote', url: checked.url, trustedFingerprint: checked.trustedFingerprint } })}>
              Connect
            </button>
            <button type="button" onClick={back}>
              Back
            </button>
          </div>
        </div>
      );
  } else if (checked !== null) {
    title = `Sign in to ${checked.name}`;
    body = <SignInForm hub={checked} onBack={back} />;
  } else if (joining) {
    title = 'Join your site’s hub';
    body = <JoinHubForm key={joinUrl ?? ''} initialUrl={joinUrl ?? ''} onChecked={(hub) => (clearError(), setChecked(hub))} onBack={back} />;
  } else if (status.firstRun) {
    title = 'Welcome to Studyshare';
    body = <FirstRunChoices onJoin={() => setJoining(true)} />;
  } else if (status.needsSetup) {
    title = 'Set up your site';
    body = <SetupForm needsCode={status.mode === 'remote'} />;
  } else if (lockScreen) {
    title = 'Sign in to the hub';
    body = <SignInForm hub={null} lockScreen initialEmail={initialEmail} />;
  } else if (status.user === null) {
    title = status.mode === 'off' ? 'No hub' : 'Sign in to the hub';
    body =
      status.mode === 'off' ? (
        <div>
          <p className="muted">This computer uses its local index only. Connect to a hub to share studies.</p>
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={() => setJoining(true)}>
              Join a hub…
            </button>
            <button type="button" onClick={closeDialog}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <SignInForm hub={null} />
      );
  } else {
    title = 'Hub';
    body = <SignedIn />;
  }

  return (
    <ModalDialog ref={first} title={title} onClose={closeDialog} narrow>
      {body}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
    </ModalDialog>
  );
}
