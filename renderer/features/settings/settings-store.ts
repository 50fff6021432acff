/** Whether the Settings dialog is open (its content reads the hub store). */
import { create } from 'zustand';

interface SettingsState {
  readonly isOpen: boolean;
  open: () => void;
  close: () => void;
}

export const useSettings = create<SettingsState>()((set) => ({
  isOpen: false,
  open: () => set({ isOpen: true }),
  close: () => set({ isOpen: false }),
}));
