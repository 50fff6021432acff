/** Which main view is showing: the local worklist or the site administration. */
import { create } from 'zustand';

export type MainView = 'worklist' | 'admin';

export const useView = create<{ readonly view: MainView; show(view: MainView): void }>()((set) => ({
  view: 'worklist',
  show: (view) => set({ view }),
}));
