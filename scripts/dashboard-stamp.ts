import fs from 'node:fs';
import path from 'node:path';
import { sourceHash, stampHolds } from './source-hash.js';

/** Written next to the build: the hash of what it was built from. */
export const STAMP_FILE = '.build-stamp';

/** What a dashboard build depends on, relative to the repository root: its sources, the lock file, this build. */
const INPUTS = ['dashboard', 'package-lock.json', 'scripts/build-dashboard.ts'];

/** The hash of the dashboard's inputs: equal when nothing a build would read has changed, so `npm start` need not build again. */
export function dashboardSourceHash(root: string): string {
  return sourceHash(root, INPUTS);
}

/** Whether `outDir` holds a build (index.html) stamped with `hash`. */
export function isBuiltFrom(outDir: string, hash: string): boolean {
  return fs.existsSync(path.join(outDir, 'index.html')) && stampHolds(path.join(outDir, STAMP_FILE), hash);
}
