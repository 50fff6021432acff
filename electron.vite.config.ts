/**
 * Three builds: the main process (ESM, dependencies left to node_modules; with it the embedded
 * hub's DICOM header worker), the preload (CommonJS
 * and fully bundled, because a sandboxed preload can neither import ESM nor require packages),
 * and the renderer (React, served from out/renderer).
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** scripts/jpeg12-level-shift.mjs (why: see there), loaded as the guest build loads it. */
const jpeg12 = (): Plugin => {
  let plugin: Plugin | null = null;
  return {
    name: 'studyshare-jpeg12-level-shift-loader',
    async transform(code, id) {
      // @ts-expect-error -- a plain .mjs build script without declarations
      plugin ??= ((await import('./scripts/jpeg12-level-shift.mjs')) as { jpeg12LevelShift: () => Plugin }).jpeg12LevelShift();
      return (plugin.transform as (code: string, id: string) => { code: string } | null)(code, id);
    },
  };
};

/**
 * The guest page's viewer (the app's own viewer for the hub's /g/<token> page) is built with the
 * renderer, into out/guest-page, so every build that makes the app makes it too.
 */
const guestViewer = (): Plugin => ({
  name: 'studyshare-guest-viewer',
  apply: 'build',
  async closeBundle() {
    // @ts-expect-error -- a plain .mjs build script without declarations
    const { buildGuestViewer } = (await import('./scripts/build-guest-viewer.mjs')) as { buildGuestViewer: () => Promise<void> };
    await buildGuestViewer();
  },
});

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // The embedded hub's DICOM header workers (server/dicom/dicom-workers.ts looks for
          // dicom-worker.mjs beside the bundle), as the server bundle has them.
          'dicom-worker': resolve(import.meta.dirname, 'server/dicom/dicom-worker.ts'),
        },
        output: { entryFileNames: (chunk) => (chunk.name === 'dicom-worker' ? '[name].mjs' : '[name].js') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react(), guestViewer(), jpeg12()],
    // Cornerstone's 12-bit JPEG decoder with its level shift corrected, in the decoding worker and the page.
    worker: { plugins: () => [jpeg12()] },
    build: {
      outDir: 'out/renderer',
      minify: true,
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
    },
  },
});
