// Builds the UI into dist-renderer/ at the repository root, which `cairn serve` serves and the
// Electron shell will load. Relative asset URLs ("./assets/..."), so the same build works from
// http://127.0.0.1:PORT/ and from a file:// or custom-protocol URL in Electron.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: path.join(here, '..', 'dist-renderer'),
    emptyOutDir: true,
    // The UI is loaded from this computer, never over a slow link: one bundle, no size warnings.
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
  },
  // No inline scripts: `cairn serve`'s Content-Security-Policy allows only 'self'.
  clearScreen: false,
  logLevel: 'warn',
});
