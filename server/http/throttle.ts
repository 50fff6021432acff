/**
 * Per-source-address throttles on the hub's doors where a secret is guessed: sign-in, first-run
 * setup, registration, password reset, changing one's password and a guest link's PIN. They run
 * through @fastify/rate-limit with a store in the hub database (`rate_limits`, one row per group
 * and address), so several hub processes on one PostgreSQL database count the same hits; the
 * plugin's store interface (`incr(key, callback, windowMs)` answering the count and the time
 * left) is one upsert. Which routes are throttled, and how hard, is the table below, attached on
 * `onRoute`, so a route's own module (guest links, say) need not know about it.
 *
 * Per account (wrong passwords, back-off, lock) is server/auth/sign-in-guard.ts; a guest link's
 * own lifetime count of wrong PINs is the guest-link module's.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/schema';
import { describeWait } from '../auth/sign-in-guard';
import { HttpError } from '../http-error';

export type ThrottleGroup = 'sign-in' | 'setup' | 'registration' | 'password-reset' | 'password-change' | 'guest-open';

export interface ThrottleLimit {
  /** Requests allowed per address in one window. */
  readonly max: number;
  readonly windowMs: number;
}

const TEN_MINUTES = 10 * 60_000;

/**
 * Requests per source address and ten minutes. Generous enough for a site whose workstations
 * share one address (NAT) — the per-account lock is what stops guessing one password — and
 * tight enough that spraying one password over many accounts crawls.
 */
export const DEFAULT_THROTTLES: Readonly<Record<ThrottleGroup, ThrottleLimit>> = {
  // Per address: a site behind one NAT address signs 200 people in at 08:00 (bench:sync); guessing one
  // account is bounded by the per-account guard (sign-in-guard.ts), not by this.
  'sign-in': { max: 600, windowMs: TEN_MINUTES },
  setup: { max: 20, windowMs: TEN_MINUTES },
  registration: { max: 30, windowMs: TEN_MINUTES },
  'password-reset': { max: 30, windowMs: TEN_MINUTES },
  'password-change': { max: 20, windowMs: TEN_MINUTES },
  'guest-open': { max: 60, windowMs: TEN_MINUTES },
};

/** The throttled routes, by method and path pattern. */
export const THROTTLED_ROUTES: Readonly<Record<string, ThrottleGroup>> = {
  'POST /api/sessions': 'sign-in',
  'POST /api/setup': 'setup',
  'POST /register/:token': 'registration',
  'POST /sign-up': 'registration',
  'POST /verify-email/:token': 'registration',
  'POST /api/sites': 'setup',
  'POST /api/password-resets': 'password-reset',
  'POST /reset-password': 'password-reset',
  'POST /reset-password/:token': 'password-reset',
  'PUT /api/me/password': 'password-change',
  'POST /g/:token/open': 'guest-open',
};

/** One hit for a key: a new window when the last one is over, else one more in it. */
export async function countHit(db: Kysely<HubDatabase>, key: string, windowMs: number, now: Date): Promise<{ current: number; ttl: number }> {
  const at = now.toISOString();
  const row = await db
    .insertInto('rate_limits')
    .values({ key, hits: 1, resets_at: new Date(now.getTime() + windowMs).toISOString() })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        hits: sql<number>`CASE WHEN rate_limits.resets_at <= ${at} THEN 1 ELSE rate_limits.hits + 1 END`,
        resets_at: sql<string>`CASE WHEN rate_limits.resets_at <= ${at} THEN excluded.resets_at ELSE rate_limits.resets_at END`,
      }),
    )
    .returning(['hits', 'resets_at'])
    .executeTakeFirstOrThrow();
  return { current: row.hits, ttl: Math.max(1000, Date.parse(row.resets_at) - now.getTime()) };
}

/** A @fastify/rate-limit store class over the hub database (the plugin makes one per route with `child`). */
export function databaseStore(db: Kysely<HubDatabase>, now: () => Date) {
  return class DatabaseRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      countHit(db, key, timeWindow, now()).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }
    child(): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore();
    }
  };
}

/** Windows that ended are of no use: removed now and then (any process may). */
export async function pruneRateLimits(db: Kysely<HubDatabase>, now: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('resets_at', '<=', now.toISOString()).execute();
}

/**
 * Registers the plugin (not global: only the routes in THROTTLED_ROUTES) and attaches each
 * route's limit as it is declared. Call before any route is registered.
 */
export function addThrottles(app: FastifyInstance, db: Kysely<HubDatabase>, now: () => Date, limits: Partial<Record<ThrottleGroup, ThrottleLimit>> = {}): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      const group = THROTTLED_ROUTES[`${method} ${route.url}`];
      if (group === undefined) continue;
      const limit = limits[group] ?? DEFAULT_THROTTLES[group];
      route.config = {
        ...route.config,
        rateLimit: {
          max: limit.max,
          timeWindow: limit.windowMs,
          // Groups count apart (a guest's PIN tries do not use up sign-ins); the address is the
          // one Fastify trusts (a proxy's X-Forwarded-For only with --trust-proxy).
          keyGenerator: (request: FastifyRequest) => `${group}|${request.ip}`,
        },
      };
    }
  });
  app.register(rateLimit, {
    global: false,
    store: databaseStore(db, now),
    // Headers on refusals only: Retry-After and the limit; a successful sign-in says nothing of the count.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new HttpError(429, 'too-many-requests', `Too many attempts from your network address. Wait ${describeWait(seconds)} before trying again.`, { retryAfterSeconds: seconds });
    },
  });
}
