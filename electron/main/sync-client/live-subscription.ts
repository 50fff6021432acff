/**
 * The desktop's end of the hub's live signal (issue 16, part 4): keeps `GET /api/events` open and,
 * on each "something changed for you", asks for a pull. Node has no EventSource, so the stream is
 * a fetch whose body is read as it comes (shared/notifications/sse-parser.ts).
 *
 * Losing the stream loses nothing: the periodic pull (HubConnection's timer) goes on meanwhile,
 * and a reconnect sends Last-Event-ID, so the hub says at once whether anything came in since.
 * Reconnects back off exponentially with jitter (half to all of the step), so a hub that
 * restarts is not met by every desktop in the same instant. A stream silent for longer than
 * three of the hub's heartbeats is taken as dead (a link that dropped without a reset).
 */
import { EVENTS_PATH, liveSignalSchema, type LiveSignal } from '../../../shared/hub-api/notifications';
import { SseParser } from '../../../shared/notifications/sse-parser';
import { HubSessionError, type HubClient } from './hub-client';

export interface LiveSubscriptionOptions {
  /** The client to connect with, or null while nobody is signed in (then it waits and asks again). */
  readonly client: () => HubClient | null;
  /** Something changed for this person: pull. */
  readonly onSignal: (signal: LiveSignal) => void;
  /** Connected (true) or falling back to the periodic pull (false). */
  readonly onLive?: (live: boolean) => void;
  /** The hub said the session ended. */
  readonly onSessionEnded?: () => void;
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
  /** No bytes (events or heartbeats) for this long: reconnect. */
  readonly silenceMs?: number;
  /** How long to wait before asking `client()` again while nobody is signed in. */
  readonly idleWaitMs?: number;
  readonly random?: () => number;
}

/** The wait before reconnect number `attempt` (0-based): exponential, capped, with jitter. */
export function reconnectDelay(attempt: number, firstMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 20));
  return Math.round(step * (0.5 + random() / 2));
}

export class LiveSubscription {
  private stopped = true;
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  private lastEventId: string | null = null;
  private connected = false;

  constructor(private readonly options: LiveSubscriptionOptions) {}

  get live(): boolean {
    return this.connected;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Drops the current stream and connects again at once (after signing in as someone else). */
  restart(): void {
    this.lastEventId = null;
    this.abort?.abort();
    this.wake?.();
  }

  private setLive(live: boolean): void {
    if (live === this.connected) return;
    this.connected = live;
    this.options.onLive?.(live);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { firstRetryMs = 1000, maxRetryMs = 60_000, idleWaitMs = 2000, random = Math.random } = this.options;
    let attempt = 0;
    while (!this.stopped) {
      const client = this.options.client();
      if (client === null) {
        await this.sleep(idleWaitMs);
        continue;
      }
      try {
        const gotEvents = await this.readOnce(client);
        if (gotEvents) attempt = 0;
      } catch (error) {
        if (error instanceof HubSessionError) this.options.onSessionEnded?.();
        // Anything else (unreachable, refused, cut): fall back and try again later.
      }
      this.setLive(false);
      if (this.stopped) break;
      await this.sleep(reconnectDelay(attempt, firstRetryMs, maxRetryMs, random));
      attempt++;
    }
    this.setLive(false);
  }

  /** One connection, read until it ends; true when it delivered at least one event. */
  private async readOnce(client: HubClient): Promise<boolean> {
    const abort = new AbortController();
    this.abort = abort;
    const silenceMs = this.options.silenceMs ?? 65_000;
    let silence: NodeJS.Timeout | null = null;
    const heard = () => {
      if (silence !== null) clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), silenceMs);
      silence.unref?.();
    };
    let events = 0;
    let sessionEnded = false;
    try {
      const response = await client.openStream(EVENTS_PATH, this.lastEventId === null ? {} : { 'last-event-id': this.lastEventId }, abort.signal);
      heard();
      const parser = new SseParser((event) => {
        events++;
        if (event.id !== null) this.lastEventId = event.id;
        if (event.event === 'session-ended') {
          sessionEnded = true;
          abort.abort();
          return;
        }
        if (event.event !== 'changed' && event.event !== 'ready') return;
        this.setLive(true);
        const signal = liveSignalSchema.safeParse(JSON.parse(event.data) as unknown);
        if (event.event === 'changed' && signal.success) this.options.onSignal(signal.data);
      });
      const decoder = new TextDecoder();
      const body = response.body;
      if (body === null) return false;
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        heard();
        parser.push(decoder.decode(chunk, { stream: true }));
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      if (silence !== null) clearTimeout(silence);
      this.abort = null;
    }
    if (sessionEnded) throw new HubSessionError();
    return events > 0;
  }
}
