/**
 * Many sites on one hub (issue 14, part 4): the operator creates further sites (with their
 * session, or the console's setup code), or lets anyone create one; the operator's hub settings.
 * Routes declared in shared/hub-api/sites.ts; SQL in server/accounts/ and server/sites/.
 */
import type { FastifyPluginAsync } from 'fastify';
import { createSiteRoute, hubSettingsRoute, setHubSettingsRoute } from '../../shared/hub-api/sites';
import { createAccount } from '../accounts/accounts-repository';
import type { HubContext } from '../app';
import { recordAudit } from '../audit/audit-trail';
import { hashPassword } from '../auth/password';
import { actorFor, sameSecret, type Actor } from '../auth/sessions';
import { normalizeSetupCode } from '../config/setup-code';
import { addRoute } from '../http/hub-route';
import { HttpError } from '../http-error';
import { hubSettings, isHubOperator, setHubSettings } from '../sites/sites-repository';

const NOT_OPERATOR = 'Only this hub’s operator can do this.';

export const siteRoutes =
  ({ db, now, setupToken, sessionPolicy }: HubContext): FastifyPluginAsync =>
  async (app) => {
    const requireOperator = async (actor: Actor) => {
      if (!(await isHubOperator(db, actor.userId))) throw new HttpError(403, 'forbidden', NOT_OPERATOR);
    };

    addRoute(app, createSiteRoute, async ({ body }, request) => {
      // Public (a site may sign up where the operator allows it), so the session is read here when there is one.
      const actor = request.headers.authorization === undefined ? null : await actorFor(db, request.headers.authorization, now(), sessionPolicy);
      const byOperator = actor !== null && (await isHubOperator(db, actor.userId));
      const bySetupCode = setupToken !== null && body.setupToken !== undefined && sameSecret(normalizeSetupCode(body.setupToken), setupToken);
      if (!byOperator && !bySetupCode && !(await hubSettings(db)).sitesMaySignUp) {
        throw new HttpError(403, 'sites-closed', 'This hub does not let sites sign up. Ask its operator to create your site.');
      }
      const passwordHash = await hashPassword(body.password);
      const at = now();
      const created = await db.transaction().execute(async (trx) => {
        const result = await createAccount(trx, body.siteName, { name: body.adminName, email: body.email, passwordHash }, at);
        await recordAudit(trx, {
          at: at.toISOString(),
          accountId: result.account.id,
          trail: 'account',
          actorId: actor?.userId ?? result.user.id,
          action: 'site.create',
          detail: { by: byOperator ? 'operator' : bySetupCode ? 'setup-code' : 'sign-up' },
        });
        return result;
      });
      return { account: created.account, user: { id: created.user.id, name: created.user.name, email: created.user.email } };
    });

    addRoute(app, hubSettingsRoute, async (_input, { actor }) => {
      await requireOperator(actor);
      return hubSettings(db);
    });

    addRoute(app, setHubSettingsRoute, async ({ body }, { actor }) => {
      await requireOperator(actor);
      return setHubSettings(db, body);
    });
  };
