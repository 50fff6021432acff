/**
 * "Join your site's hub": the address (or any link from the hub: an invitation, a guest link, a
 * password reset) is checked first, and the hub's name and sites are shown before anything else
 * is asked. A LAN hub with its own certificate can be trusted explicitly, after its fingerprint
 * is shown; what is wrong with any other address is said in a sentence.
 */
import { useState, type FormEvent } from 'react';
import type { HubCertificateView, HubProbeView } from '../../../shared/contract';
import { probeHub } from './hub-store';

export type CheckedHub = Extract<HubProbeView, { ok: true }> & { readonly trustedFingerprint: string | null };

export function JoinHubForm({ initialUrl = '', onChecked, onBack }: { initialUrl?: string; onChecked: (hub: CheckedHub) => void; onBack: () => void }) {
  const [url, setUrl] = useState(initialUrl);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Extract<HubProbeView, { ok: false }> | null>(null);

  const check = async (trustedFingerprint: string | null) => {
    setBusy(true);
    setProblem(null);
    const result = await probeHub(url.trim(), trustedFingerprint);
    setBusy(false);
    if (result.ok) onChecked({ ...result, trustedFingerprint });
    else setProblem(result);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy && url.trim() !== '') void check(null);
  };

  return (
    <form onSubmit={submit} aria-label="Join a hub">
      <p className="muted">Type your hub’s address, or paste a link you received from it (an invitation or a guest link).</p>
      <label className="field">
        <span>Hub address</span>
        <input value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://hub.example.org" spellCheck={false} autoComplete="url" autoFocus />
      </label>
      {problem !== null && (
        <div role="alert" className="hub-problem">
          <p className="error-text">{problem.message}</p>
          {problem.code === 'certificate-untrusted' && problem.certificate !== null && (
            <CertificateTrust certificate={problem.certificate} busy={busy} onTrust={() => void check(problem.certificate!.fingerprint256)} />
          )}
        </div>
      )}
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy || url.trim() === ''}>
          {busy ? 'Checking…' : 'Check address'}
        </button>
        <button type="button" onClick={onBack}>
          Back
        </button>
      </div>
    </form>
  );
}

/** A certificate this computer does not trust: what it is, and the choice to trust it for this hub only. */
function CertificateTrust({ certificate, busy, onTrust }: { certificate: HubCertificateView; busy: boolean; onTrust: () => void }) {
  return (
    <div className="certificate">
      <p className="muted">
        Trust it only if this is your site’s own hub on a network you know, and the fingerprint matches what its administrator gave you.
      </p>
      <dl className="facts">
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.selfSigned ? 'itself (self-signed)' : certificate.issuer}</dd>
        <dt>Valid</dt>
        <dd>
          {certificate.validFrom} – {certificate.validTo}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code className="fingerprint">{certificate.fingerprint256}</code>
        </dd>
      </dl>
      <button type="button" onClick={onTrust} disabled={busy}>
        Trust this certificate
      </button>
    </div>
  );
}

/** The hub a checked address leads to, in one block: its name, address and sites. */
export function HubIdentity({ hub }: { hub: CheckedHub }) {
  return (
    <dl className="facts" aria-label="Hub">
      <dt>Hub</dt>
      <dd>{hub.name}</dd>
      <dt>Address</dt>
      <dd>{hub.url}</dd>
      {hub.sites !== null && hub.sites.length > 0 && (
        <>
          <dt>{hub.sites.length === 1 ? 'Site' : 'Sites'}</dt>
          <dd>{hub.sites.join(', ')}</dd>
        </>
      )}
      {hub.trustedFingerprint !== null && (
        <>
          <dt>Certificate</dt>
          <dd>Trusted by you on this computer</dd>
        </>
      )}
    </dl>
  );
}
