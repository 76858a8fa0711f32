import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardSourceHash, STAMP_FILE } from '../../scripts/dashboard-stamp.js';
import { ROOT } from '../support/server-process.js';

/** `npm start` builds the dashboard only when what it is built from changed (item 6 of issue 27). */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The prestart step, as `npm start` runs it, building into `outDir`. */
function prestart(outDir: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-dashboard.ts', '--if-changed'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', DASHBOARD_OUT_DIR: outDir },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr;
}

describe('the dashboard build on npm start', () => {
  it('builds when there is no build, then leaves the build alone while the sources are unchanged', () => {
    const outDir = tempDir('handoff-dashboard-stamp-');
    expect(prestart(outDir)).toMatch(/building the dashboard/);
    const index = path.join(outDir, 'index.html');
    const built = fs.statSync(index);
    expect(fs.readFileSync(path.join(outDir, STAMP_FILE), 'utf8').trim()).toBe(dashboardSourceHash(ROOT));

    expect(prestart(outDir)).toMatch(/dashboard build is up to date/);
    // Not rebuilt: Vite empties its output directory first, so the file would be a new one.
    const again = fs.statSync(index);
    expect([again.ino, again.mtimeMs]).toEqual([built.ino, built.mtimeMs]);

    // A stamp from other sources (an edit, a pulled commit, a new lock file) means a build again.
    fs.writeFileSync(path.join(outDir, STAMP_FILE), 'stale\n');
    expect(prestart(outDir)).toMatch(/building the dashboard/);
  }, 180_000);

  it('the stamp changes with any dashboard source and with the lock file, and with nothing else', () => {
    const root = tempDir('handoff-dashboard-sources-');
    fs.cpSync(path.join(ROOT, 'dashboard'), path.join(root, 'dashboard'), {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}dist`) && !source.includes('node_modules'),
    });
    fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(root, 'package-lock.json'));
    const before = dashboardSourceHash(root);
    fs.writeFileSync(path.join(root, 'README.md'), 'not an input\n');
    fs.mkdirSync(path.join(root, 'dashboard/dist'), { recursive: true });
    fs.writeFileSync(path.join(root, 'dashboard/dist/index.html'), 'the build is not its own input');
    expect(dashboardSourceHash(root)).toBe(before);

    fs.appendFileSync(path.join(root, 'dashboard/src/main.tsx'), '\n// an edit\n');
    const edited = dashboardSourceHash(root);
    expect(edited).not.toBe(before);
    fs.appendFileSync(path.join(root, 'package-lock.json'), '\n');
    expect(dashboardSourceHash(root)).not.toBe(edited);
  });
});
