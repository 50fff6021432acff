/**
 * The bell's store over a fake main: the count main pushes, the list read when the panel opens
 * (and again when the count changes while it is open), marking one and all read, and a refused
 * preference kept with main's reason and nothing changed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { NotificationPreference, NotificationView } from '../../../shared/hub-api/notifications';
import { installFakeMain, ok, refused } from '../../test-support/fake-main';
import { useNotifications } from './notifications-store';

const { handlers, calls, reset } = installFakeMain();

const item = (id: number, read = false): NotificationView => ({
  id,
  kind: 'share.received',
  sentence: 'Ann shared a study with you.',
  actorName: 'Ann',
  studyId: '00000000-0000-4000-8000-000000000001',
  studyInstanceUid: '1.2.3',
  studyLabel: 'Doe Jane · CT',
  commentId: null,
  collectionId: null,
  collectionName: null,
  anchor: null,
  createdAt: '2026-11-30T10:00:00.000Z',
  read,
});
const prefs: NotificationPreference[] = [{ kind: 'share.received', delivery: 'app', osNotification: true }];

describe('notifications store', () => {
  beforeEach(() => {
    reset();
    useNotifications.setState({ unread: 0, live: false, open: false, items: [], next: null, error: null, preferences: null, preferencesOpen: false, notice: null });
  });

  it('takes the pushed count, reads the list on opening and again when the count changes while open', async () => {
    useNotifications.getState().changed({ unread: 2, live: true });
    expect(useNotifications.getState()).toMatchObject({ unread: 2, live: true });
    expect(calls).toEqual([]);
    handlers['notifications:list'] = () => ok({ notifications: [item(2), item(1)], unread: 2, next: null });
    useNotifications.getState().show(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useNotifications.getState().items.map((n) => n.id)).toEqual([2, 1]);
    handlers['notifications:list'] = () => ok({ notifications: [item(3), item(2), item(1)], unread: 3, next: null });
    useNotifications.getState().changed({ unread: 3, live: true });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useNotifications.getState().items.map((n) => n.id)).toEqual([3, 2, 1]);
  });

  it('marks one read, then all', async () => {
    useNotifications.setState({ items: [item(2), item(1)], unread: 2 });
    handlers['notifications:mark-read'] = (input) => ok({ unread: 'all' in input ? 0 : 1 });
    await useNotifications.getState().markRead(2);
    expect(useNotifications.getState().items.map((n) => n.read)).toEqual([true, false]);
    expect(useNotifications.getState().unread).toBe(1);
    await useNotifications.getState().markAllRead();
    expect(useNotifications.getState()).toMatchObject({ unread: 0 });
    expect(calls.map((c) => c.input)).toEqual([{ ids: [2] }, { all: true }]);
  });

  it('keeps a refused preference change with the reason, the preferences unchanged', async () => {
    handlers['notifications:preferences'] = () => ok({ preferences: prefs });
    await useNotifications.getState().showPreferences(true);
    handlers['notifications:set-preferences'] = () => refused('hub-unreachable', 'The hub cannot be reached.');
    await useNotifications.getState().setPreference('share.received', { delivery: 'email' });
    expect(useNotifications.getState()).toMatchObject({ error: 'The hub cannot be reached.', preferences: prefs, notice: null });
    // The boundary's schema refuses an unknown event before main sees it.
    const bogus = await window.studyshare!.call('notifications:set-preferences', { preferences: [{ kind: 'study.exploded' as never, delivery: 'email' }] });
    expect(bogus).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});
