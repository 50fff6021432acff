/**
 * Settings: which hub this desktop uses (changed with what happens to queued changes and to the
 * cached hub data said before it happens), and, for the hub inside this app, whether other
 * computers on the local network may reach it and the public address its links point to; and
 * the workstation's lock time (the site's, for hub users); the signed-in hub user's password.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { HubStatus, HubSwitchPreview, WorkstationStatus } from '../../../shared/contract';
import { ModalDialog } from '../../components/ModalDialog';
import { HubIdentity, JoinHubForm, type CheckedHub } from '../hub/JoinHubForm';
import { changePassword, switchPreview, useHub } from '../hub/hub-store';
import { useWorkstation } from '../workstation/workstation-store';
import { useSettings } from './settings-store';
import { DicomNetSettings } from '../dicom-net/DicomNetSettings';

type Target = { readonly kind: 'remote'; readonly hub: CheckedHub } | { readonly kind: 'embedded' } | { readonly kind: 'off' };

function describeHub(status: HubStatus): string {
  if (status.mode === 'off') return 'None: this computer uses its local index only.';
  if (status.mode === 'embedded') return 'The hub on this computer.';
  return `${status.hubName ?? 'A hub'} at ${status.url ?? 'an address not set yet'}.`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What switching does, said before it happens, and the choice for what still waits. */
function ConfirmSwitch({ target, onDone, onBack }: { target: Target; onDone: () => void; onBack: () => void }) {
  const { busy, connect } = useHub();
  const [preview, setPreview] = useState<HubSwitchPreview | null>(null);
  useEffect(() => void switchPreview().then(setPreview), []);
  const choice = target.kind === 'remote' ? { kind: 'remote' as const, url: target.hub.url, trustedFingerprint: target.hub.trustedFingerprint } : { kind: target.kind };
  const go = async (queued?: 'send' | 'discard') => {
    if (await connect({ choice, ...(queued === undefined ? {} : { queued }) })) onDone();
  };
  if (preview === null) return <p role="status">Reading what waits to be sent…</p>;
  const waiting = preview.pendingChanges + preview.pendingFiles;
  const from = preview.hub ?? 'no hub';
  return (
    <div aria-label="Confirm the switch" role="group">
      {target.kind === 'remote' && <HubIdentity hub={target.hub} />}
      <ul className="consequences">
        {preview.hub !== null && (
          <li>
            {waiting === 0
              ? `Nothing waits to be sent to ${from}.`
              : `${plural(preview.pendingChanges, 'change', 'changes')} and ${plural(preview.pendingFiles, 'file', 'files')} still wait to be sent to ${from}.`}
          </li>
        )}
        {preview.hub !== null && (
          <li>
            {plural(preview.cachedStudies, 'study', 'studies')} cached from {from} will be removed from this computer. Your local studies stay.
          </li>
        )}
        {target.kind !== 'off' && <li>You sign in again on the new hub.</li>}
      </ul>
      <div className="dialog-actions">
        {waiting > 0 ? (
          <>
            <button type="button" className="primary" disabled={busy} onClick={() => void go('send')}>
              Send them first, then switch
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void go('discard')}>
              Discard {plural(waiting, 'item', 'items')} and switch
            </button>
          </>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void go()}>
            Switch
          </button>
        )}
        <button type="button" onClick={onBack}>
          Back
        </button>
      </div>
    </div>
  );
}

function ChangeHub({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [step, setStep] = useState<'choose' | 'address' | Target>('choose');
  if (step === 'address') return <JoinHubForm onChecked={(hub) => setStep({ kind: 'remote', hub })} onBack={() => setStep('choose')} />;
  if (step !== 'choose') return <ConfirmSwitch target={step} onDone={onDone} onBack={() => setStep('choose')} />;
  return (
    <div className="choices">
      <button type="button" className="choice" onClick={() => setStep('address')}>
        <strong>Another hub</strong>
        <span>Your site’s hub, by its address.</span>
      </button>
      <button type="button" className="choice" onClick={() => setStep({ kind: 'embedded' })}>
        <strong>The hub on this computer</strong>
        <span>Run a hub inside this app.</span>
      </button>
      <button type="button" className="choice" onClick={() => setStep({ kind: 'off' })}>
        <strong>No hub</strong>
        <span>Use the local index only.</span>
      </button>
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** The hub inside this app: the local network, and the address its links point to. */
function EmbeddedHubSettings({ embedded }: { embedded: NonNullable<HubStatus['embedded']> }) {
  const { busy, setEmbeddedSettings } = useHub();
  const [lan, setLan] = useState(embedded.lan);
  const [publicUrl, setPublicUrl] = useState(embedded.publicUrl ?? '');
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(await setEmbeddedSettings({ lan, publicUrl: publicUrl.trim() === '' ? null : publicUrl.trim() }));
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Hub on this computer">
      <h3>Hub on this computer</h3>
      <dl className="facts">
        <dt>Port</dt>
        <dd>{embedded.port} (kept across restarts)</dd>
      </dl>
      <label className="check">
        <input type="checkbox" checked={lan} onChange={(event) => (setLan(event.target.checked), setSaved(false))} />
        <span>Let other computers on the local network reach it</span>
      </label>
      <label className="field">
        <span>Public address (what links and invitations point to)</span>
        <input
          value={publicUrl}
          onChange={(event) => (setPublicUrl(event.target.value), setSaved(false))}
          placeholder={`http://127.0.0.1:${embedded.port} (this computer only)`}
          spellCheck={false}
          list="lan-addresses"
        />
        <datalist id="lan-addresses">
          {embedded.lanAddresses.map((address) => (
            <option key={address} value={address} />
          ))}
        </datalist>
      </label>
      {embedded.lanAddresses.length > 0 && (
        <p className="muted">
          This computer on the local network:{' '}
          {embedded.lanAddresses.map((address) => (
            <button key={address} type="button" className="link" onClick={() => (setPublicUrl(address), setLan(true), setSaved(false))}>
              use {address}
            </button>
          ))}
        </p>
      )}
      {publicUrl.trim() === '' && <p className="warn-text">Without a public address, guest links and invitations open only on this computer.</p>}
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        {saved && <span role="status">Saved. The hub listens {lan ? 'on the local network' : 'on this computer only'}.</span>}
      </div>
    </form>
  );
}

/**
 * The workstation's lock time: how long without activity before it locks. Hospital policies ask
 * for 15 minutes. For a hub user it is their site's policy: an admin of the site (who manages
 * users) changes it on the hub for every desktop there, others read it. For a local profile (or
 * a hub that sets none) it is this computer's, changed by the local profiles' admin.
 */
function LockTimeSettings({ status }: { status: WorkstationStatus }) {
  const busy = useWorkstation((s) => s.busy);
  const error = useWorkstation((s) => s.error);
  const [minutes, setMinutes] = useState(String(status.idleMinutes));
  const [shown, setShown] = useState(status.idleMinutes);
  const [saved, setSaved] = useState(false);
  // The hub said the site's value again (or it was just saved): the field shows it.
  if (shown !== status.idleMinutes) {
    setShown(status.idleMinutes);
    setMinutes(String(status.idleMinutes));
  }
  const mayChange = status.user?.mayChangeLockTime === true;
  const site = status.lockTimeSetBy === 'site';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(await useWorkstation.getState().setIdleMinutes(Number(minutes)));
  };
  const keys = 'Ctrl+L (⌘L) or Lock in the top bar locks at once.';
  if (!mayChange) {
    return (
      <section aria-label="Lock time">
        <h3>Lock</h3>
        <p>
          Locks after <strong>{status.idleMinutes} minutes</strong> without activity — {site ? 'set by your site' : 'set by an administrator of this computer'}.
        </p>
        <p className="muted">{keys}</p>
      </section>
    );
  }
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Lock time">
      <h3>Lock</h3>
      <div className="lock-time">
        <label className="field">
          <span>{site ? 'Lock your site’s desktops after this many minutes without activity' : 'Lock after this many minutes without activity'}</span>
          <input type="number" min={1} max={240} step={1} value={minutes} onChange={(event) => (setMinutes(event.target.value), setSaved(false))} />
        </label>
        <button type="submit" disabled={busy}>
          Save
        </button>
      </div>
      <p className="muted">
        {site ? 'Your site’s policy: it applies to everyone of your site, on every desktop where they sign in. ' : 'For everyone who signs in at this computer. '}
        {keys}
      </p>
      {saved && (
        <p role="status">
          Saved: {site ? 'your site’s desktops lock' : 'this computer locks'} after {status.idleMinutes} minutes without activity.
        </p>
      )}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
    </form>
  );
}

/**
 * The signed-in hub user's own password: the current one, and the new one twice. The hub checks
 * the current one and its password policy; its sentence is shown as it is. The hub signs out
 * their other sessions; this one stays.
 */
function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ readonly ok: boolean; readonly message: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== again) {
      setResult({ ok: false, message: 'The two new passwords differ. Type the same one twice.' });
      return;
    }
    setBusy(true);
    const error = await changePassword(current, next);
    setBusy(false);
    if (error !== null) {
      setResult({ ok: false, message: error.message });
      return;
    }
    setCurrent('');
    setNext('');
    setAgain('');
    setResult({ ok: true, message: 'Your password was changed. Your other sessions were signed out; this one stays.' });
  };
  const edit = (set: (value: string) => void) => (event: { target: { value: string } }) => (set(event.target.value), setResult(null));
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Change password">
      <h3>Password</h3>
      <div className="password-fields">
        <label className="field">
          <span>Current password</span>
          <input type="password" autoComplete="current-password" value={current} onChange={edit(setCurrent)} required />
        </label>
        <label className="field">
          <span>New password</span>
          <input type="password" autoComplete="new-password" value={next} onChange={edit(setNext)} required />
        </label>
        <label className="field">
          <span>New password again</span>
          <input type="password" autoComplete="new-password" value={again} onChange={edit(setAgain)} required />
        </label>
      </div>
      <div className="dialog-actions">
        <button type="submit" disabled={busy || current === '' || next === '' || again === ''}>
          Change password
        </button>
      </div>
      {result !== null &&
        (result.ok ? (
          <p role="status">{result.message}</p>
        ) : (
          <p role="alert" className="error-text">
            {result.message}
          </p>
        ))}
    </form>
  );
}

export function SettingsDialog() {
  const status = useHub((s) => s.status);
  const error = useHub((s) => s.error);
  const close = useSettings((s) => s.close);
  const workstation = useWorkstation((s) => s.status);
  const [changing, setChanging] = useState(false);
  if (status === null) return null;
  const onClose = () => {
    useHub.getState().clearError();
    close();
  };
  return (
    <ModalDialog title="Settings" onClose={onClose} narrow>
      <section aria-label="Hub connection">
        <h3>Hub</h3>
        <p>{describeHub(status)}</p>
        {changing ? (
          <ChangeHub
            onDone={() => {
              setChanging(false);
              close();
              // The new hub wants a sign-in (or its site set up): that is the hub dialog's job.
              if (useHub.getState().status?.mode !== 'off') useHub.getState().openDialog();
            }}
            onCancel={() => setChanging(false)}
          />
        ) : (
          <div className="dialog-actions">
            <button type="button" onClick={() => (useHub.getState().clearError(), setChanging(true))}>
              Change hub…
            </button>
          </div>
        )}
      </section>
      {!changing && status.embedded !== null && <EmbeddedHubSettings embedded={status.embedded} />}
      {!changing && workstation !== null && <LockTimeSettings key={workstation.lockTimeSetBy} status={workstation} />}
      {!changing && status.user !== null && workstation?.user?.kind === 'hub' && <ChangePassword />}
      {!changing && <DicomNetSettings />}
      {error !== null && (
        <p role="alert" className="error-text">
          {error.message}
        </p>
      )}
      {!changing && (
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </ModalDialog>
  );
}
