/**
 * The live signal's source in one hub process (issue 16, part 4): "something changed for you",
 * with the change feed's and the person's notifications' cursors, for every connected desktop.
 *
 * Several hub processes may share one database, so a process cannot rely on hearing about
 * writes made in another. Each process therefore polls the database itself, every `pollMs`
 * while anyone is connected to it: the head of `changes`, and the `notifications` rows after the
 * last it saw. Polling was chosen over PostgreSQL's LISTEN/NOTIFY because it is the same code on
 * SQLite and PostgreSQL, needs no dedicated connection per process, and cannot miss a signal:
 * both tables are written under the change-feed lock (server/db/change-feed.ts, notify.ts), so
 * their seqs become visible in order and "after the last seq seen" never skips a row. Its cost
 * is two indexed reads per tick per process, and a delay of up to one tick.
 *
 * "For you": a new notification is for its recipient only; new change rows are tested per
 * connected person with the change feed's own condition (a study they may see now or could see
 * before), so a share to one person wakes that person's desktops and nobody else's.
 */
import type { Kysely } from 'kysely';
import type { LiveSignal } from '../../shared/hub-api/notifications';
import type { ViewerFacts } from '../../shared/permissions/visibility';
import { viewerFacts } from '../access/access-facts';
import { studyVisibleSql } from '../access/visibility-sql';
import type { Actor } from '../auth/sessions';
import type { HubDatabase } from '../db/schema';
import { latestNotificationSeq } from './inbox';

/** How long a person's viewer facts (groups, locations, policy) are reused between ticks. */
const FACTS_TTL_MS = 30_000;

export interface LiveConnection {
  send(signal: LiveSignal): void;
}

interface Person {
  actor: Actor;
  facts: ViewerFacts | null;
  factsAt: number;
  notificationHead: number;
  readonly connections: Set<LiveConnection>;
}

export interface LiveSignalsOptions {
  readonly pollMs?: number;
  /** Reports a failed tick (the database away): the next tick tries again. */
  readonly onError?: (error: unknown) => void;
}

/** The change feed's newest seq. */
export async function changeHead(db: Kysely<HubDatabase>): Promise<number> {
  const row = await db.selectFrom('changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The newest notification's seq, anyone's. */
export async function notificationHead(db: Kysely<HubDatabase>): Promise<number> {
  const row = await db.selectFrom('notifications').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The newest change after `after` (up to `upTo`) that the viewer may see now or could see before; 0 if none. */
export async function changeFor(db: Kysely<HubDatabase>, viewer: ViewerFacts, after: number, upTo?: number): Promise<number> {
  let query = db
    .selectFrom('changes')
    .innerJoin('studies', 'studies.id', 'changes.study_id')
    .select((eb) => eb.fn.max('changes.seq').as('seq'))
    .where('changes.seq', '>', after)
    .where(studyVisibleSql(viewer, 'studies', { asIfNothingWithdrawn: true }));
  if (upTo !== undefined) query = query.where('changes.seq', '<=', upTo);
  const row = await query.executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export class LiveSignals {
  private readonly people = new Map<string, Person>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private lastChange: number | null = null;
  private lastNotification: number | null = null;
  private readonly pollMs: number;

  constructor(
    private readonly db: Kysely<HubDatabase>,
    private readonly options: LiveSignalsOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 250;
  }

  get connectionCount(): number {
    let n = 0;
    for (const person of this.people.values()) n += person.connections.size;
    return n;
  }

  /** The viewer facts of a connected person (cached for FACTS_TTL_MS). */
  async factsOf(actor: Actor): Promise<ViewerFacts> {
    const person = this.people.get(actor.userId);
    if (person?.facts != null && Date.now() - person.factsAt < FACTS_TTL_MS) return person.facts;
    const facts = await viewerFacts(this.db, actor);
    if (person !== undefined) {
      person.facts = facts;
      person.factsAt = Date.now();
    }
    return facts;
  }

  /**
   * Adds a connection and starts polling; answers the cursors as they are now. Registered before
   * the heads are read, so whatever commits after this call is signalled by a tick, and the
   * caller's catch-up from Last-Event-ID covers what came before.
   */
  async connect(actor: Actor, connection: LiveConnection): Promise<{ readonly signal: LiveSignal; readonly disconnect: () => void }> {
    let person = this.people.get(actor.userId);
    if (person === undefined) {
      person = { actor, facts: null, factsAt: 0, notificationHead: 0, connections: new Set() };
      this.people.set(actor.userId, person);
    }
    person.actor = actor;
    person.connections.add(connection);
    this.start();
    const [changes, notifications, allNotifications] = await Promise.all([changeHead(this.db), latestNotificationSeq(this.db, actor.userId), notificationHead(this.db)]);
    person.notificationHead = Math.max(person.notificationHead, notifications);
    // Ticks signal what is after their baseline: from at most these heads, nothing after them is missed.
    this.lastChange = this.lastChange === null ? changes : Math.min(this.lastChange, changes);
    this.lastNotification = this.lastNotification === null ? allNotifications : Math.min(this.lastNotification, allNotifications);
    const disconnect = () => {
      const current = this.people.get(actor.userId);
      if (current === undefined) return;
      current.connections.delete(connection);
      if (current.connections.size === 0) this.people.delete(actor.userId);
      if (this.people.size === 0) this.stop();
    };
    return { signal: { changes, notifications: person.notificationHead }, disconnect };
  }

  private start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      // One tick at a time: a slow database makes ticks wait, never pile up.
      this.ticking ??= this.tick()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.ticking = null;
        });
    }, this.pollMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    // The next connection starts from the heads as they are then.
    this.lastChange = null;
    this.lastNotification = null;
  }

  /** One poll: who has something new, and their signal. Exposed for tests that step it. */
  async tick(): Promise<void> {
    if (this.lastChange === null || this.lastNotification === null) return;
    const afterNotification = this.lastNotification;
    const head = await changeHead(this.db);
    const fresh = await this.db.selectFrom('notifications').select(['seq', 'user_id']).where('seq', '>', afterNotification).orderBy('seq').execute();
    const newestNotification = fresh.reduce((max, row) => Math.max(max, Number(row.seq)), afterNotification);
    const woken = new Set<string>();
    for (const row of fresh) {
      const person = this.people.get(row.user_id);
      if (person === undefined) continue;
      person.notificationHead = Math.max(person.notificationHead, Number(row.seq));
      woken.add(row.user_id);
    }
    const previous = this.lastChange ?? head;
    this.lastChange = head;
    this.lastNotification = newestNotification;
    const send = (userId: string) => {
      const person = this.people.get(userId);
      if (person === undefined) return;
      const signal = { changes: head, notifications: person.notificationHead };
      for (const connection of person.connections) connection.send(signal);
    };
    // Those with a new notification are told at once (a share or a mention names its recipient);
    // everyone else is told as soon as their own check of the new changes finds one for them.
    for (const userId of woken) send(userId);
    if (head > previous) {
      try {
        await Promise.all(
          [...this.people.entries()].map(async ([userId, person]) => {
            if (woken.has(userId)) return;
            if ((await changeFor(this.db, await this.factsOf(person.actor), previous, head)) > 0) send(userId);
          }),
        );
      } catch (error) {
        // Checked again next tick (someone may be told twice; nobody is skipped).
        this.lastChange = Math.min(this.lastChange ?? previous, previous);
        throw error;
      }
    }
  }

  /** Ends polling (the hub is closing); connections are ended by their routes. */
  close(): void {
    this.stop();
  }
}
