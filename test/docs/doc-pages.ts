/** The pages the docs tests read: the front page and every page under docs/, found anew on each run. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/server-process.js';

export interface DocPage {
  /** Relative to the repository's root, with forward slashes: `README.md`, `docs/agents.md`. */
  file: string;
  text: string;
}

export function docPages(): DocPage[] {
  const pages = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages].map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
}
