/** Whether the guest link dialog is open, and for which studies. */
import { create } from 'zustand';

export const useGuestLinks = create<{ readonly studyUids: readonly string[] | null; open: (uids: readonly string[]) => void; close: () => void }>()((set) => ({
  studyUids: null,
  open: (studyUids) => set({ studyUids: [...studyUids] }),
  close: () => set({ studyUids: null }),
}));
