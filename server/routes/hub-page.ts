/**
 * The hub's front page (`GET /`): what someone who types the hub's address into a browser needs
 * to know — which hub this is, how to connect Studyshare on a desktop, where registration and
 * guest links come from, and where to reset a password. Plain HTML, no script; it shows only
 * what `GET /api/hub` already tells anyone (site names only where the operator allows it).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HubContext } from '../app';
import { joinLink } from '../../shared/join-link';
import { escapeHtml, sendPage } from '../pages/html-page';
import { hubInfo } from './hub-info';

export const hubPageRoutes =
  (context: HubContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/', async (request, reply) => {
      const info = await hubInfo(context.db, context);
      // The address to type into Studyshare: the configured one. Without it, the address this
      // browser used is the best hint, and it is labelled as such (it may be a local name or a
      // proxy's inside address that other computers cannot reach).
      const address =
        info.publicUrl !== null
          ? `<strong>${escapeHtml(info.publicUrl)}</strong>`
          : `<strong>${escapeHtml(`${request.protocol}://${request.host}`)}</strong> (this address as you reached it: this hub has no public address set, so check with its operator which one other computers use)`;
      const parts: string[] = [];
      if (info.needsSetup) {
        parts.push(`<p role="status"><strong>This hub has no site yet:</strong> connect a desktop and enter the setup code printed on the hub’s console.</p>`);
      }
      if (info.sites !== null && info.sites.length > 0) {
        parts.push(`<p>Sites on this hub:</p><ul>${info.sites.map((site) => `<li>${escapeHtml(site)}</li>`).join('')}</ul>`);
      }
      parts.push(
        `<h2>Connect a desktop</h2>` +
          `<p>Open Studyshare, choose <strong>Join your site’s hub</strong> and type this hub’s address: ${address}.</p>` +
          (info.publicUrl === null ? '' : `<p><a href="${escapeHtml(joinLink(info.publicUrl))}">Open Studyshare on this computer</a> to join with the address filled in.</p>`),
        `<h2>Register</h2>` +
          `<p>Someone shared studies with you by email? Register through the link in that invitation.</p>` +
          // Physicians, practice managers and reps outside any site: an account of their own, then a request to a site.
          (info.publicUrl === null
            ? `<p>Open sign-up needs the hub’s public address, which its operator has not set.</p>`
            : `<p>Outside any site and working with one (a physician, a practice manager, an external rep)? <a href="/sign-up">Sign up</a>, confirm your address, then ask the site to connect you by its name or connection code.</p>`),
        `<h2>Guest links</h2>` +
          (info.publicUrl !== null
            ? `<p>A guest link opens shared images in a browser without an account. Links from this hub start with <strong>${escapeHtml(info.publicUrl)}/g/…</strong>; they ask for a PIN or the patient’s date of birth, expire, and can be revoked by the person who made them.</p>`
            : `<p>A guest link opens shared images in a browser without an account. This hub makes none until its operator sets its public address.</p>`),
        `<p><a href="/reset-password">Forgot your password?</a></p>`,
      );
      return sendPage(reply, 200, 'Hub', info.name, parts.join(''));
    });
  };
