/**
 * `GET /api/events`: the live signal as Server-Sent Events (issue 16, part 4). A signed-in
 * desktop keeps it open; each event says "something changed for you" with the change feed's and
 * the caller's notifications' cursors as its id (`<changes>-<notifications>`), and the desktop
 * pulls. Resumable: a reconnect with Last-Event-ID gets one `changed` event at once if anything
 * for the caller came in since, else `ready`; a first connect always gets `changed` (pull once).
 * The session is checked when the stream opens (401 without one, or with an ended one, by the
 * auth hook) and again at each heartbeat: a session that ends closes the stream with
 * `session-ended`. Where the signals come from: server/notifications/live-signal.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { EVENTS_PATH, type LiveSignal } from '../../shared/hub-api/notifications';
import type { HubContext } from '../app';
import { actorFor } from '../auth/sessions';
import { changeFor, LiveSignals } from '../notifications/live-signal';
import { latestNotificationSeq } from '../notifications/inbox';

const HEARTBEAT_MS = 20_000;

export function parseLastEventId(header: string | string[] | undefined): LiveSignal | null {
  const match = typeof header === 'string' ? /^(\d{1,15})-(\d{1,15})$/.exec(header.trim()) : null;
  return match === null ? null : { changes: Number(match[1]), notifications: Number(match[2]) };
}

export const eventRoutes =
  (context: HubContext, options: { readonly pollMs?: number; readonly heartbeatMs?: number } = {}): FastifyPluginAsync =>
  async (app) => {
    const { db, now, sessionPolicy } = context;
    const signals = new LiveSignals(db, { ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }), onError: (error) => app.log.warn({ name: (error as Error).name }, 'live signal poll failed') });
    const open = new Set<() => void>();
    // Streams never end by themselves: closing the hub ends them (the desktop reconnects elsewhere).
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
      signals.close();
    });
    app.get(EVENTS_PATH.slice(app.prefix.length), async (request, reply) => {
      const actor = request.actor;
      const since = parseLastEventId(request.headers['last-event-id']);
      // The security headers set by the hooks so far, kept on the hijacked answer.
      const headers = { ...reply.getHeaders(), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' };
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, headers as Record<string, string>);
      const write = (text: string) => {
        if (!raw.destroyed) raw.write(text);
      };
      const event = (name: string, signal: LiveSignal) => write(`event: ${name}\nid: ${signal.changes}-${signal.notifications}\ndata: ${JSON.stringify(signal)}\n\n`);
      let ended = false;
      let disconnect = () => undefined as void;
      const heartbeat = setInterval(() => {
        // A session that ended (signed out elsewhere, expired, idle) ends the stream.
        actorFor(db, request.headers.authorization, now(), sessionPolicy).then(
          () => write(': keep-alive\n\n'),
          () => {
            write('event: session-ended\ndata: {}\n\n');
            end();
          },
        );
      }, options.heartbeatMs ?? HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        disconnect();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      raw.on('close', end);
      // Reconnect after 1–2 s if the stream drops (the desktop uses its own backoff, browsers this).
      write(`retry: ${1000 + Math.floor(Math.random() * 1000)}\n\n`);
      const connected = await signals.connect(actor, { send: (signal) => event('changed', signal) });
      disconnect = connected.disconnect;
      if (ended) {
        disconnect();
        return;
      }
      let changed = since === null;
      if (since !== null) {
        const facts = await signals.factsOf(actor);
        const [change, notification] = await Promise.all([changeFor(db, facts, since.changes, connected.signal.changes), latestNotificationSeq(db, actor.userId)]);
        changed = change > 0 || notification > since.notifications;
      }
      event(changed ? 'changed' : 'ready', connected.signal);
    });
  };
