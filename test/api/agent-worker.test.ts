import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorker,
  filePosition,
  TaskFailure,
  type Worker,
  type WorkerOptions,
} from '../../packages/worker/src/index.js';
import { followFeed } from '../support/agent-feed.js';
import {
  createProcedure,
  follow,
  getHandoff,
  initiate,
  quickStep,
  registerReadyAgents,
} from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A TCP relay in front of the server whose connections the test can cut, as a flaky network would. */
async function relayTo(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () =>
      new Promise((resolve) => {
        relay.close(() => resolve());
        open.forEach((socket) => socket.destroy());
      }),
  };
}

let server: TestServer;
const workers: Worker[] = [];
const dirs: string[] = [];

/** A worker on the test server whose log lines are kept; stopped after each test. */
function startWorker(options: Partial<WorkerOptions> & Pick<WorkerOptions, 'agent' | 'handle'>) {
  const lines: string[] = [];
  const worker = createWorker({ url: server.url, log: (line) => lines.push(line), ...options });
  workers.push(worker);
  return { worker, lines, started: worker.start() };
}

/** A one-step procedure whose step is an agent task with `params` and `extra` (timeout, retry). */
async function taskProcedure(id: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const step = quickStep('work', 'AGENT_TASK', params, { timeoutMs: 30_000, ...extra });
  expect((await createProcedure(server, { id, name: id, steps: [step] })).userErrors).toEqual([]);
}

async function start(handoffId: string, procedureId: string, targetAgent: string) {
  const started = await initiate(server, { handoffId, procedureId, sourceAgent: 'lead', targetAgent });
  expect(started.userErrors).toEqual([]);
}

beforeAll(async () => {
  server = await startTestServer();
  await registerReadyAgents(server, 'lead', 'worker_agent');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await server.close();
});

describe('@handoff/worker', () => {
  it('does its tasks, and resumes its feed after the network drops its connection', async () => {
    // A claim whose answer the cut loses leaves its task to time out: the next attempt is offered (no timing is assumed).
    const step = (id: string) =>
      quickStep(
        id,
        'AGENT_TASK',
        { input: { item: id } },
        { timeoutMs: 3_000, retry: { maxAttempts: 10, initialDelayMs: 1 } },
      );
    const procedure = { id: 'THREE_REVIEWS', name: 'three reviews', steps: [step('one'), step('two'), step('three')] };
    expect((await createProcedure(server, procedure)).userErrors).toEqual([]);
    const relay = await relayTo(Number(new URL(server.url).port));
    const handled: string[] = [];
    const { lines, started } = startWorker({
      agent: 'worker_agent',
      url: `http://127.0.0.1:${relay.port}/graphql`,
      handle: async (task) => {
        handled.push(task.taskId);
        return { reviewed: (task.input as { item: string }).item };
      },
    });
    try {
      await started;
      const watch = followFeed(server.wsClient(), 'worker_agent');
      await start('worker_1', 'THREE_REVIEWS', 'worker_agent');
      await watch.until((entry) => entry.type === 'TASK_COMPLETED' && entry.step === 'one');
      relay.cut();
      const events = await follow(server, 'worker_1');
      expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
      watch.stop();
      expect(lines.some((line) => line.startsWith('feed connection lost'))).toBe(true);
      // Each task was handled once, and each step was done by one of them.
      expect(new Set(handled).size).toBe(handled.length);
      const handoff = await getHandoff(server, 'worker_1');
      expect(handoff.steps.map((s: any) => s.output)).toEqual(
        ['one', 'two', 'three'].map((reviewed) => ({ reviewed })),
      );
    } finally {
      await relay.close();
    }
  });

  it("leaves the agent's registration as it is, unless asked to register it", async () => {
    const register = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { userErrors { code } } }`;
    await server.gql(register, {
      input: { id: 'both_ways', capabilities: ['planning'], permissions: ['handoff:send', 'handoff:receive'] },
    });
    const registration = async () =>
      (await server.gql(`{ agent(id: "both_ways") { capabilities permissions status } }`)).data.agent;
    const { worker, started } = startWorker({ agent: 'both_ways', handle: () => ({}) });
    await started;
    await worker.stop();
    expect(await registration()).toEqual({
      capabilities: ['planning'],
      permissions: ['handoff:send', 'handoff:receive'],
      status: 'READY',
    });

    const asked = startWorker({
      agent: 'both_ways',
      handle: () => ({}),
      register: { capabilities: ['review'], permissions: ['handoff:receive'] },
    });
    await asked.started;
    expect(await registration()).toMatchObject({ capabilities: ['review'], permissions: ['handoff:receive'] });

    const unknown = startWorker({ agent: 'nobody_registered', handle: () => ({}) });
    await unknown.started;
    await new Promise<void>((resolve) => {
      const check = () =>
        unknown.lines.some((line) => line.includes('is not registered')) ? resolve() : setTimeout(check, 20);
      check();
    });
    expect((await server.gql(`{ agent(id: "nobody_registered") { agentId } }`)).data.agent).toBeNull();
  });

  it('fails a task for good or for another attempt, as the handler says', async () => {
    await taskProcedure('FAILING_WORK', {}, { retry: { maxAttempts: 3, initialDelayMs: 1 } });
    const attempts = new Map<string, number>();
    startWorker({
      agent: 'worker_agent',
      handle: (task) => {
        const seen = (attempts.get(task.handoffId) ?? 0) + 1;
        attempts.set(task.handoffId, seen);
        if (task.handoffId === 'fails_for_good')
          throw new TaskFailure('QUOTA_EXCEEDED', 'no quota left', { retryable: false });
        if (seen === 1) throw new Error('flaky tool');
        return { attempt: task.attempt };
      },
    }).started;
    await start('fails_for_good', 'FAILING_WORK', 'worker_agent');
    await start('fails_once', 'FAILING_WORK', 'worker_agent');
    expect((await follow(server, 'fails_for_good')).at(-1)!.type).toBe('HANDOFF_FAILED');
    expect((await follow(server, 'fails_once')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect(attempts.get('fails_for_good')).toBe(1);
    const failed = await server.gql(
      `{ agent(id: "worker_agent") { tasks(first: 10, status: [FAILED]) { edges { node { handoffId failure { code retryable } } } } } }`,
    );
    const failures = failed.data.agent.tasks.edges.map((edge: any) => edge.node);
    expect(failures).toContainEqual({
      handoffId: 'fails_for_good',
      failure: { code: 'QUOTA_EXCEEDED', retryable: false },
    });
    expect(failures).toContainEqual({ handoffId: 'fails_once', failure: { code: 'HANDLER_ERROR', retryable: true } });
    expect((await getHandoff(server, 'fails_once')).steps[0].output).toEqual({ attempt: 2 });
  });

  it('heartbeats while the handler runs, so a long task is not taken back', async () => {
    await taskProcedure('LONG_WORK', { heartbeatTimeoutMs: 1_500 });
    const beats = `query($id: ID!) { agentTask(taskId: $id) { lastHeartbeatAt } }`;
    startWorker({
      agent: 'worker_agent',
      // Runs until the server has seen four heartbeats (one per third of the timeout): longer than the timeout allows without them.
      handle: async (task, ctx) => {
        const seen = new Set<string>();
        while (seen.size < 4) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          const at = (await server.gql(beats, { id: task.taskId })).data.agentTask.lastHeartbeatAt;
          if (at) seen.add(at);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return { heartbeats: seen.size };
      },
    }).started;
    await start('long_1', 'LONG_WORK', 'worker_agent');
    expect((await follow(server, 'long_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect((await getHandoff(server, 'long_1')).steps[0]).toMatchObject({ attempts: 1, output: { heartbeats: 4 } });
  });

  it('hands a running task back when stopped, and another worker finishes the step', async () => {
    await taskProcedure('HANDED_BACK', {}, { retry: { maxAttempts: 3, initialDelayMs: 1 } });
    const first = startWorker({
      agent: 'worker_agent',
      stopGraceMs: 0,
      handle: (_task, ctx) =>
        new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    });
    await first.started;
    const watch = followFeed(server.wsClient(), 'worker_agent');
    await start('handed_back', 'HANDED_BACK', 'worker_agent');
    await watch.until((entry) => entry.type === 'TASK_CLAIMED' && entry.handoffId === 'handed_back');
    await first.worker.stop();
    watch.stop();
    startWorker({ agent: 'worker_agent', handle: () => ({ finishedBy: 'second' }) }).started;
    expect((await follow(server, 'handed_back')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    const tasks = await server.gql(
      `{ agent(id: "worker_agent") { tasks(first: 5) { edges { node { handoffId attempt status failure { code retryable } } } } } }`,
    );
    const ours = tasks.data.agent.tasks.edges
      .map((edge: any) => edge.node)
      .filter((t: any) => t.handoffId === 'handed_back');
    expect(ours).toEqual([
      { handoffId: 'handed_back', attempt: 2, status: 'COMPLETED', failure: null },
      { handoffId: 'handed_back', attempt: 1, status: 'FAILED', failure: { code: 'WORKER_STOPPED', retryable: true } },
    ]);
  });

  it('resumes after the last handled feed entry kept in a file, and ignores a position from another server', async () => {
    await taskProcedure('RESUMED_WORK');
    await registerReadyAgents(server, 'lead', 'resuming_agent');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-worker-position-'));
    dirs.push(dir);
    const file = path.join(dir, 'resuming_agent.json');
    const handled: string[] = [];
    const handle = (task: { taskId: string }) => {
      handled.push(task.taskId);
      return {};
    };
    const first = startWorker({ agent: 'resuming_agent', position: filePosition(file), handle });
    await first.started;
    await start('resumed_1', 'RESUMED_WORK', 'resuming_agent');
    expect((await follow(server, 'resumed_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    await first.worker.stop();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved.agentId).toBe('resuming_agent');
    expect(saved.seq).toBeGreaterThan(0);

    const second = startWorker({ agent: 'resuming_agent', position: filePosition(file), handle });
    await second.started;
    expect(second.lines[0]).toBe(`following the feed after seq ${saved.seq}`);
    await start('resumed_2', 'RESUMED_WORK', 'resuming_agent');
    expect((await follow(server, 'resumed_2')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect(handled).toHaveLength(2);
    await second.worker.stop();

    // A position saved against another store names an entry this feed does not have as it was: read from the start.
    fs.writeFileSync(file, JSON.stringify({ agentId: 'resuming_agent', seq: 3, at: '2001-01-01T00:00:00.000Z' }));
    const third = startWorker({ agent: 'resuming_agent', position: filePosition(file), handle });
    await third.started;
    expect(third.lines).toContain('following the feed after seq 0');
  });
});
