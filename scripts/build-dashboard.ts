/**
 * `npm start`'s prestart: builds the dashboard (dashboard/dist) with Vite. Where the dev dependencies
 * were left out (`npm ci --omit=dev`), Vite is not there: the server then starts without the dashboard
 * (`/` answers 503) instead of not starting at all. A build that fails still stops `npm start`.
 */
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('../dashboard/vite.config.ts', import.meta.url));

let vite: typeof import('vite');
try {
  vite = await import('vite');
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    'dashboard not built: Vite is not installed (dev dependencies omitted); the API starts without it\n',
  );
  process.exit(0);
}
// Vite keeps a NODE_ENV it is given; the dashboard served by `npm start` is always the production build.
process.env.NODE_ENV = 'production';
await vite.build({ configFile, logLevel: 'warn' });
