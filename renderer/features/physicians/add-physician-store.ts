/** Actions → Add physician…: which studies the dialog is for (null: closed). */
import { create } from 'zustand';
import type { StudyRef } from '../sharing/share-store';

interface AddPhysicianState {
  readonly studies: readonly StudyRef[] | null;
  open(studies: readonly StudyRef[]): void;
  close(): void;
}

export const useAddPhysician = create<AddPhysicianState>()((set) => ({
  studies: null,
  open: (studies) => set({ studies }),
  close: () => set({ studies: null }),
}));
