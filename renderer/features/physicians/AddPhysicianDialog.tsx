/**
 * Actions → Add physician… (issue 14): search the site's physician directory by surname, pick
 * one, and put them on the selected studies as *associated*. Offline-first: the links go through
 * the outbox like shares and collections, so with the hub away they wait and go later. The answer
 * says what was added, what was so already, what waits and what the hub refused and why.
 */
import { useEffect, useRef, useState } from 'react';
import { useSearchAsYouType } from '../../lib/use-search-as-you-type';
import type { CollectionOutcome } from '../../../shared/contract';
import type { DirectoryEntryView } from '../../../shared/hub-api/physicians';
import { ErrorMessage } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { api } from '../../lib/api';
import { formatCount } from '../../lib/format';
import { ActingForSelect } from './ActingForSelect';
import type { StudyRef } from '../sharing/share-store';
import { useAddPhysician } from './add-physician-store';
import { RefusalList } from '../../components/RefusalList';

function Outcome({ outcome, name, onDone }: { readonly outcome: CollectionOutcome; readonly name: string; readonly onDone: () => void }) {
  const done = useRef<HTMLButtonElement>(null);
  useEffect(() => done.current?.focus(), []);
  const parts = [
    outcome.changed > 0 ? `added to ${formatCount(outcome.changed)}` : '',
    outcome.already > 0 ? `already on ${formatCount(outcome.already)}` : '',
    outcome.pending > 0 ? `waiting for the hub: ${formatCount(outcome.pending)}` : '',
    outcome.refused.length > 0 ? `refused for ${formatCount(outcome.refused.length)}` : '',
  ].filter(Boolean);
  return (
    <>
      {!outcome.online && (
        <p role="status" className="warn-text">
          The hub has not taken this yet (it cannot be reached, or is slow to answer). It is kept and sent as soon as it answers.
        </p>
      )}
      <p role="status">
        <strong>{name}</strong>: {parts.join(' · ')}
      </p>
      <RefusalList refused={outcome.refused} label="Refused" />
      <div className="dialog-actions">
        <button ref={done} type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </>
  );
}

/** Mounted while the dialog is open, so each opening starts afresh. */
export function AddPhysicianDialogHost() {
  const studies = useAddPhysician((s) => s.studies);
  return studies === null ? null : <AddPhysicianDialog studies={studies} />;
}

function AddPhysicianDialog({ studies }: { readonly studies: readonly StudyRef[] }) {
  const close = () => useAddPhysician.getState().close();
  const [surname, setSurname] = useState('');
  const [chosen, setChosen] = useState<DirectoryEntryView | null>(null);
  const [forPhysician, setForPhysician] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<CollectionOutcome | null>(null);
  const answer = useSearchAsYouType<readonly DirectoryEntryView[]>(surname, () => api.call('physicians:directory', { surname }).then((result) => (result.ok ? { ok: true as const, value: result.value.physicians } : result)));
  const found = answer.found;
  const add = async () => {
    if (chosen === null) return;
    setBusy(true);
    const result = await api.call('physicians:link', { studies: [...studies], physicianId: chosen.id, ...(forPhysician === '' ? {} : { forPhysicianId: forPhysician }) });
    setBusy(false);
    if (result.ok) setOutcome(result.value);
    else setError(result.error.message);
  };
  const title = `Add a physician to ${studies.length === 1 ? 'the study' : `${formatCount(studies.length)} studies`}`;
  return (
    <ModalDialog title={title} onClose={close} narrow>
      {outcome !== null && chosen !== null ? (
        <Outcome outcome={outcome} name={chosen.displayName} onDone={close} />
      ) : (
        <>
          <input type="search" aria-label="Search physicians by surname" placeholder="Surname…" value={surname} onChange={(event) => setSurname(event.target.value)} autoFocus />
          {found !== null && found.length === 0 && <p className="muted">No physician of your site’s directory has a surname starting “{surname}”.</p>}
          <ul className="target-list" aria-label="Matching physicians">
            {found?.map((physician) => (
              <li key={physician.id}>
                <label className="check">
                  <input type="radio" name="physician" checked={chosen?.id === physician.id} onChange={() => setChosen(physician)} />
                  <span>{physician.displayName}</span>
                  {physician.specialty !== null && <span className="muted">{physician.specialty}</span>}
                </label>
              </li>
            ))}
          </ul>
          <p className="muted hint">Added as associated: the physician’s My cases lists the study, and those who act for them see it.</p>
          <ActingForSelect value={forPhysician} onChange={setForPhysician} />
          <ErrorMessage message={error ?? answer.error} />
          <div className="dialog-actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={busy || chosen === null} onClick={() => void add()}>
              {busy ? 'Adding…' : chosen === null ? 'Add physician' : `Add ${chosen.displayName}`}
            </button>
          </div>
        </>
      )}
    </ModalDialog>
  );
}
