/**
 * Browser mode: the desktop services served over loopback HTTP with the built renderer, for
 * machines where Electron cannot run (and for the end-to-end tests). Prints the URL to open.
 *
 *   npm run start:browser [-- --data <folder>] [--port <n>] [--demo]
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStudyshareApp } from './app/create-app';
import { seedDemo } from './demo/seed-demo';
import { startLoopbackServer } from './http/loopback-server';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.STUDYSHARE_DATA ?? path.join(homedir(), '.studyshare') },
    port: { type: 'string', default: process.env.STUDYSHARE_PORT ?? '0' },
    demo: { type: 'boolean', default: false },
  },
  allowPositionals: false,
  strict: false,
});

async function main(): Promise<void> {
  const rendererDir = path.resolve(import.meta.dirname, '../../out/renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    console.error('studyshare: the renderer is not built. Run `npm run build` first (npm start does it for you).');
    process.exitCode = 1;
    return;
  }
  const app = createStudyshareApp(path.resolve(String(values.data)), { kind: 'browser' });
  await app.start();
  if (values.demo === true) await seedDemo(app, path.resolve(String(values.data)), (line) => console.log(line));
  const server = await startLoopbackServer({
    handlers: app.handlers,
    bus: app.bus,
    rendererDir,
    port: Number(values.port),
    log: (line) => console.error(`studyshare: ${line}`),
  });
  console.log(`Studyshare is running in browser mode. Open this address (it holds this session's key):\n${server.url}`);
  const stop = async (): Promise<void> => {
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

void main();
