/** The sync client's routes: its outbox's operations, and the change feed it pulls by cursor. */
import { z } from 'zod';
import { operationSchema } from '../hub-contract';
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
