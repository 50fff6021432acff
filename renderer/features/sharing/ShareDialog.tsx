/**
 * Actions → Share: pick targets among the options the role permits (locations, groups and
 * physicians searched as you type; a worklist anywhere by its share code, shown with its name and
 * site before it is added; an email address), then "Share Studies". The answer says per target
 * what was shared, what was already, what waits for the hub and what was refused and why.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSearchAsYouType } from '../../lib/use-search-as-you-type';
import type { ShareCodeWorklist, ShareOutcome, ShareTargetView } from '../../../shared/contract';
import { ErrorMessage } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { LinkReachNotice } from '../hub/LinkReachNotice';
import { ActingForSelect } from '../physicians/ActingForSelect';
import { api } from '../../lib/api';
import { formatCount } from '../../lib/format';
import { useHub } from '../hub/hub-store';
import { permittedShareOptions, useShareDialog, type ShareOption, type StudyRef } from './share-store';
import { RefusalList } from '../../components/RefusalList';

type Target = { readonly key: string; readonly label: string; readonly kind: string } & ({ readonly worklistId: string } | { readonly email: string });

const KIND_LABEL: Record<string, string> = { location: 'Location', group: 'Group', user: 'Physician', code: 'Share code', email: 'Email' };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function TargetSearch({ kind, chosen, toggle }: { kind: 'location' | 'group' | 'user'; chosen: ReadonlyMap<string, Target>; toggle: (target: Target) => void }) {
  const [q, setQ] = useState('');
  const noun = kind === 'user' ? 'physicians' : `${kind}s`;
  const { found, error } = useSearchAsYouType<readonly ShareTargetView[]>(`${kind}\u0000${q}`, () => api.call('sharing:targets', { kind, q }).then((result) => (result.ok ? { ok: true as const, value: result.value.targets } : result)));
  return (
    <div className="target-search">
      <input type="search" aria-label={`Search ${noun}`} placeholder={`Search ${noun}…`} value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
      <ErrorMessage message={error} />
      {found !== null && found.length === 0 && <p className="muted">No {noun} match “{q}”.</p>}
      <ul className="target-list" aria-label={`Matching ${noun}`}>
        {found?.map((target) => {
          const key = `w:${target.worklistId}`;
          return (
            <li key={key}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={chosen.has(key)}
                  onChange={() => toggle({ key, label: target.name, kind, worklistId: target.worklistId })}
                />
                <span>{target.name}</span>
                {target.detail !== '' && <span className="muted">{target.detail}</span>}
              </label>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function ShareCodeLookup({ add }: { add: (target: Target) => void }) {
  const [code, setCode] = useState('');
  const [found, setFound] = useState<ShareCodeWorklist | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lookUp = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFound(null);
    setError(null);
    const result = await api.call('sharing:lookup-code', { code });
    setBusy(false);
    if (result.ok) setFound(result.value.worklist);
    else setError(result.error.message);
  };
  return (
    <form className="field-row" onSubmit={(event) => void lookUp(event)} aria-label="Find a worklist by share code">
      <input aria-label="Share code" placeholder="e.g. K7Q4-M2XD" className="share-code" value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
      <button type="submit" disabled={busy || code.trim() === ''}>
        Look up
      </button>
      <ErrorMessage message={error} />
      {found !== null && (
        <div className="code-found" role="status">
          <span>
            {found.name} <span className="muted">— {found.site ?? 'no site'} ({found.kind})</span>
          </span>
          <button
            type="button"
            onClick={() => {
              add({ key: `w:${found.id}`, label: `${found.name} (${found.site ?? found.shareCode})`, kind: 'code', worklistId: found.id });
              setFound(null);
              setCode('');
            }}
          >
            Add {found.name}
          </button>
        </div>
      )}
    </form>
  );
}

function EmailEntry({ add }: { add: (target: Target) => void }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim().toLowerCase();
    if (!EMAIL.test(address)) {
      setError('That is not an email address.');
      return;
    }
    add({ key: `e:${address}`, label: address, kind: 'email', email: address });
    setEmail('');
    setError(null);
  };
  return (
    <form className="field-row" onSubmit={submit} aria-label="Share by email" noValidate>
      <input type="email" aria-label="Email address" placeholder="name@example.org" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      <button type="submit" disabled={email.trim() === ''}>
        Add address
      </button>
      <ErrorMessage message={error} />
      <p className="muted hint">Someone without an account gets an invitation and must register before they see anything.</p>
    </form>
  );
}

function Outcome({ outcome, onDone }: { outcome: ShareOutcome; onDone: () => void }) {
  const done = useRef<HTMLButtonElement>(null);
  useEffect(() => done.current?.focus(), []);
  return (
    <>
      {!outcome.online && (
        <p role="status" className="warn-text">
          The hub has not taken the shares yet (it cannot be reached, or is slow to answer). They are kept and sent as soon as it answers; they show as
          pending until then.
        </p>
      )}
      <ul className="share-outcome" aria-label="Share results">
        {outcome.targets.map((target) => (
          <li key={target.label}>
            <strong>{target.label}</strong>
            <span>
              {[
                target.shared > 0 ? `shared ${formatCount(target.shared)}` : '',
                target.alreadyShared > 0 ? `already shared ${formatCount(target.alreadyShared)}` : '',
                target.pending > 0 ? `pending ${formatCount(target.pending)}` : '',
                target.refused.length > 0 ? `refused ${formatCount(target.refused.length)}` : '',
                target.invited ? 'invitation sent' : '',
              ]
                .filter(Boolean)
                .join(' · ')}
            </span>
            <RefusalList refused={target.refused} />
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button ref={done} type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </>
  );
}

export function ShareDialog({ studies }: { readonly studies: readonly StudyRef[] }) {
  const close = useShareDialog((s) => s.close);
  const permissions = useHub((s) => s.status?.user?.permissions ?? []);
  const options = permittedShareOptions(permissions);
  const [tab, setTab] = useState<ShareOption | undefined>(options[0]?.id);
  const [chosen, setChosen] = useState<ReadonlyMap<string, Target>>(new Map());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ShareOutcome | null>(null);
  // A case manager acting for several physicians names the one (issue 14); '' leaves it to the hub.
  const [forPhysician, setForPhysician] = useState('');

  const toggle = (target: Target) => {
    const next = new Map(chosen);
    if (next.has(target.key)) next.delete(target.key);
    else next.set(target.key, target);
    setChosen(next);
  };
  const add = (target: Target) => setChosen(new Map(chosen).set(target.key, target));

  const share = async () => {
    setBusy(true);
    setError(null);
    const result = await api.call('sharing:share', {
      studies: [...studies],
      targets: [...chosen.values()].map((target) => ('email' in target ? { email: target.email } : { worklistId: target.worklistId, label: target.label })),
      ...(forPhysician === '' ? {} : { forPhysicianId: forPhysician }),
    });
    setBusy(false);
    if (result.ok) setOutcome(result.value);
    else setError(result.error.message);
  };

  const title = `Share ${studies.length === 1 ? 'study' : `${formatCount(studies.length)} studies`}`;
  return (
    <ModalDialog title={title} onClose={close}>
      {outcome !== null ? (
        <Outcome outcome={outcome} onDone={close} />
      ) : options.length === 0 ? (
        <p className="muted">Your role does not allow sharing.</p>
      ) : (
        <>
          <div role="tablist" aria-label="Share with" className="tabs">
            {options.map((option) => (
              <button key={option.id} role="tab" type="button" aria-selected={tab === option.id} onClick={() => setTab(option.id)}>
                {option.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={options.find((o) => o.id === tab)?.label} className="share-panel">
            {(tab === 'location' || tab === 'group' || tab === 'user') && <TargetSearch key={tab} kind={tab} chosen={chosen} toggle={toggle} />}
            {tab === 'code' && <ShareCodeLookup add={add} />}
            {tab === 'email' && (
              <>
                <EmailEntry add={add} />
                <LinkReachNotice />
              </>
            )}
          </div>
          <h3>Share with</h3>
          {chosen.size === 0 ? (
            <p className="muted">Nobody yet: pick targets above.</p>
          ) : (
            <ul className="chosen" aria-label="Chosen targets">
              {[...chosen.values()].map((target) => (
                <li key={target.key}>
                  <span className="tag">{KIND_LABEL[target.kind]}</span> {target.label}
                  <button type="button" className="quiet" aria-label={`Remove ${target.label}`} onClick={() => toggle(target)}>
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
          <ActingForSelect value={forPhysician} onChange={setForPhysician} />
          <ErrorMessage message={error} />
          <div className="dialog-actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={busy || chosen.size === 0} onClick={() => void share()}>
              {busy ? 'Sharing…' : 'Share Studies'}
            </button>
          </div>
        </>
      )}
    </ModalDialog>
  );
}
