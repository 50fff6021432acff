/**
 * Collections as the desktop shows them (issue 13): the ones this user is a member of, with
 * their counts and the user's rights, for the sidebar and Actions → Add to collection…; the
 * dialogs open (new, add to, manage); and what became of the last add or removal, said in the
 * share-status style. Everything goes through main to the hub; adds and removals through the
 * outbox.
 */
import { create } from 'zustand';
import type { CollectionOutcome, CollectionView } from '../../../shared/contract';
import { api } from '../../lib/api';

type Ref = { readonly uid: string } | { readonly hubId: string };

interface CollectionsState {
  readonly collections: readonly CollectionView[];
  readonly error: string | null;
  /** Which dialog is open: a new collection, adding these studies to one, or managing one. */
  readonly dialog:
    | { readonly kind: 'new'; readonly then: readonly Ref[] | null; readonly seriesUids?: readonly string[] }
    | { readonly kind: 'add'; readonly studies: readonly Ref[]; readonly seriesUids?: readonly string[] }
    | { readonly kind: 'manage'; readonly id: string }
    | null;
  readonly message: string | null;
  readonly refused: CollectionOutcome['refused'];
  load: () => Promise<void>;
  openDialog: (dialog: CollectionsState['dialog']) => void;
  /**
   * Adds (or takes out) the studies; `after` runs once the hub answered (to reload a list).
   * `seriesUids`: only those series of the one study (from the details panel).
   */
  change: (collectionId: string, studies: readonly Ref[], add: boolean, after?: () => void, seriesUids?: readonly string[]) => Promise<boolean>;
  dismiss: () => void;
}

export function describeCollectionOutcome(outcome: CollectionOutcome, add: boolean, name: string): string {
  const parts: string[] = [];
  const count = (n: number) => (n === 1 ? '1 study' : `${n} studies`);
  if (outcome.changed > 0) parts.push(`${count(outcome.changed)} ${add ? 'added to' : 'taken out of'} ${name}`);
  if (outcome.already > 0) parts.push(`${count(outcome.already)} ${add ? 'already in it' : 'not in it'}`);
  if (outcome.pending > 0) parts.push(`${outcome.pending} waiting for the hub${outcome.online ? '' : ' (offline: sent when it answers)'}`);
  if (outcome.refused.length > 0) parts.push(`${outcome.refused.length} refused`);
  return parts.length === 0 ? 'Nothing changed.' : `${parts.join(', ')}.`;
}

let latest = 0;

export const useCollections = create<CollectionsState>()((set, get) => ({
  collections: [],
  error: null,
  dialog: null,
  message: null,
  refused: [],
  load: async () => {
    const request = ++latest;
    const result = await api.call('collections:list', {});
    if (request !== latest) return;
    set(result.ok ? { collections: result.value.collections, error: null } : { collections: [], error: result.error.message });
  },
  openDialog: (dialog) => set({ dialog }),
  change: async (collectionId, studies, add, after, seriesUids) => {
    const name = get().collections.find((c) => c.id === collectionId)?.name ?? 'the collection';
    set({ message: null, refused: [] });
    const result = add
      ? await api.call('collections:add-studies', { collectionId, studies: [...studies], ...(seriesUids === undefined || seriesUids.length === 0 ? {} : { seriesUids: [...seriesUids] }) })
      : await api.call('collections:remove-studies', { collectionId, studies: [...studies] });
    if (!result.ok) {
      set({ message: result.error.message });
      return false;
    }
    set({ message: describeCollectionOutcome(result.value, add, name), refused: result.value.refused });
    await get().load();
    after?.();
    return true;
  },
  dismiss: () => set({ message: null, refused: [] }),
}));
