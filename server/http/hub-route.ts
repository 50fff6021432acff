/**
 * Registers a hub route from its one declaration in shared/hub-api/: path, session rule, zod
 * schemas for params, query, body and answer. Fastify validates the input with zod before the
 * handler runs (a bad one answers 400 `invalid-input` naming the field, see validation.ts), checks
 * the answer against its schema, and @fastify/swagger describes it in /api/openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HubRoute, HubRouteInput, HubRouteResponse } from '../../shared/hub-api/route';

/** Answers the route's declared response, or the reply itself when it sent its own (a file). */
export type HubRouteHandler<R extends HubRoute> = (
  input: HubRouteInput<R>,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<HubRouteResponse<R> | FastifyReply> | HubRouteResponse<R> | FastifyReply;

export function addRoute<R extends HubRoute>(app: FastifyInstance, route: R, handler: HubRouteHandler<R>): void {
  // Plugins are registered under a prefix (/api): the route's own URL is the rest of its path.
  if (!route.path.startsWith(app.prefix)) throw new Error(`${route.path} is not under ${app.prefix}`);
  const status = route.status ?? 200;
  app.withTypeProvider<ZodTypeProvider>().route({
    method: route.method,
    url: route.path.slice(app.prefix.length),
    config: { public: route.public === true },
    schema: {
      summary: route.summary,
      ...(route.params === undefined ? {} : { params: route.params }),
      ...(route.query === undefined ? {} : { querystring: route.query }),
      ...(route.body === undefined ? {} : { body: route.body }),
      ...(route.response === undefined ? {} : { response: { [status]: route.response } }),
    },
    handler: async (request, reply) => {
      const input = { params: request.params, query: request.query, body: request.body } as HubRouteInput<R>;
      const value = await handler(input, request, reply);
      // A handler that answered itself (a file stream) returns the reply: nothing more to send.
      if ((value as unknown) === reply || reply.sent) return reply;
      return status === 204 ? reply.status(204).send() : reply.status(status).send(value);
    },
  });
}
