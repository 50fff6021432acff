/**
 * `npm run hub`: starts the hub. Flags or environment: --port / HUB_PORT (default 4710),
 * --host / HUB_HOST (default 127.0.0.1), --data / HUB_DATA (folder for hub.sqlite, the blobs and
 * the mail drop), --public-url / HUB_PUBLIC_URL (the address registration links point to).
 * Mail: HUB_SMTP_URL (e.g. smtp://user:pass@mail.example.org:587) and HUB_MAIL_FROM; without an
 * SMTP address, messages are written to <data>/mail-drop as .eml files.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHub } from './app';
import { openHubDatabase } from './db/open-hub-db';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.HUB_PORT ?? '4710' },
    host: { type: 'string', default: process.env.HUB_HOST ?? '127.0.0.1' },
    data: { type: 'string', default: process.env.HUB_DATA ?? path.resolve('hub-data') },
    'public-url': { type: 'string', default: process.env.HUB_PUBLIC_URL },
  },
});

async function main(): Promise<void> {
  mkdirSync(values.data, { recursive: true });
  const db = await openHubDatabase(path.join(values.data, 'hub.sqlite'));
  const app = buildHub({
    db,
    blobDir: path.join(values.data, 'blobs'),
    logger: true,
    publicUrl: values['public-url'],
    // Secrets come from the environment only, never from flags (which show in process lists).
    mail: { dropDir: path.join(values.data, 'mail-drop'), smtpUrl: process.env.HUB_SMTP_URL, from: process.env.HUB_MAIL_FROM },
  });
  await app.listen({ port: Number(values.port), host: values.host });
  const stop = async (): Promise<void> => {
    await app.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`hub: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
