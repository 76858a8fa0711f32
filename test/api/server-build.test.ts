import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/server-process.js';

/** `npm start` runs the compiled server, compiled only when its sources changed (item 4 of issue 28). */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The prestart step, as `npm start` runs it, building into `outDir`. */
function prestart(outDir: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts', '--if-changed'], {
    cwd: ROOT,
    env: { ...process.env, SERVER_OUT_DIR: outDir },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr;
}

describe('the server build on npm start', () => {
  it('compiles when there is no build, then leaves the build alone while the sources are unchanged', () => {
    const outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-server-build-')), 'dist');
    dirs.push(path.dirname(outDir));
    expect(prestart(outDir)).toMatch(/compiling the server/);
    const main = path.join(outDir, 'main.js');
    const built = fs.statSync(main);
    // One module: the app's own code is inside it, the packages are imported from node_modules.
    const code = fs.readFileSync(main, 'utf8');
    expect(code).toMatch(/Handoff listening on/);
    expect(code).not.toMatch(/from ["']\.\.?\//);
    expect(code).toMatch(/from "graphql-yoga"/);
    const stamp = fs.readFileSync(path.join(outDir, '.build-stamp'), 'utf8').trim();
    expect(stamp).toMatch(/^[0-9a-f]{64}$/);

    expect(prestart(outDir)).toMatch(/server build is up to date/);
    const again = fs.statSync(main);
    expect([again.ino, again.mtimeMs]).toEqual([built.ino, built.mtimeMs]);

    // A stamp from other sources (an edit, a pulled commit, a new lock file) means a build again,
    // swapped in whole (nothing of the build it replaces is left beside it).
    fs.writeFileSync(path.join(outDir, '.build-stamp'), 'stale\n');
    fs.writeFileSync(path.join(outDir, 'left-over.js'), '');
    expect(prestart(outDir)).toMatch(/compiling the server/);
    expect(fs.readFileSync(path.join(outDir, '.build-stamp'), 'utf8').trim()).toBe(stamp);
    expect(fs.existsSync(path.join(outDir, 'left-over.js'))).toBe(false);
    expect(fs.readdirSync(path.dirname(outDir))).toEqual(['dist']);
  }, 120_000);
});
