/**
 * The bell and its inbox (issue 16): the unread count main pushes (`notifications:changed`, from
 * the hub's live signal or a pull), the list read page by page, marking read, and the person's
 * preferences per kind. Through main to the hub; every refusal is shown in words.
 */
import { create } from 'zustand';
import type { NotificationPreference, NotificationView } from '../../../shared/hub-api/notifications';
import type { NotificationDelivery, NotificationKind } from '../../../shared/notifications/notification-kinds';
import { api } from '../../lib/api';

interface NotificationsState {
  readonly unread: number;
  readonly live: boolean;
  readonly open: boolean;
  readonly items: readonly NotificationView[];
  readonly next: number | null;
  readonly loading: boolean;
  readonly error: string | null;
  readonly preferences: readonly NotificationPreference[] | null;
  readonly preferencesOpen: boolean;
  readonly notice: string | null;
  /** Main said the count changed (or the live state): read again if the panel is open. */
  changed: (payload: { readonly unread: number; readonly live: boolean }) => void;
  show: (open: boolean) => void;
  load: () => Promise<void>;
  more: () => Promise<void>;
  markRead: (id: number) => Promise<void>;
  markAllRead: () => Promise<void>;
  showPreferences: (open: boolean) => Promise<void>;
  setPreference: (kind: NotificationKind, change: { delivery?: NotificationDelivery; osNotification?: boolean }) => Promise<void>;
}

export const useNotifications = create<NotificationsState>()((set, get) => ({
  unread: 0,
  live: false,
  open: false,
  items: [],
  next: null,
  loading: false,
  error: null,
  preferences: null,
  preferencesOpen: false,
  notice: null,
  changed: ({ unread, live }) => {
    const reread = get().open && unread !== get().unread;
    set({ unread, live });
    if (reread) void get().load();
  },
  show: (open) => {
    set({ open, error: null, notice: null, preferencesOpen: false });
    if (open) void get().load();
  },
  load: async () => {
    set({ loading: true });
    const result = await api.call('notifications:list', { limit: 30 });
    set(result.ok ? { items: result.value.notifications, next: result.value.next, unread: result.value.unread, loading: false, error: null } : { loading: false, error: result.error.message });
  },
  more: async () => {
    const before = get().next;
    if (before === null) return;
    const result = await api.call('notifications:list', { limit: 30, before });
    set(result.ok ? { items: [...get().items, ...result.value.notifications], next: result.value.next, unread: result.value.unread } : { error: result.error.message });
  },
  markRead: async (id) => {
    const result = await api.call('notifications:mark-read', { ids: [id] });
    if (!result.ok) return set({ error: result.error.message });
    set({ unread: result.value.unread, items: get().items.map((item) => (item.id === id ? { ...item, read: true } : item)) });
  },
  markAllRead: async () => {
    const result = await api.call('notifications:mark-read', { all: true });
    if (!result.ok) return set({ error: result.error.message });
    set({ unread: result.value.unread, items: get().items.map((item) => ({ ...item, read: true })) });
  },
  showPreferences: async (open) => {
    set({ preferencesOpen: open, notice: null });
    if (!open) return;
    const result = await api.call('notifications:preferences', {});
    set(result.ok ? { preferences: result.value.preferences, error: null } : { error: result.error.message });
  },
  setPreference: async (kind, change) => {
    const current = get().preferences?.find((p) => p.kind === kind);
    if (current === undefined) return;
    const result = await api.call('notifications:set-preferences', { preferences: [{ kind, delivery: change.delivery ?? current.delivery, osNotification: change.osNotification ?? current.osNotification }] });
    set(result.ok ? { preferences: result.value.preferences, error: null, notice: 'Saved.' } : { error: result.error.message, notice: null });
  },
}));
