/**
 * Compiles the server (src/main.ts and what it imports) into one JavaScript module, dist/main.js (or
 * SERVER_OUT_DIR), which `npm start` runs: a start then loads one file instead of compiling some 300
 * TypeScript modules through tsx on every start. `npm run build` always builds; `npm start`'s prestart
 * (`--if-changed`) only when the sources, the lock file, tsconfig.json or this script changed since the
 * build there (a hash of them, stamped next to the build), so a restart costs no build.
 *
 * esbuild (a regular dependency: tsx is built on it, so `npm ci --omit=dev` has it too) strips the
 * types, as tsx does when it runs the sources; it does not type-check: `npm run typecheck` does.
 * Packages stay outside the bundle, loaded from node_modules as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sourceHash, stampHolds } from './source-hash.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INPUTS = ['src', 'package-lock.json', 'tsconfig.json', 'scripts/build-server.ts'];
const STAMP_FILE = '.build-stamp';
const outDir = path.resolve(ROOT, process.env.SERVER_OUT_DIR ?? 'dist');

const hash = sourceHash(ROOT, INPUTS);
const isCurrent = () => fs.existsSync(path.join(outDir, 'main.js')) && stampHolds(path.join(outDir, STAMP_FILE), hash);
if (process.argv.includes('--if-changed') && isCurrent()) {
  process.stderr.write('server build is up to date (its sources have not changed)\n');
  process.exit(0);
}

process.stderr.write('compiling the server (its sources changed, or it was never built)…\n');
// Built beside the old build, then swapped in whole: a server starting meanwhile (or a second `npm start`
// building at the same time) never loads half a build.
const building = `${outDir}.building-${process.pid}`;
try {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/main.ts'],
    outfile: path.join(building, 'main.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As tsx runs the sources: class and function names stay what the code says (logs, error names).
    keepNames: true,
    sourcemap: 'linked',
    tsconfig: 'tsconfig.json',
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(building, STAMP_FILE), `${hash}\n`);
  const old = `${outDir}.old-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  try {
    fs.renameSync(building, outDir);
  } catch (error) {
    // Another start built the same sources and swapped its build in first: that one serves.
    if (!isCurrent()) throw error;
  }
  fs.rmSync(old, { recursive: true, force: true });
} finally {
  fs.rmSync(building, { recursive: true, force: true });
}
