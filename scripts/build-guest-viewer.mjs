/**
 * The guest page's viewer bundle, out/guest-page/: server/pages/guest-viewer/guest-viewer.tsx
 * with the app's own viewer (Cornerstone3D, its loader's decoding workers and WebAssembly codecs)
 * under the fixed names guest-viewer.js / guest-viewer.css that resources/guest-page/guest.html
 * loads, and hashed chunks, workers and .wasm beside them. Everything is served by the hub under
 * /g/assets/viewer/ (server/routes/guest-page.ts), nothing from elsewhere.
 *
 * Run by electron-vite's renderer build (electron.vite.config.ts), so `npm run build` and the
 * end-to-end tests' build make it; `node scripts/build-guest-viewer.mjs` alone for a hub-only setup.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { jpeg12LevelShift } from './jpeg12-level-shift.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GUEST_VIEWER_OUT = path.join(root, 'out', 'guest-page');

export async function buildGuestViewer() {
  await build({
    configFile: false,
    root: path.join(root, 'server/pages/guest-viewer'),
    base: '/g/assets/viewer/',
    logLevel: 'warn',
    // The 12-bit JPEG correction in the decoding worker and in the page (the loader can decode on either).
    plugins: [react(), jpeg12LevelShift()],
    worker: { plugins: () => [jpeg12LevelShift()] },
    build: {
      outDir: GUEST_VIEWER_OUT,
      emptyOutDir: true,
      minify: true,
      chunkSizeWarningLimit: 8192,
      rolldownOptions: {
        input: { 'guest-viewer': path.join(root, 'server/pages/guest-viewer/guest-viewer.tsx') },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: '[name]-[hash].js',
          assetFileNames: (asset) => ((asset.names ?? [asset.name]).some((name) => name?.endsWith('.css')) ? 'guest-viewer.css' : '[name]-[hash][extname]'),
        },
      },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildGuestViewer();
