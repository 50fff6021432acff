/**
 * The hub as a Fastify plugin-shaped factory: storage is handed in, routes are registered by
 * resource, one error handler turns HttpErrors into `{ error: { code, message } }` and hides the
 * details of anything else. `server.ts` only listens.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { HubDatabase } from './db/schema';
import { addAuthHook } from './auth/auth-hook';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './auth/sessions';
import { pruneSignInFailures } from './auth/sign-in-guard';
import { addHostCheck } from './http/host-check';
import { addSecurityHeaders } from './http/security-headers';
import { addThrottles, pruneRateLimits, type ThrottleGroup, type ThrottleLimit } from './http/throttle';
import { escapeHtml, sendPage } from './pages/html-page';
import type { BlobStore } from './blobs/blob-store';
import { folderBlobStore } from './blobs/folder-blob-store';
import { useZodSchemas, validationError } from './http/validation';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './db/open-hub-db';
import { faultCause, serverFault } from './http/server-faults';
import { HttpError } from './http-error';
import { createMailFlusher } from './mail/mail-queue';
import { createMailer, type MailConfig } from './mail/mailer';
import { auditRoutes } from './routes/audit';
import { registrationRoutes } from './routes/registration';
import { studyRoutes } from './routes/studies';
import { accountRoutes } from './routes/accounts';
import { changeRoutes } from './routes/changes';
import { notificationRoutes } from './routes/notifications';
import { eventRoutes } from './routes/events';
import { fileRoutes } from './routes/files';
import { studyDownloadRoutes } from './routes/study-download';
import { viewerRoutes } from './routes/viewer';
import { resumableUploadRoutes } from './routes/resumable-uploads';
import { sweepUploads, SWEEP_INTERVAL_MS } from './files/upload-sweeper';
import { guestLinkRoutes } from './routes/guest-links';
import { healthRoutes } from './routes/health';
import { HUB_VERSION, hubInfoRoutes } from './routes/hub-info';
import { hubPageRoutes } from './routes/hub-page';
import { DEFAULT_GUEST_PAGE_DIR, guestPageRoutes } from './routes/guest-page';
import { operationRoutes } from './routes/operations';
import { passwordResetRoutes } from './routes/password-reset';
import { worklistRoutes } from './routes/worklists';
import { organisationRoutes } from './routes/organisation';
import { collectionRoutes } from './routes/collections';
import { accessRequestRoutes } from './routes/access-requests';
import { commentRoutes } from './routes/comments';
import { COMMENT_MAX_CHARS } from '../shared/comments/comment-schemas';
import { connectionRoutes } from './routes/connections';
import { siteRoutes } from './routes/sites';
import { physicianRoutes } from './routes/physicians';

export interface HubOptions {
  readonly db: Kysely<HubDatabase>;
  /** The hub's local blob folder: its files when no `blobs` store is given, and beside it the mail drop. */
  readonly blobDir: string;
  /** Where uploaded DICOM files are kept (server/blobs/): default, the folder `blobDir`. */
  readonly blobs?: BlobStore;
  /** The guest page's static files (resources/guest-page; a packaged app passes its own path). */
  readonly guestPageDir?: string;
  /** The clock (tests move it). */
  readonly now?: () => Date;
  /** Request logging (off by default); a stream for tests that read what was logged. */
  readonly logger?: boolean | { readonly stream: NodeJS.WritableStream };
  /** Outgoing mail: SMTP when `smtpUrl` is set, else .eml files in `dropDir` (default: beside the blobs, `mail-drop`). */
  readonly mail?: Partial<MailConfig>;
  /**
   * The address people outside reach the hub at: every link the hub sends or hands out (guest
   * links, invitations, password resets, notices) starts with it. Without one the hub refuses to
   * make such links, rather than guess from a request's Host header (which a caller controls).
   */
  readonly publicUrl?: string | null;
  /** The hub's name, shown on its page and to a desktop checking the address. */
  readonly name?: string;
  /** Whether the hub's page and `GET /api/hub` list its sites' names (off: an operator's choice). */
  readonly listSites?: boolean;
  /**
   * The one-time code that first-run setup needs (printed on a server hub's console; the
   * desktop's embedded hub makes its own): without it, whoever reaches a fresh hub first would
   * become its admin.
   */
  readonly setupToken?: string;
  /**
   * Reverse proxies (addresses or CIDRs) whose X-Forwarded-For/-Proto/-Host are believed; none by
   * default, since anyone else could claim any address or protocol with those headers.
   */
  readonly trustProxy?: ReadonlyArray<string>;
  /** PEM certificate and key: the hub serves HTTPS itself. */
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Session lifetime and idle timeout (hub settings; default 30 days and 12 hours). */
  readonly sessions?: Partial<SessionPolicy>;
  /**
   * The address the hub listens on, and further host names it answers to: with the public
   * URL's host, loopback names and IP literals, the Host headers it accepts (DNS rebinding).
   */
  readonly listenHost?: string;
  readonly allowedHosts?: ReadonlyArray<string>;
  /** Per-address throttles other than the defaults (server/http/throttle.ts); tests make them small. */
  readonly throttles?: Partial<Record<ThrottleGroup, ThrottleLimit>>;
}

/** Guest link, invitation and password reset tokens travel in paths (/g/<token>/…, /register/<token>, /reset-password/<token>): logs get the path without them, and without any query. */
export function redactPath(url: string): string {
  // The query goes whole: search terms are patient names, and a query may carry a token.
  return url.replace(/[?#].*$/s, '').replace(/^\/g\/[^/?#]+/, '/g/[token]').replace(/^\/register\/[^/?#]+/, '/register/[token]').replace(/^\/reset-password\/[^/?#]+/, '/reset-password/[token]').replace(/^\/verify-email\/[^/?#]+/, '/verify-email/[token]');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's id: a caller's (a proxy's or load balancer's) x-request-id when it is plainly an
 * id, so one request can be followed across their logs and ours; otherwise a fresh UUID. Anything
 * longer or stranger is replaced rather than logged, since a header is caller-controlled text.
 */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

export interface HubContext {
  readonly db: Kysely<HubDatabase>;
  readonly now: () => Date;
  /** Sends queued mail (after a commit); never throws. */
  readonly flushMail: () => Promise<number>;
  /** The configured public address (no trailing slash), or null. */
  readonly publicUrl: string | null;
  readonly name: string;
  readonly listSites: boolean;
  readonly setupToken: string | null;
  readonly sessionPolicy: SessionPolicy;
}

/** The public address, or a refusal that names the missing setting: links must work where they are sent. */
export function requirePublicUrl(context: Pick<HubContext, 'publicUrl'>): string {
  if (context.publicUrl === null) {
    throw new HttpError(409, 'public-url-missing', 'This hub has no public address, so it cannot make links that work elsewhere. Its operator must set HUB_PUBLIC_URL (or --public-url).');
  }
  return context.publicUrl;
}

export function buildHub(options: HubOptions): FastifyInstance {
  const logger =
    options.logger === undefined || options.logger === false
      ? false
      : {
          ...(options.logger === true ? {} : { stream: options.logger.stream }),
          // Only method and redacted path: no headers (sessions, cookies), no query, no address.
          serializers: {
            req: (request: { method: string; url: string }) => ({ method: request.method, url: redactPath(request.url) }),
            // An error's message can quote data (a file name, a value from a request): log its kind only.
            // (Fastify's type wants message and stack in the result; leaving them out is the point.)
            err: ((error: Error & { code?: unknown }) => ({ type: error.name, code: error.code })) as unknown as (error: Error) => { type: string; message: string; stack: string },
          },
        };
  const fastifyOptions = {
    logger,
    bodyLimit: 1024 * 1024,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => requestIdFor(request.headers['x-request-id']),
    trustProxy: options.trustProxy === undefined || options.trustProxy.length === 0 ? false : [...options.trustProxy],
    // On close: stop listening, close idle keep-alive connections, answer 503 to anything new
    // on a still-open connection, and let requests in flight finish (server.ts bounds the wait).
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
  };
  // Fastify's types follow the server kind; the routes use nothing specific to HTTPS, so the
  // HTTPS instance is handled as the plain one.
  const app = (options.https === undefined ? Fastify(fastifyOptions) : Fastify({ ...fastifyOptions, https: { ...options.https } })) as unknown as FastifyInstance;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const publicUrl = options.publicUrl === undefined || options.publicUrl === null ? null : options.publicUrl.replace(/\/+$/, '');
  // The header policy first, so that every answer carries it (refusals below included); then a
  // request whose Host is not the hub's (DNS rebinding) gets 421 before anything else is done.
  addSecurityHeaders(app);
  app.after(() => addHostCheck(app, { publicUrl, listenHost: options.listenHost ?? null, extraHosts: options.allowedHosts ?? [] }));
  // Once closing has begun, the server refuses new connections, closes idle ones, and Fastify
  // answers 503 to new requests on busy ones; but a keep-alive connection whose request was in
  // flight would stay open after its answer (for keepAliveTimeout, 72 s), holding the close up.
  // So each answer sent from then on is followed by closing the connections left idle.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async () => {
    // After this tick, when Node has marked the connection idle again.
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });
  const now = options.now ?? (() => new Date());
  const blobs = options.blobs ?? folderBlobStore(options.blobDir);
  const mailer = createMailer({ dropDir: path.join(path.dirname(options.blobDir), 'mail-drop'), ...options.mail });
  const flush = createMailFlusher(options.db, mailer, now);
  const context: HubContext = {
    db: options.db,
    now,
    flushMail: () => flush().catch(() => 0),
    publicUrl,
    name: options.name ?? 'Studyshare hub',
    listSites: options.listSites ?? false,
    setupToken: options.setupToken ?? null,
    sessionPolicy: { ...DEFAULT_SESSION_POLICY, ...options.sessions },
  };
  // Mail a server refused is tried again on the next batch of operations, or within a minute.
  const retry = setInterval(() => void context.flushMail(), 60_000);
  retry.unref();
  // Throttle windows that ended and sign-in failures that no longer count: any process may remove them.
  const prune = setInterval(() => {
    void pruneRateLimits(options.db, now()).catch(() => undefined);
    void pruneSignInFailures(options.db, now()).catch(() => undefined);
  }, 10 * 60_000);
  prune.unref();
  // What cut uploads left (partial blobs, abandoned resumable uploads): swept at start and while running.
  const sweep = () =>
    sweepUploads(options.db, blobs, now()).catch((error: unknown) => {
      app.log.warn({ store: blobs.kind, name: (error as Error).name, code: (error as { code?: unknown }).code }, 'unfinished uploads could not be swept');
    });
  app.addHook('onReady', async () => {
    await sweep();
  });
  const sweeping = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  sweeping.unref();
  app.addHook('onClose', async () => {
    clearInterval(retry);
    clearInterval(prune);
    clearInterval(sweeping);
    mailer.close();
  });

  useZodSchemas(app, { version: HUB_VERSION });
  app.setErrorHandler((caught: FastifyError, request, reply) => {
    const error = validationError(caught) ?? caught;
    if (error instanceof HttpError) {
      if (error.options.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.options.retryAfterSeconds));
      // The hub's HTML forms (registration, password reset) get a page, not the API's JSON.
      if (error.status === 429 && !request.url.startsWith('/api/') && !request.url.startsWith('/g/')) {
        return sendPage(reply, 429, 'Studyshare', 'Please wait', `<p role="alert">${escapeHtml(error.message)}</p>`);
      }
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    // A body over the limit (a pasted document in a comment): say what is too large, not just "invalid".
    if (status === 413) {
      return reply.status(413).send({ error: { code: 'too-large', message: `The request is too large for the hub (at most 1 MiB of text). A comment holds at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters.` } });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: 'bad-request', message: 'The request was not valid.' } });
    }
    // The hub's disk is full, or its storage not writable: the hub's own reason, retried later.
    const fault = serverFault(error);
    if (fault !== null) {
      request.log.error({ route: request.routeOptions.url, status: fault.status, code: fault.code, cause: faultCause(error) }, 'storage failed');
      return reply.status(fault.status).header('retry-after', String(fault.retryAfterSeconds)).send({ error: { code: fault.code, message: fault.message } });
    }
    // The database is away (PostgreSQL restarting or unreachable, SQLite busy): say so with a
    // time to retry, so load balancers and the desktop's outbox wait and try again; the pool
    // reconnects by itself once the database is back.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ route: request.routeOptions.url, status: 503, code: 'database-unavailable', cause: faultCause(error) }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
        .send({ error: { code: 'database-unavailable', message: 'The hub cannot reach its database right now. Try again in a moment.' } });
    }
    // The route pattern (never the URL, which may hold a token), the answer's code, and the
    // failure's kinds and codes along its cause chain — not its message (it may hold a path or a value).
    request.log.error({ route: request.routeOptions.url, status: 500, code: 'internal', cause: faultCause(error) }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'The hub could not complete this request.' } });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'not-found', message: 'No such address on this hub.' } }));

  // The hub's pages post plain HTML forms (registration, password reset): one parser for all, small bodies only.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Before any route is declared: the throttles attach themselves to routes as they are added.
  addThrottles(app, options.db, now, options.throttles);
  // After helmet's hooks (app.after), so that a 401 carries the header policy too.
  app.after(() => addAuthHook(app, options.db, now, context.sessionPolicy));
  app.register(healthRoutes({ db: options.db, blobs }));
  app.register(hubPageRoutes(context));
  app.register(hubInfoRoutes(context), { prefix: '/api' });
  app.register(accountRoutes(context), { prefix: '/api' });
  app.register(worklistRoutes(context), { prefix: '/api' });
  app.register(organisationRoutes(context), { prefix: '/api' });
  app.register(collectionRoutes(context), { prefix: '/api' });
  app.register(accessRequestRoutes(context), { prefix: '/api' });
  app.register(commentRoutes(context), { prefix: '/api' });
  app.register(connectionRoutes(context), { prefix: '/api' });
  app.register(siteRoutes(context), { prefix: '/api' });
  app.register(physicianRoutes(context), { prefix: '/api' });
  app.register(operationRoutes(context), { prefix: '/api' });
  app.register(changeRoutes(context), { prefix: '/api' });
  app.register(notificationRoutes(context), { prefix: '/api' });
  app.register(eventRoutes(context), { prefix: '/api' });
  app.register(studyRoutes(context), { prefix: '/api' });
  app.register(auditRoutes(context), { prefix: '/api' });
  app.register(registrationRoutes(context));
  app.register(passwordResetRoutes(context));
  app.register(fileRoutes({ ...context, blobs }), { prefix: '/api' });
  app.register(viewerRoutes({ ...context, blobs }), { prefix: '/api' });
  app.register(studyDownloadRoutes({ ...context, blobs }), { prefix: '/api' });
  app.register(resumableUploadRoutes({ ...context, blobs }), { prefix: '/api' });
  app.register(guestLinkRoutes({ ...context, blobs }));
  app.register(guestPageRoutes(options.guestPageDir ?? DEFAULT_GUEST_PAGE_DIR));
  return app;
}
