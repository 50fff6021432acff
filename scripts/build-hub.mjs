/**
 * `npm run build:hub`: the hub bundled into one ES module, out/hub/server.mjs, for running in
 * production with plain `node` (no TypeScript loader: the loader costs about 60 MB of resident
 * memory, a third of the hub's budget while it receives a large upload). Packages stay external
 * (node_modules, including the native SQLite driver); only the project's own code is bundled.
 * out/hub/ sits two folders below the repository, as server/routes/ does, so paths the code
 * resolves from its own location (the guest page's files) stay right.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle(entry, outfile) {
  await build({
    // The DICOM worker threads' code (server/dicom/dicom-workers.ts) goes beside every bundle.
    entryPoints: [
      { in: path.join(root, entry), out: path.basename(outfile, '.mjs') },
      { in: path.join(root, 'server/dicom/dicom-worker.ts'), out: 'dicom-worker' },
    ],
    outdir: path.dirname(path.join(root, outfile)),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  return path.join(root, outfile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle('server/server.ts', 'out/hub/server.mjs');
  // The guest page's viewer (out/guest-page): a hub-only install serves guest links too.
  const { buildGuestViewer } = await import('./build-guest-viewer.mjs');
  await buildGuestViewer();
}
