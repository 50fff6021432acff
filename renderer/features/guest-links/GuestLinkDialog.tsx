/**
 * Create guest link: expiry, uses, PIN or the patient's date of birth as password, attempts,
 * download, prior studies, a note. The studies go to the hub first (with progress), then the
 * link is shown with a copy button, above the list of the study's links with Revoke. Choosing
 * the date of birth alone shows why it is weak (the same sentence the hub answers), without
 * blocking it.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ModalDialog } from '../../components/ModalDialog';
import type { GuestLinkView } from '../../../shared/contract';
import { guestLinkWarnings } from '../../../shared/guest-link-warnings';
import { api } from '../../lib/api';
import { useHub } from '../hub/hub-store';
import { LinkReachNotice } from '../hub/LinkReachNotice';
import { useGuestLinks } from './guest-link-store';

const EXPIRY = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 168, label: '7 days' },
  { hours: 720, label: '30 days' },
];
const STATE_LABEL: Record<GuestLinkView['state'], string> = { active: 'Active', expired: 'Expired', 'used-up': 'Used up', revoked: 'Revoked', locked: 'Locked' };

export function GuestLinkDialog({ studyUids }: { readonly studyUids: readonly string[] }) {
  const close = useGuestLinks((s) => s.close);
  const uploadsPending = useHub((s) => s.status?.sync.uploadsPending ?? 0);
  const [expires, setExpires] = useState(168);
  const [maxUses, setMaxUses] = useState('');
  const [protection, setProtection] = useState<'none' | 'pin' | 'birth-date'>('pin');
  const [pin, setPin] = useState('');
  const [attempts, setAttempts] = useState(5);
  const [download, setDownload] = useState(false);
  const [priors, setPriors] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [links, setLinks] = useState<readonly GuestLinkView[]>([]);
  const [copied, setCopied] = useState(false);

  const refresh = useCallback(async () => {
    const result = await api.call('guest-links:list', { studyInstanceUid: studyUids[0] });
    if (result.ok) setLinks(result.value.links);
  }, [studyUids]);
  useEffect(() => void refresh(), [refresh]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await api.call('guest-links:create', {
      studyInstanceUids: [...studyUids],
      expiresInHours: expires,
      maxUses: maxUses === '' ? undefined : Number(maxUses),
      protection: protection === 'pin' ? { kind: 'pin', pin } : { kind: protection },
      maxAttempts: attempts,
      allowDownload: download,
      includePriors: priors,
      note: note === '' ? undefined : note,
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setUrl(result.value.url);
    await refresh();
  };

  const revoke = async (id: string) => {
    const result = await api.call('guest-links:revoke', { id });
    if (!result.ok) setError(result.error.message);
    await refresh();
  };

  return (
    <ModalDialog title="Create guest link" onClose={close}>
        <p className="muted">{studyUids.length === 1 ? 'For the selected study.' : `For ${studyUids.length} selected studies.`} Anyone with the link{protection === 'none' ? '' : ' and the password'} can view the images in a browser until it expires.</p>
        <LinkReachNotice />
        <form onSubmit={(event) => void submit(event)} aria-label="Guest link options">
          <div className="form-grid">
            <label className="field">
              <span>Expires after</span>
              <select value={expires} onChange={(e) => setExpires(Number(e.target.value))}>
                {EXPIRY.map((option) => (
                  <option key={option.hours} value={option.hours}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Maximum uses (optional)</span>
              <input type="number" min={1} max={1000} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
            </label>
          </div>
          <fieldset className="protection">
            <legend>Password</legend>
            <label className="check">
              <input type="radio" name="protection" checked={protection === 'none'} onChange={() => setProtection('none')} />
              None
            </label>
            <label className="check">
              <input type="radio" name="protection" checked={protection === 'pin'} onChange={() => setProtection('pin')} />
              PIN
            </label>
            {protection === 'pin' && <input aria-label="The PIN to give the recipient" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} placeholder="4–12 digits" />}
            <label className="check">
              <input type="radio" name="protection" checked={protection === 'birth-date'} onChange={() => setProtection('birth-date')} />
              Patient’s date of birth
            </label>
            {guestLinkWarnings(protection).map((warning) => (
              <p key={warning} className="warn-text" role="note">
                {warning}
              </p>
            ))}
          </fieldset>
          <div className="form-grid">
            <label className="field">
              <span>Wrong passwords before the link locks</span>
              <input type="number" min={1} max={10} value={attempts} onChange={(e) => setAttempts(Number(e.target.value))} />
            </label>
            <label className="field">
              <span>Note for the recipient (optional)</span>
              <input type="text" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
            </label>
          </div>
          <label className="check">
            <input type="checkbox" checked={download} onChange={(e) => setDownload(e.target.checked)} />
            Allow downloading the DICOM files
          </label>
          <label className="check">
            <input type="checkbox" checked={priors} onChange={(e) => setPriors(e.target.checked)} />
            Include the patient’s prior studies
          </label>
          <div className="dialog-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? (uploadsPending > 0 ? `Sending images… ${uploadsPending} left` : 'Creating…') : 'Create link'}
            </button>
            <button type="button" onClick={close}>
              Close
            </button>
          </div>
        </form>
        {error !== null && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        {url !== null && (
          <div className="field-row link-row">
            <input aria-label="Guest link" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(url).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy link'}
            </button>
          </div>
        )}
        {links.length > 0 && (
          <>
            <h3>Guest links of this study</h3>
            <table className="admin-table" aria-label="Guest links">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Last opened</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {links.map((link) => (
                  <tr key={link.id}>
                    <td>{STATE_LABEL[link.state]}</td>
                    <td>{link.expiresAt.slice(0, 16).replace('T', ' ')}</td>
                    <td>
                      {link.uses}
                      {link.maxUses === null ? '' : ` of ${link.maxUses}`}
                    </td>
                    <td>{link.lastAccessAt === null ? 'never' : link.lastAccessAt.slice(0, 16).replace('T', ' ')}</td>
                    <td>
                      {link.state === 'active' && (
                        <button type="button" onClick={() => void revoke(link.id)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
    </ModalDialog>
  );
}
