import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { killAll, listeningPort, type ServerProcess, spawnServer } from '../support/server-process.js';

const PROCEDURES = '{ procedures { edges { node { id steps { name } } } } }';
/** Generous: start-up is a couple of seconds, but CI machines can be slow. */
const START_TIMEOUT_MS = 60_000;

async function post(port: number, query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

/** Plain procedure ids from `procedures { edges { node { id } } }`, whose ids are Relay global ids (base64 of "Procedure:<id>"). */
/** One operation over graphql-ws; every result until it completes. (Not test/support's helper: that module loads the app in-process.) */
function collect(client: Client, query: string): Promise<{ data?: unknown; errors?: unknown }[]> {
  return new Promise((resolve, reject) => {
    const results: { data?: unknown; errors?: unknown }[] = [];
    client.subscribe(
      { query },
      { next: (value) => results.push(value), error: reject, complete: () => resolve(results) },
    );
  });
}

function procedureIds(body: any): string[] {
  return (body.data.procedures.edges.map((edge: { node: { id: string } }) => edge.node) as { id: string }[])
    .map((procedure) =>
      Buffer.from(procedure.id, 'base64')
        .toString('utf8')
        .replace(/^Procedure:/, ''),
    )
    .sort();
}

describe('npm start', () => {
  let dataDir: string;
  const started: ServerProcess[] = [];

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-startup-'));
  });

  afterEach(async () => {
    await killAll(started);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>, via: 'node' | 'npm' = 'node'): ServerProcess {
    const server = spawnServer(env, via);
    started.push(server);
    return server;
  }

  it(
    'serves health, readiness and the seed procedures over HTTP and graphql-ws, then exits 0 on SIGTERM',
    async () => {
      const server = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const port = await listeningPort(server);
      expect(server.stdout()).toContain('(store: embedded)');

      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', store: 'embedded' });
      const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
      expect(graphiql.status).toBe(200);
      const page = await graphiql.text();
      expect(page).toMatch(/graphiql/i);
      // Served whole from this server (no CDN: it works without internet), opening on the query docs/first-handoff.md starts from.
      expect(page).not.toMatch(/unpkg\.com|jsdelivr|raw\.githubusercontent/);
      expect(page).toContain('Welcome to Handoff');

      const http = await post(port, PROCEDURES);
      expect(http.status).toBe(200);
      expect(http.body.errors).toBeUndefined();
      expect(procedureIds(http.body)).toEqual(['AGENT_HANDOFF_STANDARD', 'PHASE_TRANSITION_STANDARD']);
      const phase = http.body.data.procedures.edges
        .map((edge: { node: unknown }) => edge.node)
        .find((p: { steps: { name: string }[] }) => p.steps[0]!.name === 'Phase Completion Validation');
      expect(phase.steps.map((step: { name: string }) => step.name)).toEqual([
        'Phase Completion Validation',
        'Resource Handoff',
        'State Synchronization',
        'Handoff Validation',
      ]);

      const ws = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      try {
        const results = await collect(ws, PROCEDURES);
        expect(results).toHaveLength(1);
        expect(results[0]!.data).toEqual(http.body.data);
      } finally {
        await ws.dispose();
      }

      // the embedded store is one SQLite database in DATA_DIR, in WAL mode while it runs
      expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining(['handoff.sqlite', 'handoff.sqlite-wal']));

      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      // a clean stop folds the log back into the one file
      expect(fs.readdirSync(dataDir)).toEqual(['handoff.sqlite']);
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    'lets two servers share one DATA_DIR: what one stores the other reads, and the seed is stored once',
    async () => {
      const first = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const firstPort = await listeningPort(first);
      const second = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const secondPort = await listeningPort(second);

      const created = await post(
        firstPort,
        'mutation { createProcedure(input: { id: "SHARED_ONE", name: "shared", steps: [{ id: "a", name: "a", kind: NOOP, timeoutMs: 1000 }] }) { userErrors { message } } }',
      );
      expect(created.body).toEqual({ data: { createProcedure: { userErrors: [] } } });
      expect(procedureIds((await post(secondPort, PROCEDURES)).body)).toEqual([
        'AGENT_HANDOFF_STANDARD',
        'PHASE_TRANSITION_STANDARD',
        'SHARED_ONE',
      ]);

      for (const server of [first, second]) {
        server.child.kill('SIGTERM');
        expect((await server.exited).code).toBe(0);
      }
      const third = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      const port = await listeningPort(third);
      expect(procedureIds((await post(port, PROCEDURES)).body)).toEqual([
        'AGENT_HANDOFF_STANDARD',
        'PHASE_TRANSITION_STANDARD',
        'SHARED_ONE',
      ]);
      third.child.kill('SIGTERM');
      expect((await third.exited).code).toBe(0);
    },
    START_TIMEOUT_MS * 3,
  );

  it(
    'npm start builds the dashboard and the server, serves the dashboard at /, passes SIGTERM on to the server, which stops serving and exits 0',
    async () => {
      const server = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, 'npm');
      const port = await listeningPort(server);
      // prestart compiled the server (or found its build current): what runs is dist/main.js, not the sources.
      expect(server.stderr()).toMatch(/compiling the server|server build is up to date/);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      // prestart built the dashboard; the page and the script it names are served from this machine.
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const script = /<script type="module" crossorigin src="(\/assets\/[\w.-]+\.js)">/.exec(page)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
      expect(page).not.toMatch(/https?:\/\//);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.stdout()).toContain('shutting down');
      // nothing left behind: the server itself is gone, not just npm
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    'says where it listens whatever LOG_LEVEL is: on stderr when info lines are off',
    async () => {
      for (const level of ['warn', 'silent']) {
        const server = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: level });
        const port = await new Promise<number>((resolve, reject) => {
          const check = () => {
            const match = /^Handoff listening on http:\/\/127\.0\.0\.1:(\d+)\/graphql/m.exec(server.stderr());
            if (match) resolve(Number(match[1]));
          };
          server.child.stderr!.on('data', check);
          server.exited.then(() => reject(new Error(`exited before listening: ${server.stderr()}`)));
          check();
        });
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
        server.child.kill('SIGTERM');
        await server.exited;
      }
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    'stops with a one-line message naming PORT when PORT is invalid',
    async () => {
      const server = start({ PORT: 'abc', DATA_DIR: dataDir });
      const exit = await server.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const message = server.stderr().trim();
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain('PORT');
      expect(server.stdout()).not.toContain('Handoff listening');
    },
    START_TIMEOUT_MS,
  );

  it(
    'stops with a one-line message naming STORE when STORE=mongo has no MONGODB_URL',
    async () => {
      const server = start({ STORE: 'mongo', DATA_DIR: dataDir });
      expect((await server.exited).code).not.toBe(0);
      expect(server.stderr().trim().split('\n')).toEqual([expect.stringContaining('STORE')]);
    },
    START_TIMEOUT_MS,
  );
});

describe('a DATA_DIR the server cannot write (N8)', () => {
  let parent: string;
  const started: ServerProcess[] = [];
  // Root writes anywhere: a test run by root starts the server as nobody.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;

  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-readonly-'));
  });
  afterEach(async () => {
    await killAll(started);
    fs.chmodSync(parent, 0o755);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it.each([
    ['an existing directory it may not write', (dir: string) => dir],
    ['a directory it would have to create', (dir: string) => path.join(dir, 'data')],
  ])(
    '%s: exits 1 with a message naming the path and the cause',
    async (_case, dataDirIn) => {
      fs.chmodSync(parent, 0o555);
      const dataDir = dataDirIn(parent);
      const server = spawnServer(
        { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
        'node',
        asUser,
      );
      started.push(server);
      expect((await server.exited).code).toBe(1);
      const message = server.stderr().trim().split('\n').at(-1)!;
      expect(message).toContain(`Handoff failed to start: cannot open the embedded store in DATA_DIR ${dataDir}`);
      expect(message).toMatch(/EACCES \(permission denied\)/);
      expect(message).not.toMatch(/^Handoff failed to start: unable to open database file$/);
    },
    START_TIMEOUT_MS,
  );
});
