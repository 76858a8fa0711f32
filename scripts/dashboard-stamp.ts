import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Written next to the build: the hash of what it was built from. */
export const STAMP_FILE = '.build-stamp';

/** What a dashboard build depends on, relative to the repository root: its sources, the lock file, this build. */
const INPUTS = ['dashboard', 'package-lock.json', 'scripts/build-dashboard.ts'];
/** Never inputs: the build itself, dependencies. */
const SKIPPED = new Set(['dist', 'node_modules']);

function filesUnder(root: string, relative: string): string[] {
  const full = path.join(root, relative);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [relative];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .flatMap((entry) => filesUnder(root, path.join(relative, entry.name)));
}

/**
 * SHA-256 over the dashboard's inputs (each file's path and content, in a fixed order): equal when
 * nothing a build would read has changed, so `npm start` need not build again.
 */
export function dashboardSourceHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(root, input)).sort()) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether `outDir` holds a build (index.html) stamped with `hash`. */
export function isBuiltFrom(outDir: string, hash: string): boolean {
  try {
    return (
      fs.existsSync(path.join(outDir, 'index.html')) &&
      fs.readFileSync(path.join(outDir, STAMP_FILE), 'utf8').trim() === hash
    );
  } catch {
    return false;
  }
}
