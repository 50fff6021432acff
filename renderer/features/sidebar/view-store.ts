/** Which main view is showing: the local worklist, a hub worklist, or the site administration. */
import { create } from 'zustand';

export type MainView = 'worklist' | 'hub' | 'admin';

interface ViewState {
  readonly view: MainView;
  /** The hub worklist shown when `view` is 'hub'. */
  readonly hubWorklist: { readonly id: string; readonly name: string } | null;
  show: (view: MainView) => void;
  showHubWorklist: (worklist: { id: string; name: string }) => void;
}

export const useView = create<ViewState>()((set) => ({
  view: 'worklist',
  hubWorklist: null,
  show: (view) => set({ view }),
  showHubWorklist: (worklist) => set({ view: 'hub', hubWorklist: worklist }),
}));
