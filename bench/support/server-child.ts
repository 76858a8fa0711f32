/**
 * The real server in its own process, started as `npm start` starts it (node with the server's V8
 * flags running the compiled build, dist/main.js, built first if its sources changed), or the
 * TypeScript sources under tsx (`source: 'tsx'`, as before the compiled start), with what the scale
 * part reads from outside: the wall time from spawn to the first 200 from /ready, and the process's
 * RSS and CPU time from /proc.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { listeningPort, ROOT, type ServerProcess, serverEnv } from '../../test/support/server-process.js';
import { SERVER_FLAGS, TSX } from './spawn.js';

const READY_WITHIN_MS = 120_000;
const CLOCK_TICKS_PER_S = 100;

export interface ServerChild {
  pid: number;
  origin: string;
  /** Wall time from spawn to the first 200 from /ready. */
  readyMs: number;
  /** SIGTERM, then resolves once the process exited (rejects if it did not exit cleanly). */
  stop(): Promise<void>;
}

/** How the server runs: the compiled build `npm start` runs, or the sources under tsx. */
export type ServerSource = 'compiled' | 'tsx';

let built = false;
/** Runs `npm start`'s build step once per process (it does nothing when the build is current). */
function ensureCompiled(): void {
  if (built) return;
  execFileSync(process.execPath, [...TSX, 'scripts/build-server.ts', '--if-changed'], { cwd: ROOT, stdio: 'ignore' });
  built = true;
}

/** Spawns the server with `env` (PORT=0 on loopback; the port is read from its "listening" log line). */
export async function startServerChild(
  env: Record<string, string>,
  source: ServerSource = 'compiled',
  readyWithinMs = READY_WITHIN_MS,
): Promise<ServerChild> {
  if (source === 'compiled') ensureCompiled();
  const entry = source === 'compiled' ? ['dist/main.js'] : [...TSX, 'src/main.ts'];
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVER_FLAGS, ...entry], {
    cwd: ROOT,
    env: serverEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const server: ServerProcess = { child, exited, stdout: () => stdout, stderr: () => stderr };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const { code, signal } = await exited;
    if (code !== 0) throw new Error(`server exited with code ${code} (signal ${signal}):\n${stderr.slice(-2_000)}`);
  };
  try {
    const origin = `http://127.0.0.1:${await listeningPort(server)}`;
    await untilReady(origin, started, readyWithinMs);
    return { pid: child.pid!, origin, readyMs: performance.now() - started, stop };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function untilReady(origin: string, started: number, withinMs: number): Promise<void> {
  while (performance.now() - started < withinMs) {
    const response = await fetch(`${origin}/ready`).catch(() => null);
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`server not ready within ${withinMs} ms`);
}

/** Resident set size of a process, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** User plus system CPU seconds a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/**
 * Resolves with the milliseconds until the process used under `share` of one core over a whole
 * `windowMs` (its start-up work, such as the background integrity check, is over), or at `timeoutMs`.
 */
export async function untilIdle(
  pid: number,
  options: { windowMs?: number; share?: number; timeoutMs?: number } = {},
): Promise<{ ms: number; idle: boolean }> {
  const { windowMs = 1_000, share = 0.05, timeoutMs = 600_000 } = options;
  const started = performance.now();
  let before = cpuSeconds(pid);
  while (performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = cpuSeconds(pid);
    if (now - before < (share * windowMs) / 1000) return { ms: performance.now() - started - windowMs, idle: true };
    before = now;
  }
  return { ms: performance.now() - started, idle: false };
}
