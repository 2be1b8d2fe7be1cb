// The UI is served by the Gatehouse server under /ui/ (see docs/decisions/0500-1-web-ui.md).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/ui/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  // `vite dev` forwards API calls to a local `gatehouse serve`.
  server: {
    proxy: Object.fromEntries(
      [
        '/releases',
        '/audit',
        '/catalog',
        '/me',
        '/services',
        '/healthz',
        '/metrics',
        '/calendar',
        '/cab',
        '/reviews',
        '/lessons',
        '/incidents',
        '/canary-analyses',
      ].map((path) => [path, 'http://127.0.0.1:8080']),
    ),
  },
});
