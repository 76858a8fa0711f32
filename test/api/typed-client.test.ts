import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphQLRequestError } from '../../examples/typed-client/graphql-http.js';
import { followHandoffProgress } from '../../examples/typed-client/handoff-progress.js';
import { noopCompensation, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestServer } from '../support/server.js';
import {
  killAll,
  listeningPort,
  postGraphQL,
  ROOT,
  type ServerProcess,
  spawnServer,
  waitFor,
} from '../support/server-process.js';

const running: ServerProcess[] = [];
const examples: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of examples.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A server process on `dataDir`, on `port` (0: any free one); resolves once it listens. */
async function serve(dataDir: string, port = 0): Promise<{ server: ServerProcess; port: number }> {
  const server = spawnServer({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  running.push(server);
  return { server, port: await listeningPort(server) };
}

/** Runs examples/typed-client/follow-handoff.ts as a user would, collecting what it prints. */
function runExample(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/typed-client/follow-handoff.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  examples.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const events = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { seq: number; type: string; step: string | null });
  return { exited, events, stderr: () => stderr };
}

const EVENTS = `query($id: ID!) { handoff(id: $id) { status events(limit: 1000) { seq type step } } }`;

describe('the typed client example', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'follows a handoff across a server restart (%s): every event once, in seq order, none missing',
    async (signal) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-typed-client-'));
      dirs.push(dataDir);
      const { server: first, port } = await serve(dataDir);
      const created = await postGraphQL(
        port,
        `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
        {
          input: {
            id: 'TYPED_REVIEWED',
            name: 'Prepare, review, ship',
            steps: [
              quickStep('prepare', 'NOOP', {}, { compensation: noopCompensation('unprepare') }),
              quickStep('review', 'AWAIT_SIGNAL', {}, { timeoutMs: 600_000 }),
              quickStep('ship', 'NOOP', {}),
            ],
          },
        },
      );
      expect(created.data.createProcedure.userErrors).toEqual([]);

      const example = runExample([
        '--url',
        `http://127.0.0.1:${port}/graphql`,
        '--handoff',
        'typed_1',
        '--start',
        'TYPED_REVIEWED',
      ]);
      await waitFor(
        async () => example.events(),
        (events) => events.some((e) => e.type === 'STEP_WAITING'),
      );
      const beforeDrop = example.events();

      // The example's WebSocket dies with the server; the server comes back on the same port and store.
      first.child.kill(signal);
      await first.exited;
      await serve(dataDir, port);
      await waitFor(
        async () => example.stderr(),
        (stderr) => stderr.includes('resubscribing after seq'),
      );
      // The handoff waited holding nothing: the restart changed nothing of it. The signal sets it going again.
      const signalled = await postGraphQL(
        port,
        `mutation { signalHandoff(input: { id: "typed_1", step: "review" }) { userErrors { message } } }`,
      );
      expect(signalled.data.signalHandoff.userErrors).toEqual([]);

      expect(await example.exited).toBe(0);
      const stored = (await postGraphQL(port, EVENTS, { id: 'typed_1' })).data.handoff;
      expect(stored.status).toBe('COMPLETED');
      const printed = example.events();
      expect(printed.map((e) => e.seq)).toEqual(stored.events.map((e: any) => e.seq));
      expect(printed.map((e) => `${e.type} ${e.step}`)).toEqual(stored.events.map((e: any) => `${e.type} ${e.step}`));
      // It resumed where it was: after the last event it had printed before the drop, and it did print more after.
      expect(example.stderr()).toContain(`resubscribing after seq ${beforeDrop.at(-1)!.seq}`);
      expect(printed.length).toBeGreaterThan(beforeDrop.length);
    },
    120_000,
  );

  it('starts a handoff that needs agents and a context from the command line; a wrong command line exits 2', async () => {
    const server = await startTestServer();
    try {
      await registerReadyAgents(server, 'typed_source', 'typed_target');
      const url = ['--url', server.url];
      const started = runExample([
        ...url,
        ...['--handoff', 'typed_phase', '--start', 'PHASE_TRANSITION_STANDARD'],
        ...['--source-agent', 'typed_source', '--target-agent', 'typed_target'],
        ...['--metadata', '{"phaseComplete":true,"sourceStateChecksum":"a","targetStateChecksum":"a"}'],
      ]);
      expect(await started.exited).toBe(0);
      expect(started.events().at(-1)?.type).toBe('HANDOFF_COMPLETED');
      const stored = (await server.gql(`{ handoff(id: "typed_phase") { sourceAgent targetAgent metadata } }`)).data;
      expect(stored.handoff).toMatchObject({ sourceAgent: 'typed_source', targetAgent: 'typed_target' });
      expect(stored.handoff.metadata.phaseComplete).toBe(true);

      const wrong = [
        [['--handoff', 'x', '--start', 'PHASE_TRANSITION_STANDARD', '--metadata', '[1]'], /must be a JSON object/],
        [['--handoff', 'x', '--start', 'PHASE_TRANSITION_STANDARD', '--metadata', '{nope'], /--metadata is not JSON/],
        [['--handoff', 'x', '--target-agent', 'typed_target'], /go with --start/],
        [['--handoff', 'x', '--agent', 'typed_target'], /Unknown option '--agent'/],
        [['--start', 'PHASE_TRANSITION_STANDARD'], /--handoff <handoffId> is required/],
        [['--handoff', 'x', '--start', 'PHASE_TRANSITION_STANDARD'], /AGENT_NOT_REGISTERED|targetAgent/],
      ] as const;
      for (const [args, message] of wrong) {
        const example = runExample([...url, ...args]);
        expect(await example.exited, args.join(' ')).toBe(2);
        expect(example.stderr(), args.join(' ')).toMatch(message);
      }
    } finally {
      await server.close();
    }
  }, 120_000);

  it('gives up at once on what the server refuses (an unknown handoff), instead of reconnecting', async () => {
    const server = await startTestServer();
    try {
      const reconnects: number[] = [];
      const follow = followHandoffProgress({
        url: server.wsUrl,
        handoffId: 'no_such_handoff',
        onReconnect: ({ attempt }) => reconnects.push(attempt),
      });
      const failure = await follow.next().then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(GraphQLRequestError);
      expect((failure as GraphQLRequestError).errors[0].extensions?.code).toBe('NOT_FOUND');
      expect(reconnects).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('gives up at once when the server refuses its key (4403), instead of reconnecting', async () => {
    const server = await startTestServer({ API_KEYS: 'ops:operator:typed-client-key-0123456789' });
    try {
      const reconnects: number[] = [];
      const follow = followHandoffProgress({
        url: server.wsUrl,
        apiKey: 'not-a-key-of-this-server',
        handoffId: 'h',
        onReconnect: ({ attempt }) => reconnects.push(attempt),
      });
      const failure = await follow.next().then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 4403 });
      expect(reconnects).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
