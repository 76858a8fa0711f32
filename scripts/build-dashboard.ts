/**
 * Builds the dashboard (dashboard/dist, or DASHBOARD_OUT_DIR) with Vite: `npm run dashboard:build`
 * always, `npm start`'s prestart (`--if-changed`) only when its inputs changed since the build there
 * (a hash of the dashboard's sources, the lock file and this script, stamped next to the build): a
 * restart then costs no build. Where the dev dependencies were left out (`npm ci --omit=dev`), Vite is
 * not there: the server then starts without the dashboard (`/` answers 503) instead of not starting
 * at all. A build that fails still stops `npm start`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardSourceHash, isBuiltFrom, STAMP_FILE } from './dashboard-stamp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const configFile = path.join(ROOT, 'dashboard/vite.config.ts');
const outDir = process.env.DASHBOARD_OUT_DIR ?? path.join(ROOT, 'dashboard/dist');

const hash = dashboardSourceHash(ROOT);
if (process.argv.includes('--if-changed') && isBuiltFrom(outDir, hash)) {
  process.stderr.write('dashboard build is up to date (its sources have not changed)\n');
  process.exit(0);
}

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
process.stderr.write('building the dashboard (its sources changed, or it was never built)…\n');
await vite.build({ configFile, logLevel: 'warn' });
fs.writeFileSync(path.join(outDir, STAMP_FILE), `${hash}\n`);
