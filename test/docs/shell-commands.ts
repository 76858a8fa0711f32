/**
 * Shell blocks as a reader runs them: bash from the repository's root, stopping at the first command that fails
 * (`-e -o pipefail`, so a failure cannot hide behind a later command that succeeds). Each runs in a process group
 * of its own, so whatever it started is stopped with it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { ROOT } from '../support/server-process.js';

export interface ShellResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function bash(script: string, env: Record<string, string>): ChildProcess {
  return spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `script` to its end. `guardMs` only stops a block that hangs, so a broken page fails instead of stalling. */
export function runShell(script: string, env: Record<string, string>, guardMs: number): Promise<ShellResult> {
  const child = bash(script, env);
  const output = collect(child);
  const guard = setTimeout(() => stopGroup(child), guardMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, ...output() });
    });
  });
}

/** Whether `command` is on this machine's PATH. */
export function isInstalled(command: string): boolean {
  return spawnSync('bash', ['--noprofile', '--norc', '-c', 'command -v "$1"', 'bash', command]).status === 0;
}

export interface BackgroundCommand {
  /** What it printed so far, standard output and error together. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `script` and resolves once its output contains `readyWhen`; rejects if it exits first. */
export function startBackground(
  script: string,
  env: Record<string, string>,
  readyWhen: string,
): Promise<BackgroundCommand> {
  const child = bash(script, env);
  let printed = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const command: BackgroundCommand = {
    output: () => printed,
    async stop() {
      stopGroup(child);
      // A command that ignores SIGTERM is killed: the page is over either way.
      const kill = setTimeout(() => stopGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!printed.includes(readyWhen)) return;
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      resolve(command);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('error', reject);
    void exited.then(() =>
      reject(new Error(`it exited before printing ${JSON.stringify(readyWhen)}; it printed:\n${printed}`)),
    );
  });
}

function collect(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return () => ({ stdout, stderr });
}

function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}
