import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Never inputs of a build: builds themselves, dependencies. */
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
 * SHA-256 over the files under `inputs` (paths relative to `root`; each file's path and content, in a
 * fixed order): equal when nothing a build would read has changed, so it need not run again.
 */
export function sourceHash(root: string, inputs: string[]): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(root, input)).sort()) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether the stamp file holds `hash` (false when it is missing or unreadable). */
export function stampHolds(stampFile: string, hash: string): boolean {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === hash;
  } catch {
    return false;
  }
}
