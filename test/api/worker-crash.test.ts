import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonForTests } from '../support/python-env.js';
import { killAll, ROOT, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

const running: ServerProcess[] = [];
const workers: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const worker of workers.splice(0))
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A port free now, so a restarted server can come back where its workers look for it. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The workers under test: each runs as its own process, appending one line per handler call to a file. */
const WORKERS = [
  { name: 'TypeScript', command: () => [process.execPath, '--import', 'tsx', 'test/support/counting-worker.ts'] },
  { name: 'Python', command: () => [pythonForTests(), 'test/support/counting_worker.py'] },
];

const HANDOFFS = 6;

const PROCEDURE = {
  id: 'CRASH_REVIEW',
  name: 'A delivery the worker acknowledges, then a task it does',
  steps: [
    {
      id: 'hand_over',
      name: 'hand over',
      kind: 'TRANSFER_CONTEXT',
      params: { keys: ['plan'], awaitReceipt: true },
      timeoutMs: 120_000,
      retry: { maxAttempts: 5, initialDelayMs: 10 },
    },
    {
      id: 'review',
      name: 'review',
      kind: 'AGENT_TASK',
      params: { heartbeatTimeoutMs: 1_500 },
      timeoutMs: 120_000,
      retry: { maxAttempts: 8, initialDelayMs: 10 },
    },
  ],
};

describe.each(WORKERS)('the $name worker, killed and with its server killed mid-run', ({ command }) => {
  it('loses nothing and calls its handler once per task', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-worker-crash-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    const invocations = path.join(dir, 'invocations.log');
    const port = await freePort();
    const start = () => startServerProcess(dataDir, running, { PORT: String(port) });
    const startWorker = () => {
      const [program, ...args] = command();
      const worker = spawn(program, args, {
        cwd: ROOT,
        env: {
          ...process.env,
          HANDOFF_URL: `http://127.0.0.1:${port}/graphql`,
          AGENT_ID: 'crash_agent',
          POSITION_FILE: path.join(dir, 'position.json'),
          INVOCATIONS_FILE: invocations,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log = fs.createWriteStream(path.join(dir, 'worker.log'), { flags: 'a' });
      worker.stdout!.pipe(log);
      worker.stderr!.pipe(log);
      workers.push(worker);
      return worker;
    };
    const calls = () => (fs.existsSync(invocations) ? fs.readFileSync(invocations, 'utf8').trim().split('\n') : []);
    const killed = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });

    let server = await start();
    const setUp = [
      [
        `mutation { registerAgent(input: { id: "crash_lead", permissions: ["handoff:send"] }) { userErrors { code } } }`,
      ],
      [
        `mutation { registerAgent(input: { id: "crash_agent", permissions: ["handoff:receive"] }) { userErrors { code } } }`,
      ],
      [
        `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { code message } } }`,
        { input: PROCEDURE },
      ],
    ] as const;
    for (const [query, variables] of setUp) expect((await server.gql(query, variables)).errors).toBeUndefined();

    let worker = startWorker();
    for (let n = 1; n <= HANDOFFS; n++) {
      const started = await server.gql(
        `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { code message } } }`,
        {
          input: {
            handoffId: `crash_${n}`,
            procedureId: 'CRASH_REVIEW',
            sourceAgent: 'crash_lead',
            targetAgent: 'crash_agent',
            metadata: { plan: { n, title: `plan ${n}` } },
          },
        },
      );
      expect(started.data.initiateHandoff.userErrors).toEqual([]);
    }

    // Kill the worker while its handler runs, and start it again.
    await waitFor(
      async () => calls().length,
      (count) => count >= 1,
    );
    await killed(worker);
    worker = startWorker();
    // Kill the server while the new worker is working, and start it again on the same store and port.
    const before = calls().length;
    await waitFor(
      async () => calls().length,
      (count) => count > before,
    );
    await killed(server.server.child);
    server = await start();

    const statuses = `{ handoffs(first: 20) { edges { node { handoffId status steps { id status output } } } } }`;
    const finished = await waitFor(
      async () => (await server.gql(statuses)).data.handoffs.edges.map((edge: any) => edge.node),
      (handoffs) => handoffs.length === HANDOFFS && handoffs.every((h: any) => h.status === 'COMPLETED'),
    );
    // Every delivery was acknowledged (the steps waiting for receipts finished), every review done once per task.
    for (const handoff of finished) expect(handoff.steps[1].output.context).toEqual({ plan: expect.any(Object) });
    const perTask = new Map<string, number>();
    for (const line of calls()) perTask.set(line.split(' ')[0], (perTask.get(line.split(' ')[0]) ?? 0) + 1);
    expect([...perTask.values()].filter((count) => count > 1)).toEqual([]);
    const tasks = await server.gql(
      `{ agent(id: "crash_agent") { tasks(first: 100, status: [COMPLETED]) { edges { node { taskId handoffId } } } } }`,
    );
    const completed = tasks.data.agent.tasks.edges.map((edge: any) => edge.node);
    expect(completed.map((task: any) => task.handoffId).sort()).toEqual(finished.map((h: any) => h.handoffId).sort());
    for (const task of completed) expect(perTask.get(task.taskId)).toBe(1);
  }, 120_000);
});
