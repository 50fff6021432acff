/** The sync client's routes: its outbox's operations, and the change feed it pulls by cursor. */
import { z } from 'zod';
import { hubChangePageSchema, operationSchema } from '../hub-contract';
import { hubRoute } from './route';

const operationResultSchema = z.union([
  z.object({ id: z.string(), status: z.literal('applied'), value: z.record(z.string(), z.unknown()) }),
  z.object({ id: z.string(), status: z.literal('rejected'), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export const postOperationsRoute = hubRoute({
  method: 'POST',
  path: '/api/operations',
  summary: 'Applies a batch of up to 500 operations from a client’s outbox, each once by its id; answers a result per operation (applied, or refused with why).',
  body: z.object({ operations: z.array(operationSchema).min(1).max(500) }).strict(),
  response: z.object({ results: z.array(operationResultSchema) }),
});

export const changesRoute = hubRoute({
  method: 'GET',
  path: '/api/changes',
  summary: 'The studies changed after a cursor, as the caller may see them now; one the caller could see before and no longer may comes as { studyId, visible: false }.',
  query: z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) }).strict(),
  response: hubChangePageSchema,
});
