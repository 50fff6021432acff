/**
 * How the hub validates requests and describes itself: zod schemas (from shared/hub-api/) run as
 * Fastify's validator and serializer, and @fastify/swagger builds the OpenAPI description from
 * the same schemas. A request that does not match answers 400 `invalid-input` saying which field
 * and why, in the same words `parseInput` uses.
 */
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describeInputIssues } from '../../shared/input-errors';
import { HttpError } from '../http-error';

export function useZodSchemas(app: FastifyInstance, info: { readonly version: string }): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Registered before the routes, so that it sees each of them being added.
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Studyshare hub', version: info.version, description: 'The hub that Studyshare desktops, guests and outside physicians talk to.' },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/sessions.' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    // The hub's own pages and the guest viewer are HTML, not API.
    hideUntagged: false,
  });
}

/** A zod validation failure as the hub's usual 400, or null for any other error. */
export function validationError(error: FastifyError): HttpError | null {
  if (!hasZodFastifySchemaValidationErrors(error)) return null;
  const where = error.validationContext ?? 'body';
  const issues = error.validation.map((issue) => ({ path: issue.instancePath.split('/').filter((segment) => segment !== ''), message: issue.message ?? 'not valid' }));
  return new HttpError(400, 'invalid-input', describeInputIssues(issues, where));
}
