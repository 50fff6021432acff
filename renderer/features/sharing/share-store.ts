/** Which studies the Share dialog is open for (local ones by UID, hub ones by hub id), if any. */
import { create } from 'zustand';
import { ACTION_PERMISSIONS } from '../../../shared/permissions/visibility';

export type StudyRef = { readonly uid: string } | { readonly hubId: string };

export const useShareDialog = create<{ readonly studies: readonly StudyRef[] | null; open: (studies: readonly StudyRef[]) => void; close: () => void }>()((set) => ({
  studies: null,
  open: (studies) => set({ studies }),
  close: () => set({ studies: null }),
}));

/** The share options, in the order the dialog shows them, each with the study action it is. */
export const SHARE_OPTIONS = [
  { id: 'location', label: 'Locations', action: 'share.locations' },
  { id: 'group', label: 'Groups', action: 'share.groups' },
  { id: 'user', label: 'Physicians', action: 'share.users' },
  { id: 'code', label: 'Share Code', action: 'share.code' },
  { id: 'email', label: 'Email', action: 'share.email' },
] as const;
export type ShareOption = (typeof SHARE_OPTIONS)[number]['id'];

/** The options a role permits: those whose action's permissions (the hub's own rule) it holds. */
export function permittedShareOptions(permissions: readonly string[]): (typeof SHARE_OPTIONS)[number][] {
  return SHARE_OPTIONS.filter((option) => ACTION_PERMISSIONS[option.action].every((key) => permissions.includes(key)));
}
