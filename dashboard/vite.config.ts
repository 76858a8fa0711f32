import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard's build: `npm run dashboard:build` writes dashboard/dist (index.html + hashed assets/),
 * which the server serves at `/`. DASHBOARD_OUT_DIR lets tests build elsewhere.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR ?? fileURLToPath(new URL('dist', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inlined data: URLs for scripts; the CSP allows only this origin's files.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npm run dashboard:dev`: the API is the server on its default port.
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
