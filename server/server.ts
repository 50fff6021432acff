/**
 * `npm run hub`: starts the hub. Flags or environment: --port / HUB_PORT (default 4710),
 * --host / HUB_HOST (default 127.0.0.1), --data / HUB_DATA (folder for hub.sqlite).
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
  },
});

async function main(): Promise<void> {
  mkdirSync(values.data, { recursive: true });
  const db = await openHubDatabase(path.join(values.data, 'hub.sqlite'));
  const app = buildHub({ db, blobDir: path.join(values.data, 'blobs'), logger: true });
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
