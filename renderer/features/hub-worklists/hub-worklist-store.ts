/**
 * The worklists this user has on the hub (their own, their locations', their groups'), and the
 * studies of the one showing: a worklist store (the local worklist's, paged and searched on the
 * hub) whose source is that worklist. Loaded from the hub through main; refreshed after each sync.
 */
import { create } from 'zustand';
import type { HubWorklistView } from '../../../shared/contract';
import { api } from '../../lib/api';
import { hubWorklistSource } from '../worklist/study-source';
import { createWorklistStore } from '../worklist/worklist-store';

interface HubWorklistState {
  readonly worklists: readonly HubWorklistView[];
  readonly listError: string | null;
  readonly worklistId: string | null;
  loadWorklists(): Promise<void>;
  /** Shows this worklist's studies (search, filters and sort stay as they were). */
  open(worklistId: string): void;
}

/** The studies of the hub worklist showing, with their filters, pages and selection. */
export const useHubStudies = createWorklistStore(null);

let latestListRequest = 0;

export const useHubWorklists = create<HubWorklistState>()((set) => ({
  worklists: [],
  listError: null,
  worklistId: null,
  loadWorklists: async () => {
    // Only the latest request's answer counts: the list is reloaded when the signed-in user
    // changes, and the previous user's slower answer must not replace the new user's worklists.
    const request = ++latestListRequest;
    const result = await api.call('hub-worklists:list', {});
    if (request !== latestListRequest) return;
    set(result.ok ? { worklists: result.value.worklists, listError: null } : { worklists: [], listError: result.error.message });
  },
  open: (worklistId) => {
    set({ worklistId });
    useHubStudies.getState().setSource(hubWorklistSource(worklistId));
  },
}));
