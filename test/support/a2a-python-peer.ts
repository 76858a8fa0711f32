import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server-process.js';

/**
 * The Python with a2a-sdk: A2A_PYTHON (.ci/run sets it from scripts/a2a-python-venv.sh), else the venv that
 * script keeps in its cache, if it was made here.
 */
function pythonWithSdk(): string | null {
  if (process.env.A2A_PYTHON) return process.env.A2A_PYTHON;
  const cache = process.env.HANDOFF_PYTHON_CACHE ?? path.join(os.homedir(), '.cache', 'handoff');
  const venv = fs.existsSync(cache)
    ? fs
        .readdirSync(cache)
        .filter((name) => name.startsWith('a2a-venv-'))
        .map((name) => path.join(cache, name, 'bin', 'python'))
        .find((python) => fs.existsSync(python))
    : undefined;
  return venv ?? null;
}

const PYTHON = pythonWithSdk();

/** Why the Python peer cannot run here, or null when it can. */
export function pythonPeerUnavailable(): string | null {
  return PYTHON ? null : 'no Python with a2a-sdk: run scripts/a2a-python-venv.sh (it prints A2A_PYTHON)';
}

export interface PythonPeer {
  origin: string;
  cardUrl: string;
  /** What the agent created, was asked to cancel, and received (its /stats). */
  stats(): Promise<{ created: string[]; cancelled: string[]; received: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

/** Starts test/support/a2a_python_peer.py (Python's a2a-sdk) on a free port of 127.0.0.1. */
export async function startPythonPeer(): Promise<PythonPeer> {
  const child: ChildProcess = spawn(PYTHON!, [path.join(ROOT, 'test', 'support', 'a2a_python_peer.py')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /LISTENING (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    exited.then(() => reject(new Error(`the Python peer exited before listening:\n${output}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    cardUrl: `${origin}/.well-known/agent-card.json`,
    stats: async () => (await fetch(`${origin}/stats`)).json(),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
