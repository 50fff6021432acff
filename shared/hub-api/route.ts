/**
 * One hub route, declared once: method, path, who may call it, and the zod schemas of its
 * parameters, query, body and answer. The hub registers and validates the route from it (and
 * describes it in /api/openapi.json); the desktop's hub client builds the request from it and
 * checks the answer with it — so the two sides cannot drift apart.
 */
import type { z } from 'zod';

export type HubMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HubRoute {
  readonly method: HubMethod;
  /** The full path, with `:name` parameters (e.g. `/api/roles/:id`). */
  readonly path: string;
  /** One line for the API description. */
  readonly summary: string;
  /** Callable without a session (the rest need one: the hub's auth hook checks). */
  readonly public?: boolean;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The status of a successful answer (default 200). */
  readonly status?: 200 | 201 | 202 | 204;
  /** The answer's schema (absent for 204). */
  readonly response?: z.ZodType;
}

/** Declares a route, keeping its literal types. */
export const hubRoute = <const R extends HubRoute>(route: R): R => route;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives, after validation. */
export interface HubRouteInput<R extends HubRoute> {
  readonly params: Out<R['params']>;
  readonly query: Out<R['query']>;
  readonly body: Out<R['body']>;
}
/** What a caller passes (before defaults and transforms): only the parts the route has. */
export type HubRouteRequest<R extends HubRoute> = (R['params'] extends z.ZodType ? { readonly params: z.input<R['params']> } : object) &
  (R['query'] extends z.ZodType ? { readonly query: z.input<R['query']> } : object) &
  (R['body'] extends z.ZodType ? { readonly body: z.input<R['body']> } : object);
/** What a successful call answers. */
export type HubRouteResponse<R extends HubRoute> = R['response'] extends z.ZodType ? z.output<R['response']> : void;
