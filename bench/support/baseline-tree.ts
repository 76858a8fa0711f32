import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX } from './spawn.js';

/**
 * An earlier commit's tree checked out beside this one (sharing its node_modules), so a part can measure
 * the engine of before a change and of now in the same run, alternated, each in a fresh process.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');

/** The tree of `commit` under the temp dir (made once, then reused), or null without that commit in this clone. */
export function baselineTree(commit: string, name: string): string | null {
  const dir = path.join(os.tmpdir(), `handoff-${name}-baseline-${commit}`);
  if (fs.existsSync(path.join(dir, 'src/engine/engine.ts'))) return dir;
  try {
    execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, commit], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    return null;
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

export interface Probe {
  handoffsPerSecond: number;
  cpuMsPerHandoff: number;
}

/** Engine-API throughput of four-noop handoffs on a file store, of the engine under `root` (see engine-probe.ts). */
export function probeEngine(
  root: string,
  handoffs: number,
  warmup: number,
  options: { insight?: boolean } = {},
): Promise<Probe> {
  const script = path.join(here, 'engine-probe.ts');
  const args = [...TSX, script, '--root', root, '--handoffs', String(handoffs), '--warmup', String(warmup)];
  // Off: insight's fold does not run (a tree from before insight has none), so two runners are set side by side alone.
  if (options.insight === false) args.push('--insight', 'off');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`engine probe in ${root} failed: ${stderr || error.message}`))
        : resolve(JSON.parse(stdout)),
    ),
  );
}
