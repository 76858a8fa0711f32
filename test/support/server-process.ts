import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root: where `npm start` runs. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

/** The environment `npm start` would see, minus anything from this machine that changes the store or auth. */
export function serverEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['MONGODB_URL', 'STORE', 'API_KEYS', 'API_KEYS_FILE', 'HOST', 'PORT', 'DATA_DIR', 'LOG_LEVEL'])
    delete env[name];
  return { ...env, ...overrides };
}

/**
 * Runs the server in its own process: src/main.ts with tsx (the sources as they are, with no build step, so
 * tests that start many servers never wait for or race a build), or through `npm start` (which builds the
 * compiled server, dist/main.js, when its sources changed, and runs that, as the Dockerfile does);
 * as another user when `as` gives one (a test run by root needs that to meet a directory it cannot write).
 */
export function spawnServer(
  env: Record<string, string>,
  via: 'node' | 'npm' = 'node',
  as: { uid: number; gid: number } | null = null,
): ServerProcess {
  const [command, args] =
    via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(as ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves with the port from the "Handoff listening on http://…" log line; rejects if the process exits first. */
export function listeningPort(server: ServerProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const line of server.stdout().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string };
        const match = /Handoff listening on http:\/\/[^\s]+:(\d+)\/graphql/.exec(entry.msg ?? '');
        if (match) {
          server.child.stdout!.off('data', check);
          resolve(Number(match[1]));
          return;
        }
      }
    };
    server.child.stdout!.on('data', check);
    server.exited.then(({ code, signal }) =>
      reject(
        new Error(
          `server exited (code ${code}, signal ${signal}) before listening:\n${server.stdout()}${server.stderr()}`,
        ),
      ),
    );
    check();
  });
}

/** Kills (SIGKILL) every one of `servers` still running, waits for them, and empties the list. */
export async function killAll(servers: ServerProcess[]): Promise<void> {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
}

/** POSTs one GraphQL operation to a server process on this machine; the parsed body, whatever the status. */
export async function postGraphQL(port: number, query: string, variables?: object): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/** A server process on `dataDir` (tracked in `running` for cleanup) and a way to POST operations to it. */
export async function startServerProcess(
  dataDir: string,
  running: ServerProcess[],
  env: Record<string, string> = {},
): Promise<{ server: ServerProcess; gql: (query: string, variables?: object) => Promise<any> }> {
  const server = spawnServer({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  running.push(server);
  const port = await listeningPort(server);
  return { server, gql: (query: string, variables?: object) => postGraphQL(port, query, variables) };
}

/** Reads until `done` holds (bounded by the test's timeout): waiting for a state, not for a time. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
