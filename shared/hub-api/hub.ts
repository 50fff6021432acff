/** What a hub says about itself (no sign-in), and its API description. */
import { z } from 'zod';
import { hubInfoSchema } from '../hub-info';
import { hubRoute } from './route';

export const hubInfoRoute = hubRoute({
  method: 'GET',
  path: '/api/hub',
  summary: 'What this hub is: name, versions, whether it needs setup, its public address, its sites where listing is allowed.',
  public: true,
  response: hubInfoSchema,
});

export const openApiRoute = hubRoute({
  method: 'GET',
  path: '/api/openapi.json',
  summary: 'This API, described in OpenAPI 3.',
  public: true,
  response: z.record(z.string(), z.unknown()),
});
