/**
 * The hub's own server-rendered pages (registration, password reset, the hub's front page): one
 * layout; the header policy is shared/security-headers.ts. No script runs on them: forms post back to the hub.
 */
import type { FastifyReply } from 'fastify';
import { pageCsp } from '../http/security-headers';

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Sends a page: `title` is text (escaped here), `body` is HTML the caller built with escapeHtml.
 * `section` names the page in the header bar (e.g. "Registration").
 */
export function sendPage(reply: FastifyReply, status: number, section: string, title: string, body: string): FastifyReply {
  // The rest of the header policy (nosniff, no-referrer, no-store, noindex…) is on every answer: server/http/security-headers.ts.
  return pageCsp(reply, 'hubPage')
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)} · Studyshare</title><link rel="stylesheet" href="/g/assets/guest.css"></head>` +
        `<body><header class="bar"><strong>Studyshare</strong><span class="muted">${escapeHtml(section)}</span></header>` +
        `<main><section class="card"><h1>${escapeHtml(title)}</h1>${body}</section></main></body></html>`,
    );
}
