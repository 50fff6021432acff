/** Which studies the Share dialog is open for (local ones by UID, hub ones by hub id), if any. */
import { create } from 'zustand';

export type StudyRef = { readonly uid: string } | { readonly hubId: string };

export const useShareDialog = create<{ readonly studies: readonly StudyRef[] | null; open(studies: readonly StudyRef[]): void; close(): void }>()((set) => ({
  studies: null,
  open: (studies) => set({ studies }),
  close: () => set({ studies: null }),
}));

/** The share options a role permits, in the order the dialog shows them. */
export const SHARE_OPTIONS = [
  { id: 'location', label: 'Locations', permission: 'studies.share.locations' },
  { id: 'group', label: 'Groups', permission: 'studies.share.groups' },
  { id: 'user', label: 'Physicians', permission: 'studies.share.users' },
  { id: 'code', label: 'Share Code', permission: 'studies.share.code' },
  { id: 'email', label: 'Email', permission: 'studies.share.email' },
] as const;
export type ShareOption = (typeof SHARE_OPTIONS)[number]['id'];

export function permittedShareOptions(permissions: readonly string[]): (typeof SHARE_OPTIONS)[number][] {
  if (!permissions.includes('studies.share')) return [];
  return SHARE_OPTIONS.filter((option) => permissions.includes(option.permission));
}
