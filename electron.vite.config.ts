/**
 * Three builds: the main process (ESM, dependencies left to node_modules; with it the embedded
 * hub's DICOM header worker), the preload (CommonJS
 * and fully bundled, because a sandboxed preload can neither import ESM nor require packages),
 * and the renderer (React, served from out/renderer).
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

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
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
    },
  },
});
