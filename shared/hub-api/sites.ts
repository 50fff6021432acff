/**
 * Many sites on one hub (issue 14, part 4): the hub's operator (the first site's admin, or whoever
 * holds the console's setup code) creates further sites, or lets anyone create one. Declared once
 * (see route.ts).
 */
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../password-policy';
import { hubRoute } from './route';

const id = z.string().uuid();
const name = z.string().trim().min(1).max(200);
const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH)
  .superRefine((value, context) => {
    const problem = value.length < PASSWORD_MIN_LENGTH || value.length > PASSWORD_MAX_LENGTH ? null : passwordProblem(value);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });

export const createSiteRoute = hubRoute({
  method: 'POST',
  path: '/api/sites',
  summary: 'Creates a further site and its admin: the hub operator (session or setup code), or anyone while the hub lets sites sign up.',
  // Public so that a site may sign up where the operator allows it; the handler checks who calls.
  public: true,
  status: 201,
  body: z.object({ siteName: name, adminName: name, email: z.string().trim().toLowerCase().email('an email address').max(254), password, setupToken: z.string().max(200).optional() }).strict(),
  response: z.object({ account: z.object({ id, name: z.string() }), user: z.object({ id, name: z.string(), email: z.string() }) }),
});

const hubSettings = z.object({ sitesMaySignUp: z.boolean() });

export const hubSettingsRoute = hubRoute({
  method: 'GET',
  path: '/api/hub/settings',
  summary: 'The hub’s own settings (its operator only).',
  response: hubSettings,
});

export const setHubSettingsRoute = hubRoute({
  method: 'PUT',
  path: '/api/hub/settings',
  summary: 'Lets anyone create a site on this hub, or not (its operator only).',
  body: hubSettings.strict(),
  response: hubSettings,
});
