/**
 * The desktop's side of notifications (issue 16): the inbox and preferences as hub calls for the
 * renderer, the bell's count pushed as `notifications:changed`, and the operating system's
 * notification for the urgent kinds (a share to me, a mention) where the person allowed it.
 *
 * The OS notification is shown through `OsNotifier`, an interface the Electron shell implements
 * (electron/main/index.ts): this module never touches `electron`, so it runs under Node and
 * vitest. Its text is the notification's sentence only — never the patient — since a banner is
 * seen by whoever stands at the screen. Only notifications that arrive while the app runs pop
 * up: the first read after a sign-in sets where "new" begins.
 */
import type { HubRoute, HubRouteRequest, HubRouteResponse } from '../../../shared/hub-api/route';
import {
  markNotificationsReadRoute,
  notificationPreferencesRoute,
  notificationsRoute,
  setNotificationPreferencesRoute,
  type NotificationPage,
  type NotificationPreference,
  type NotificationView,
} from '../../../shared/hub-api/notifications';
import type { CallParsedInput } from '../../../shared/contract';
import { URGENT_NOTIFICATION_KINDS } from '../../../shared/notifications/notification-kinds';

export interface OsNotifier {
  show(notification: { readonly title: string; readonly body: string; readonly onClick?: () => void }): void;
}

export interface NotificationServiceOptions {
  readonly hubRoute: <R extends HubRoute>(route: R, input: HubRouteRequest<R>) => Promise<HubRouteResponse<R>>;
  /** Who is signed in now (their hub id), or null. */
  readonly userId: () => string | null;
  readonly emit: (payload: { readonly unread: number; readonly live: boolean }) => void;
  readonly notifier?: OsNotifier | null;
  /** The person clicked an OS notification: show the app (and its inbox). */
  readonly onOpen?: (notification: NotificationView) => void;
}

export class NotificationService {
  private unread = 0;
  private live = false;
  /** Per signed-in person: the newest id already known (nothing at or below it pops up). */
  private knownUpTo: { userId: string; id: number } | null = null;
  private preferences: { userId: string; osAllowed: ReadonlySet<string> } | null = null;
  private reading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: NotificationServiceOptions) {}

  async list(input: CallParsedInput<'notifications:list'>): Promise<NotificationPage> {
    const page = await this.options.hubRoute(notificationsRoute, { query: { ...(input.before === undefined ? {} : { before: input.before }), limit: input.limit, unreadOnly: input.unreadOnly ? '1' : '0' } });
    this.setUnread(page.unread);
    return page;
  }

  async markRead(input: CallParsedInput<'notifications:mark-read'>): Promise<{ readonly unread: number }> {
    const answer = await this.options.hubRoute(markNotificationsReadRoute, { body: input });
    this.setUnread(answer.unread);
    return answer;
  }

  async preferencesList(): Promise<{ readonly preferences: readonly NotificationPreference[] }> {
    const answer = await this.options.hubRoute(notificationPreferencesRoute, {});
    this.rememberPreferences(answer.preferences);
    return answer;
  }

  async setPreferences(input: CallParsedInput<'notifications:set-preferences'>): Promise<{ readonly preferences: readonly NotificationPreference[] }> {
    const answer = await this.options.hubRoute(setNotificationPreferencesRoute, { body: input });
    this.rememberPreferences(answer.preferences);
    return answer;
  }

  /** The live stream connected or dropped (the bell says whether it is live). */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.options.emit({ unread: this.unread, live });
  }

  /**
   * Something may have changed (a live signal, a pull): read the unread ones, update the bell,
   * pop up the urgent new ones. One read at a time; a signal during a read asks for one more.
   */
  refresh(): Promise<void> {
    if (this.reading !== null) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce().catch(() => undefined);
      } while (this.again);
    })().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const userId = this.options.userId();
    if (userId === null) {
      this.knownUpTo = null;
      this.setUnread(0);
      return;
    }
    const page = await this.options.hubRoute(notificationsRoute, { query: { limit: 20, unreadOnly: '1' } });
    // Someone else signed in meanwhile: their notifications are not this read's.
    if (this.options.userId() !== userId) return;
    this.setUnread(page.unread);
    const newest = page.notifications.reduce((max, n) => Math.max(max, n.id), 0);
    if (this.knownUpTo === null || this.knownUpTo.userId !== userId) {
      this.knownUpTo = { userId, id: newest };
      return;
    }
    const fresh = page.notifications.filter((n) => n.id > this.knownUpTo!.id);
    this.knownUpTo = { userId, id: Math.max(this.knownUpTo.id, newest) };
    const notifier = this.options.notifier;
    if (notifier == null || fresh.length === 0) return;
    const allowed = await this.osAllowed(userId);
    for (const notification of fresh.reverse()) {
      if (!URGENT_NOTIFICATION_KINDS.has(notification.kind) || !allowed.has(notification.kind)) continue;
      notifier.show({ title: 'Studyshare', body: notification.sentence, onClick: () => this.options.onOpen?.(notification) });
    }
  }

  private async osAllowed(userId: string): Promise<ReadonlySet<string>> {
    if (this.preferences?.userId !== userId) this.rememberPreferences((await this.options.hubRoute(notificationPreferencesRoute, {})).preferences);
    return this.preferences?.osAllowed ?? new Set();
  }

  private rememberPreferences(preferences: readonly NotificationPreference[]): void {
    const userId = this.options.userId();
    if (userId === null) return;
    this.preferences = { userId, osAllowed: new Set(preferences.filter((p) => p.osNotification && p.delivery !== 'off').map((p) => p.kind)) };
  }

  private setUnread(unread: number): void {
    if (unread === this.unread) return;
    this.unread = unread;
    this.options.emit({ unread, live: this.live });
  }
}
