/**
 * The collection dialogs (issue 13): a new collection (optionally with the studies it was made
 * for), Actions → Add to collection… (the collections where one may add, or a new one), and
 * Manage collection (rename, members with their rights — KHEOPS's album flags — invite by name,
 * remove, leave, delete). The hub decides every change; these show its answers.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CollectionMemberView } from '../../../shared/contract';
import { COLLECTION_RIGHTS, COLLECTION_RIGHT_LABELS, type CollectionRight } from '../../../shared/permissions/collections';
import { ErrorMessage } from '../../components/Messages';
import { ModalDialog } from '../../components/ModalDialog';
import { api } from '../../lib/api';
import { useCollections } from './collections-store';

/** What an add covers, in words: the study, N studies, or N series of the study. */
function addedWhat(studies: readonly unknown[], seriesUids: readonly string[] | undefined): string {
  if (seriesUids !== undefined && seriesUids.length > 0) return seriesUids.length === 1 ? '1 series of the study' : `${seriesUids.length} series of the study`;
  return studies.length === 1 ? 'the study' : `${studies.length} studies`;
}

function NewCollectionDialog({ then, seriesUids }: { readonly then: readonly ({ uid: string } | { hubId: string })[] | null; readonly seriesUids?: readonly string[] }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const close = () => useCollections.getState().openDialog(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await api.call('collections:create', { name, description });
    if (!result.ok) return setError(result.error.message);
    await useCollections.getState().load();
    close();
    if (then !== null && then.length > 0) await useCollections.getState().change(result.value.id, then, true, undefined, seriesUids);
  };
  return (
    <ModalDialog title="New collection" onClose={close} narrow>
      <form className="stacked-form" aria-label="New collection" onSubmit={(event) => void submit(event)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </label>
        <label>
          Description
          <textarea value={description} rows={3} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <ErrorMessage message={error} />
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={name.trim() === ''}>
            {then !== null && then.length > 0 ? `Create and add ${addedWhat(then, seriesUids)}` : 'Create collection'}
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

function AddToCollectionDialog({ studies, seriesUids }: { readonly studies: readonly ({ uid: string } | { hubId: string })[]; readonly seriesUids?: readonly string[] }) {
  // Select the list itself (a filtered copy would be a new value each render) and filter here.
  const all = useCollections((s) => s.collections);
  const collections = all.filter((c) => c.rights.includes('add'));
  const [chosen, setChosen] = useState<string | null>(null);
  const close = () => useCollections.getState().openDialog(null);
  const count = addedWhat(studies, seriesUids);
  return (
    <ModalDialog title="Add to collection" onClose={close} narrow>
      <div role="radiogroup" aria-label="Collections" className="collection-choices">
        {collections.length === 0 && <p className="muted">You may add to no collection yet. Make one, or ask a collection’s manager for the right to add.</p>}
        {collections.map((collection) => (
          <label key={collection.id} className="policy-choice">
            <input type="radio" name="collection" checked={chosen === collection.id} onChange={() => setChosen(collection.id)} />
            <span>
              {collection.name} <span className="muted small">{collection.studyCount === 1 ? '1 study' : `${collection.studyCount} studies`}</span>
            </span>
          </label>
        ))}
      </div>
      <div className="dialog-actions">
        <button
          type="button"
          className="primary"
          disabled={chosen === null}
          onClick={() => {
            close();
            if (chosen !== null) void useCollections.getState().change(chosen, studies, true, undefined, seriesUids);
          }}
        >
          Add {count}
        </button>
        <button type="button" onClick={() => useCollections.getState().openDialog({ kind: 'new', then: studies, seriesUids })}>
          New collection…
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </ModalDialog>
  );
}

function RightsBoxes({ label, rights, disabled, onChange }: { readonly label: string; readonly rights: readonly CollectionRight[]; readonly disabled: boolean; readonly onChange: (rights: CollectionRight[]) => void }) {
  return (
    <span className="rights" role="group" aria-label={`Rights of ${label}`}>
      {COLLECTION_RIGHTS.map((right) => (
        <label key={right} className="check inline" title={COLLECTION_RIGHT_LABELS[right]}>
          <input
            type="checkbox"
            aria-label={`${label}: ${COLLECTION_RIGHT_LABELS[right]}`}
            checked={rights.includes(right)}
            disabled={disabled}
            onChange={(e) => onChange(e.target.checked ? [...rights, right] : rights.filter((r) => r !== right))}
          />
          {COLLECTION_RIGHT_LABELS[right]}
        </label>
      ))}
    </span>
  );
}

function ManageCollectionDialog({ id }: { readonly id: string }) {
  const collection = useCollections((s) => s.collections.find((c) => c.id === id) ?? null);
  const [members, setMembers] = useState<readonly CollectionMemberView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [candidates, setCandidates] = useState<readonly { kind: 'user' | 'group'; id: string; name: string }[]>([]);
  const [name, setName] = useState(collection?.name ?? '');
  const [confirming, setConfirming] = useState(false);
  const close = () => useCollections.getState().openDialog(null);
  const manage = collection?.rights.includes('manage') ?? false;
  const invite = collection?.rights.includes('invite') ?? false;
  useEffect(() => {
    void api.call('collections:members', { id }).then((result) => (result.ok ? setMembers(result.value.members) : setError(result.error.message)));
  }, [id]);
  useEffect(() => {
    if (!invite || query.trim() === '') return setCandidates([]);
    let current = true;
    void api.call('collections:candidates', { id, q: query.trim() }).then((result) => current && setCandidates(result.ok ? result.value.candidates : []));
    return () => {
      current = false;
    };
  }, [id, invite, query]);
  if (collection === null) return null;
  const answer = async (result: Awaited<ReturnType<typeof api.call<'collections:members'>>>) => {
    if (!result.ok) return setError(result.error.message);
    setError(null);
    setMembers(result.value.members);
    await useCollections.getState().load();
  };
  return (
    <ModalDialog title={`Collection ${collection.name}`} onClose={close}>
      {manage && (
        <form
          className="inline-form"
          aria-label="Rename collection"
          onSubmit={(event) => {
            event.preventDefault();
            void api.call('collections:update', { id, name, description: collection.description }).then(async (result) => (result.ok ? useCollections.getState().load() : setError(result.error.message)));
          }}
        >
          <input aria-label="Collection name" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" disabled={name.trim() === '' || name === collection.name}>
            Rename
          </button>
        </form>
      )}
      <table className="admin-table" aria-label="Members">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Rights (every member views)</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={`${member.kind}:${member.id}`}>
              <td>
                {member.name}
                {member.kind === 'group' && <span className="tag">group</span>}
              </td>
              <td>
                <RightsBoxes label={member.name} rights={member.rights} disabled={!manage} onChange={(rights) => void api.call('collections:set-member', { id, kind: member.kind, memberId: member.id, rights }).then(answer)} />
              </td>
              <td>
                {manage && (
                  <button type="button" className="quiet" aria-label={`Remove ${member.name}`} onClick={() => void api.call('collections:remove-member', { id, kind: member.kind, memberId: member.id }).then(answer)}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {invite && (
        <div className="member-search">
          <input type="search" aria-label="Find people or groups to invite" placeholder="Invite: type a name…" value={query} onChange={(e) => setQuery(e.target.value)} />
          <ul aria-label="People and groups found">
            {candidates.map((c) => (
              <li key={`${c.kind}:${c.id}`}>
                <button
                  type="button"
                  aria-label={`Invite ${c.name}`}
                  onClick={() => {
                    setQuery('');
                    void api.call('collections:set-member', { id, kind: c.kind, memberId: c.id, rights: [] }).then(answer);
                  }}
                >
                  Invite {c.name}
                  {c.kind === 'group' ? ' (group)' : ''}
                </button>
              </li>
            ))}
          </ul>
          <p className="muted small">New members can view; tick the rights they need once invited.</p>
        </div>
      )}
      <ErrorMessage message={error} />
      <div className="dialog-actions">
        {manage && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete collection
          </button>
        )}
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
      {confirming && (
        <ModalDialog title={`Delete ${collection.name}?`} onClose={() => setConfirming(false)} narrow>
          <p>Its members stop seeing its studies through it. No study and no share is touched.</p>
          <div className="dialog-actions">
            <button
              type="button"
              className="danger"
              onClick={() =>
                void api.call('collections:delete', { id }).then(async (result) => {
                  if (!result.ok) return setError(result.error.message);
                  await useCollections.getState().load();
                  close();
                })
              }
            >
              Delete {collection.name}
            </button>
            <button type="button" autoFocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      )}
    </ModalDialog>
  );
}

export function CollectionDialogs() {
  const dialog = useCollections((s) => s.dialog);
  if (dialog === null) return null;
  if (dialog.kind === 'new') return <NewCollectionDialog then={dialog.then} seriesUids={dialog.seriesUids} />;
  if (dialog.kind === 'add') return <AddToCollectionDialog studies={dialog.studies} seriesUids={dialog.seriesUids} />;
  return <ManageCollectionDialog id={dialog.id} />;
}

/** What became of the last add or removal: a status line with the refusals and why. */
export function CollectionNotice() {
  const message = useCollections((s) => s.message);
  const refused = useCollections((s) => s.refused);
  if (message === null) return null;
  return (
    <div className="private-notice collection-notice" role="status" aria-label="Collections">
      <span>{message}</span>
      {refused.slice(0, 3).map((r) => (
        <span key={r.study} className="error-text small">
          {r.reason}
        </span>
      ))}
      <button type="button" className="quiet" aria-label="Dismiss" onClick={() => useCollections.getState().dismiss()}>
        ×
      </button>
    </div>
  );
}
