/**
 * The bell in the top bar (issue 16): the unread count, and a panel listing notifications newest
 * first. Each opens what it is about — the study in the viewer (at its anchor: the image, frame
 * and window a comment was written at), a collection, or the access requests — and is marked
 * read. Escape closes the panel; the preferences (per kind: in the app, email now, daily digest,
 * off; the OS notification for urgent kinds) sit behind a button in it.
 */
import { useEffect, useRef } from 'react';
import type { NotificationView } from '../../../shared/hub-api/notifications';
import { NOTIFICATION_DELIVERIES, URGENT_NOTIFICATION_KINDS, type NotificationDelivery } from '../../../shared/notifications/notification-kinds';
import { NOTIFICATION_KIND_LABELS } from '../../../shared/notifications/notification-text';
import { api } from '../../lib/api';
import { useAccessRequests } from '../access-requests/access-requests-store';
import { collectionSource, collectionViewId } from '../collections/hub-sources';
import { useHub } from '../hub/hub-store';
import { useHubStudies } from '../hub-worklists/hub-worklist-store';
import { useView } from '../sidebar/view-store';
import { useViewer } from '../viewer/viewer-store';
import { useNotifications } from './notifications-store';
import './notifications.css';

const DELIVERY_LABELS: Readonly<Record<NotificationDelivery, string>> = { app: 'In the app', email: 'Email now', digest: 'Daily digest', off: 'Off' };

function when(iso: string): string {
  const at = new Date(iso);
  const today = new Date();
  return at.toDateString() === today.toDateString() ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : at.toLocaleDateString();
}

/** Opens what a notification is about. */
function openTarget(item: NotificationView, userEmail: string | null): void {
  if (item.studyId !== null) {
    void useViewer.getState().open({ hubId: item.studyId }, item.anchor ?? undefined);
    return;
  }
  if (item.collectionId !== null && userEmail !== null) {
    useView.getState().showHubWorklist({ id: collectionViewId(item.collectionId), name: item.collectionName ?? 'Collection' });
    useHubStudies.getState().setSource(collectionSource(item.collectionId, userEmail));
    return;
  }
  if (item.kind === 'access-request.decided' || item.kind === 'access-request.created') {
    useAccessRequests.getState().show(true);
    void useAccessRequests.getState().load();
    return;
  }
  if (item.kind === 'connection.requested' || item.kind === 'connection.decided') useView.getState().show('admin');
}

export function NotificationBell() {
  const unread = useNotifications((s) => s.unread);
  const open = useNotifications((s) => s.open);
  const signedIn = useHub((s) => s.status?.user != null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => api.on('notifications:changed', (payload) => useNotifications.getState().changed(payload)), []);
  if (!signedIn) return null;
  const label = unread === 0 ? 'Notifications, none unread' : `Notifications, ${unread} unread`;
  return (
    <div className="bell-wrap">
      <button ref={buttonRef} type="button" className="quiet bell-button" aria-label={label} title={label} aria-expanded={open} aria-haspopup="dialog" onClick={() => useNotifications.getState().show(!open)}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z" />
          <path d="M10 20.5a2 2 0 0 0 4 0" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && <NotificationPanel onClose={() => buttonRef.current?.focus()} />}
    </div>
  );
}

function NotificationPanel({ onClose }: { readonly onClose: () => void }) {
  const { items, next, loading, error, live, preferencesOpen } = useNotifications();
  const userEmail = useHub((s) => s.status?.user?.email ?? null);
  const panelRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    panelRef.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      useNotifications.getState().show(false);
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  const store = useNotifications.getState();
  return (
    <div ref={panelRef} className="bell-panel" role="dialog" aria-label="Notifications">
      <div className="bell-head">
        <h2>Notifications</h2>
        <span className="bell-live" title={live ? 'Changes arrive as they happen' : 'Checking every few seconds (no live connection)'}>
          {live ? 'live' : 'periodic'}
        </span>
        <button type="button" className="quiet" onClick={() => void store.markAllRead()} disabled={!items.some((item) => !item.read)}>
          Mark all read
        </button>
        <button type="button" className="quiet" aria-pressed={preferencesOpen} onClick={() => void store.showPreferences(!preferencesOpen)}>
          Preferences
        </button>
      </div>
      {error !== null && (
        <p role="alert" className="bell-error">
          {error}
        </p>
      )}
      {preferencesOpen ? (
        <NotificationPreferences />
      ) : (
        <>
          <ul className="bell-list" aria-label="Notifications, newest first" aria-busy={loading}>
            {items.length === 0 && !loading && <li className="bell-empty">Nothing yet. Shares, mentions and requests for you show here.</li>}
            {items.map((item) => (
              <li key={item.id} className={item.read ? 'read' : 'unread'}>
                <button
                  type="button"
                  className="bell-item"
                  onClick={() => {
                    if (!item.read) void store.markRead(item.id);
                    store.show(false);
                    openTarget(item, userEmail);
                  }}
                >
                  <span className="bell-sentence">
                    {!item.read && <span className="bell-dot" aria-label="unread" />}
                    {item.sentence}
                  </span>
                  {(item.studyLabel ?? item.collectionName) !== null && <span className="bell-about">{item.studyLabel ?? item.collectionName}</span>}
                  <time dateTime={item.createdAt}>{when(item.createdAt)}</time>
                </button>
                {!item.read && (
                  <button type="button" className="quiet bell-mark" aria-label={`Mark read: ${item.sentence}`} title="Mark read" onClick={() => void store.markRead(item.id)}>
                    ✓
                  </button>
                )}
              </li>
            ))}
          </ul>
          {next !== null && (
            <button type="button" className="quiet bell-more" onClick={() => void store.more()}>
              Older…
            </button>
          )}
        </>
      )}
    </div>
  );
}

function NotificationPreferences() {
  const preferences = useNotifications((s) => s.preferences);
  const notice = useNotifications((s) => s.notice);
  if (preferences === null) return <p className="bell-empty">Reading your preferences…</p>;
  return (
    <div className="bell-prefs">
      <table>
        <caption>How each event reaches you</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Delivery</th>
            <th scope="col">Desktop alert</th>
          </tr>
        </thead>
        <tbody>
          {preferences.map((preference) => (
            <tr key={preference.kind}>
              <th scope="row">{NOTIFICATION_KIND_LABELS[preference.kind]}</th>
              <td>
                <select
                  aria-label={`Delivery: ${NOTIFICATION_KIND_LABELS[preference.kind]}`}
                  value={preference.delivery}
                  onChange={(event) => void useNotifications.getState().setPreference(preference.kind, { delivery: event.target.value as NotificationDelivery })}
                >
                  {NOTIFICATION_DELIVERIES.map((delivery) => (
                    <option key={delivery} value={delivery}>
                      {DELIVERY_LABELS[delivery]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {URGENT_NOTIFICATION_KINDS.has(preference.kind) ? (
                  <input
                    type="checkbox"
                    aria-label={`Desktop alert: ${NOTIFICATION_KIND_LABELS[preference.kind]}`}
                    checked={preference.osNotification}
                    disabled={preference.delivery === 'off'}
                    onChange={(event) => void useNotifications.getState().setPreference(preference.kind, { osNotification: event.target.checked })}
                  />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="bell-note" role="status">
        {notice ?? 'Daily digests go out once a day; “Off” keeps the event out of your inbox too.'}
      </p>
    </div>
  );
}
