/**
 * The demo's part of issue 14 (parts 3–5): a second site on the embedded hub (created by its
 * operator, the demo admin) and an external rep who signed up on the hub's page, confirmed the
 * address by the mailed link, and waits in Review to connect to Demo Hospital. Done through the
 * hub's own pages and API, as a person would, so the demo shows what really happens.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSiteRoute } from '../../../shared/hub-api/sites';
import type { StudyshareApp } from '../app/create-app';

export const DEMO_SECOND_SITE = { siteName: 'Lakeside Surgery', adminName: 'Lena Lakeside', email: 'admin@lakeside.demo.studyshare' } as const;
export const DEMO_EXTERNAL_REP = { name: 'Eve External Rep', email: 'rep@outside.demo.studyshare' } as const;

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** The confirmation link mailed to an address, from the embedded hub's mail drop (it waits a few seconds for the mail to be written). */
async function mailedLink(mailDrop: string, address: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (existsSync(mailDrop)) {
      for (const file of readdirSync(mailDrop)) {
        const mail = readFileSync(path.join(mailDrop, file), 'utf8').replace(/=\r?\n/g, '');
        const link = mail.includes(`To: ${address}`) ? /https?:\/\/\S+\/verify-email\/[A-Za-z0-9_-]{43}/.exec(mail)?.[0] : undefined;
        if (link !== undefined) return link;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The demo external rep’s confirmation mail did not arrive.');
}

export async function seedConnections(app: StudyshareApp, dataDir: string, password: string, log: (line: string) => void): Promise<void> {
  const url = app.hub.status().url;
  if (url === null) return;
  await app.hub.hubRoute(createSiteRoute, { body: { ...DEMO_SECOND_SITE, password } });
  await fetch(`${url}/sign-up`, form({ name: DEMO_EXTERNAL_REP.name, email: DEMO_EXTERNAL_REP.email, password, confirm: password }));
  const link = await mailedLink(path.join(dataDir, 'hub', 'mail-drop'), DEMO_EXTERNAL_REP.email);
  // The link as mailed carries the hub's public address; the demo talks to it where this desktop does.
  await fetch(`${url}${new URL(link).pathname}`, { method: 'POST' });
  const session = (await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: DEMO_EXTERNAL_REP.email, password }) })).json()) as { token: string };
  await fetch(`${url}/api/connections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ site: 'Demo Hospital', kind: 'external-rep' }),
  });
  log(`  A second site, ${DEMO_SECOND_SITE.siteName} (${DEMO_SECOND_SITE.email}), and an external rep (${DEMO_EXTERNAL_REP.email}) waiting in Review under Administration → Users.`);
}
