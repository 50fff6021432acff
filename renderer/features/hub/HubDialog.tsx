/**
 * The hub dialog: the first-run screen that creates the site and its admin on the embedded hub,
 * signing in (to the embedded hub or a remote one), and, once signed in, who you are, what is
 * waiting to sync, what the hub refused and why.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import { useHub } from './hub-store';

function Field({ label, type = 'text', value, onChange, autoComplete }: { label: string; type?: string; value: string; onChange: (value: string) => void; autoComplete?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={value} onChange={(event) => onChange(event.target.value)} autoComplete={autoComplete} spellCheck={false} />
    </label>
  );
}

/** Operation kinds in words. */
const KIND_WORDS: Record<string, string> = {
  'share.create': 'Share',
  'share.remove': 'Removing a share',
  'study.publish': 'Putting a study on the hub',
  'study.private': 'Marking a study private',
};

export function HubDialog() {
  const { status, busy, error, closeDialog, setup, signIn, signOut, syncNow } = useHub();
  const [siteName, setSiteName] = useState('');
  const [adminName, setAdminName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [url, setUrl] = useState('');
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.querySelector('input')?.focus(), [status?.needsSetup, status?.user]);
  if (status === null) return null;

  const submit = (event: FormEvent, action: () => Promise<void>) => {
    event.preventDefault();
    if (!busy) void action();
  };
  let title: string;
  let body;
  if (status.needsSetup) {
    title = 'Set up your site';
    body = (
      <form onSubmit={(event) => submit(event, () => setup({ siteName, adminName, email, password }))}>
        <p className="muted">Studyshare runs its own hub on this computer. Name your site and create its administrator; you can add colleagues afterwards.</p>
        <Field label="Site name" value={siteName} onChange={setSiteName} />
        <Field label="Your name" value={adminName} onChange={setAdminName} autoComplete="name" />
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="new-password" />
        <p className="muted">At least 10 characters.</p>
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={busy}>
            Create site
          </button>
          <button type="button" onClick={closeDialog}>
            Later
          </button>
        </div>
      </form>
    );
  } else if (status.user === null) {
    title = 'Sign in to the hub';
    body = (
      <form onSubmit={(event) => submit(event, () => signIn({ email, password, url: url.trim() === '' ? undefined : url.trim() }))}>
        {status.mode === 'remote' && <Field label="Hub address" value={url} onChange={setUrl} />}
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
          <button type="button" onClick={closeDialog}>
            Close
          </button>
        </div>
      </form>
    );
  } else {
    title = 'Hub';
    const { sync } = status;
    body = (
      <>
        <dl className="facts">
          <dt>Signed in as</dt>
          <dd>
            {status.user.name} ({status.user.role ?? 'no role'})
          </dd>
          <dt>Hub</dt>
          <dd>{status.mode === 'embedded' ? 'On this computer' : status.url}</dd>
          <dt>State</dt>
          <dd role="status">{sync.state === 'offline' ? `Offline — ${sync.pending} changes kept, sent when the hub is back` : sync.state === 'syncing' ? 'Syncing…' : 'Up to date'}</dd>
          <dt>Waiting</dt>
          <dd>
            {sync.pending} changes, {sync.uploadsPending} files
          </dd>
        </dl>
        {sync.rejected.length > 0 && (
          <>
            <h3>Refused by the hub</h3>
            <ul className="failures" aria-label="Refused changes">
              {sync.rejected.map((item) => (
                <li key={item.id}>
                  <span>
                    {KIND_WORDS[item.kind] ?? item.kind}
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
          <button type="button" className="primary" onClick={closeDialog}>
            Close
          </button>
        </div>
      </>
    );
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
