import { type ChildProcess, execFile, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AutocannonOptions, AutocannonResult } from './autocannon.js';

/** Node flags for a TypeScript child process. */
export const TSX = ['--import', 'tsx'];

/**
 * The V8 flags `npm start` gives the server (package.json, Dockerfile): a 64 MB young generation.
 * Benchmark parts run with them too, so their figures are the server's as deployed.
 */
export const SERVER_FLAGS = ['--max-semi-space-size=64'];

/** What the load child reports: autocannon's result and when (epoch ms, `Date.now()`) the load began. */
export type ChildLoadResult = AutocannonResult & { startedAt: number };

/** autocannon in a child process (the second core), so load generation does not slow the server. */
export function loadInChild(options: AutocannonOptions): Promise<ChildLoadResult> {
  const script = fileURLToPath(new URL('./load-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...TSX, script, JSON.stringify(options)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`load generator failed: ${stderr || error.message}`));
        resolve(JSON.parse(stdout) as ChildLoadResult);
      },
    );
  });
}

/** Forks a TypeScript module with an IPC channel. */
export function forkTs(relative: string, execArgv: string[] = []): ChildProcess {
  const script = fileURLToPath(new URL(relative, import.meta.url));
  return fork(script, [], { execArgv: [...TSX, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
