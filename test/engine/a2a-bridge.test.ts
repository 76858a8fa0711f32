import { afterEach, describe, expect, it } from 'vitest';
import type { A2AAgentLink, A2ACardSummary } from '../../src/engine/a2a/a2a-agent.js';
import { type A2APeers, type OutboundMessage, PeerError } from '../../src/engine/a2a/a2a-peers.js';
import type { RemoteTask, RemoteTaskState } from '../../src/engine/a2a/remote-task.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

const CARD: A2ACardSummary = {
  name: 'Scripted',
  description: '',
  version: '1',
  url: 'http://agent.test/a2a',
  protocolBinding: 'JSONRPC',
  protocolVersion: '1.0',
  streaming: false,
  pushNotifications: false,
  skills: [{ id: 'review', name: 'Review', description: '', tags: [] }],
  raw: {},
};

/**
 * An A2A agent that does not stream, scripted call by call: the tests say what a send, a
 * listing or a read answers, and it records every call. Its tasks move only when a test moves them.
 */
class ScriptedAgent implements A2APeers {
  readonly tasks = new Map<string, RemoteTask>();
  readonly sent: OutboundMessage[] = [];
  readonly calls: string[] = [];
  /** Thrown by the next send, after (`lost: true`: the agent made its task, the answer is lost) or instead of the work. */
  failNextSend: { failure: PeerError; lost: boolean } | null = null;
  canList = true;

  task(id: string, state: RemoteTaskState, extra: Partial<RemoteTask> = {}): RemoteTask {
    const task: RemoteTask = {
      id,
      contextId: this.tasks.get(id)?.contextId ?? '',
      state,
      statusMessageId: `${id}:${state}`,
      statusParts: [],
      statusMetadata: null,
      artifacts: [],
      ...extra,
    };
    this.tasks.set(id, { ...this.tasks.get(id), ...task });
    return this.tasks.get(id)!;
  }

  async readCard(): Promise<A2ACardSummary> {
    return CARD;
  }

  async *send(_agent: A2AAgentLink, message: OutboundMessage): AsyncIterable<RemoteTask> {
    this.calls.push(`send ${message.messageId}`);
    const failing = this.failNextSend;
    this.failNextSend = null;
    if (failing && !failing.lost) throw failing.failure;
    this.sent.push(message);
    const id = message.taskId ?? `remote-${this.tasks.size + 1}`;
    const task = this.task(id, 'working', { contextId: message.contextId });
    if (failing) throw failing.failure;
    yield task;
  }

  // biome-ignore lint/correctness/useYield: the scripted agent does not stream
  async *subscribe(): AsyncIterable<RemoteTask> {
    throw new PeerError('unsupported', 'no streaming');
  }

  async get(_agent: A2AAgentLink, taskId: string): Promise<RemoteTask> {
    this.calls.push(`get ${taskId}`);
    const task = this.tasks.get(taskId);
    if (!task) throw new PeerError('task-not-found', `no task ${taskId}`);
    return task;
  }

  async findByContext(_agent: A2AAgentLink, contextId: string): Promise<RemoteTask | null> {
    this.calls.push(`list ${contextId}`);
    if (!this.canList) throw new PeerError('unsupported', 'ListTasks is not supported');
    return [...this.tasks.values()].find((task) => task.contextId === contextId) ?? null;
  }

  async cancel(_agent: A2AAgentLink, taskId: string): Promise<RemoteTask> {
    this.calls.push(`cancel ${taskId}`);
    return this.task(taskId, 'canceled');
  }
}

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** An engine whose bridge calls `agent`, on `db` (a second one on the same db is the next process of a restart). */
async function engineOn(clock: ManualClock, agent: ScriptedAgent, db: SqliteDatabase, owner: string): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(db, owner),
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: 10,
      webhookAllowList: ['agent.test'],
      a2aPollMaxMs: 2_000,
    },
    clock,
    owner,
    random: seededRandom(7),
    a2aPeers: agent,
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

async function bridged(
  clock: ManualClock,
  agent: ScriptedAgent,
  retry = 1,
  db = SqliteDatabase.inMemory(),
  wrap: (stores: EngineStores) => EngineStores = (stores) => stores,
): Promise<Engine> {
  const engine = await createEngine({
    stores: wrap(await testStores(db, 'solo')),
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: 10,
      webhookAllowList: ['agent.test'],
      a2aPollMaxMs: 2_000,
    },
    clock,
    owner: 'solo',
    random: seededRandom(7),
    a2aPeers: agent,
  });
  await engine.start();
  engines.push(engine);
  const registered = await engine.a2aAgents.register({ cardUrl: 'http://agent.test/card.json', agentId: 'scripted' });
  if (!registered.ok) throw new Error(JSON.stringify(registered.errors));
  const defined = await engine.procedures.create({
    id: 'A2A',
    name: 'A2A',
    steps: [
      {
        id: 'review',
        name: 'review',
        kind: 'agent_task',
        params: { agentId: 'scripted', input: { change: 1 } },
        timeoutMs: 600_000,
        retry: { maxAttempts: retry, initialDelayMs: 10 },
      },
    ],
  });
  if (!defined.ok) throw new Error(JSON.stringify(defined.errors));
  return engine;
}

/**
 * The stores of a process that dies the moment its bridge has stored a question: every agent-task
 * write after that one fails, as if nothing after it reached the store.
 */
function dyingAfterAsk(stores: EngineStores): EngineStores {
  let asked = false;
  const writes = new Set(['ask', 'heartbeat', 'complete', 'fail', 'claim', 'takeOver']);
  const agentTasks = new Proxy(stores.agentTasks, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || !writes.has(String(name))) return value;
      return async (...args: unknown[]) => {
        if (asked) throw new Error('the process died');
        const result = await value.apply(target, args);
        if (name === 'ask') asked = true;
        return result;
      };
    },
  });
  return { ...stores, agentTasks };
}

async function finished(engine: Engine, clock: ManualClock, id: string) {
  await clock.runUntil(async () => ['COMPLETED', 'FAILED'].includes((await engine.handoffs.get(id))!.status), 50);
  return (await engine.handoffs.get(id))!;
}

describe('the A2A bridge, against a scripted agent on virtual time', () => {
  it('finds the task of a message whose answer was lost by its context, and sends nothing twice', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    agent.failNextSend = { failure: new PeerError('unreachable', 'connection reset'), lost: true };
    const engine = await bridged(clock, agent);
    await engine.handoffs.initiate({ handoffId: 'h1', procedureId: 'A2A' });
    await clock.runUntil(() => agent.calls.some((call) => call.startsWith('list ')), 50);
    agent.task('remote-1', 'completed', {
      artifacts: [{ artifactId: 'a', name: 'a', description: '', parts: [{ data: { ok: true } }] }],
    });
    const handoff = await finished(engine, clock, 'h1');
    expect(handoff.status).toBe('COMPLETED');
    expect(handoff.steps[0]!.output).toMatchObject({ data: { ok: true }, a2a: { taskId: 'remote-1' } });
    expect(agent.sent).toHaveLength(1);
  });

  it('sends the same message again, same ids, to an agent that cannot list tasks and never got it', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    agent.canList = false;
    agent.failNextSend = { failure: new PeerError('unreachable', 'connection refused'), lost: false };
    const engine = await bridged(clock, agent);
    await engine.handoffs.initiate({ handoffId: 'h2', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 50);
    const sends = agent.calls.filter((call) => call.startsWith('send '));
    expect(sends).toHaveLength(2);
    expect(sends[0]).toBe(sends[1]);
    expect(agent.sent[0]).toMatchObject({ taskId: null, parts: [{ data: { change: 1 } }] });
    expect(agent.sent[0]!.contextId).toBe(agent.sent[0]!.messageId);
    agent.task('remote-1', 'completed');
    expect((await finished(engine, clock, 'h2')).status).toBe('COMPLETED');
  });

  it('polls an agent that does not stream, waiting twice as long while nothing changes, up to A2A_POLL_MAX_MS', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    const engine = await bridged(clock, agent);
    await engine.handoffs.initiate({ handoffId: 'h3', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 10);
    const start = clock.now();
    const polls: number[] = [];
    await clock.runUntil(async () => {
      const gets = agent.calls.filter((call) => call.startsWith('get ')).length;
      while (polls.length < gets) polls.push(clock.now() - start);
      return gets >= 7;
    }, 10);
    // (The first poll is 250 ms after the send; `start` was noticed up to 10 ms after it.)
    expect(polls[0]).toBeLessThanOrEqual(250);
    const gaps = polls.slice(1).map((at, index) => at - polls[index]!);
    expect(gaps).toEqual([500, 1_000, 2_000, 2_000, 2_000, 2_000]);
  });

  it('a failure the agent marks not retryable fails the step for good; a plain one is retried as a new A2A task', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    const engine = await bridged(clock, agent, 3);
    await engine.handoffs.initiate({ handoffId: 'h4', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 10);
    agent.task('remote-1', 'failed', { statusParts: [{ text: 'the model timed out' }] });
    await clock.runUntil(() => agent.sent.length === 2, 10);
    agent.task('remote-2', 'failed', {
      statusParts: [{ text: 'this change is not reviewable' }],
      statusMetadata: { retryable: false },
    });
    const handoff = await finished(engine, clock, 'h4');
    expect(handoff.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2, errorCode: 'A2A_FAILED' });
    expect(handoff.steps[0]!.error).toContain('this change is not reviewable');
    expect(agent.sent.map((message) => message.messageId)).toHaveLength(2);
    expect(new Set(agent.sent.map((message) => message.messageId)).size).toBe(2);
  });

  it('a task the agent no longer knows fails the attempt (A2A_TASK_LOST)', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    const engine = await bridged(clock, agent);
    await engine.handoffs.initiate({ handoffId: 'h5', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 10);
    agent.tasks.clear();
    const handoff = await finished(engine, clock, 'h5');
    expect(handoff.steps[0]).toMatchObject({ status: 'FAILED', errorCode: 'A2A_TASK_LOST' });
  });

  it('after its process stopped, the next one takes the claim over and follows the same A2A task, asking nothing twice', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    const db = SqliteDatabase.inMemory();
    const first = await bridged(clock, agent, 1, db);
    await first.handoffs.initiate({ handoffId: 'h6', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 10);
    agent.task('remote-1', 'input-required', { statusMessageId: 'q1', statusParts: [{ text: 'Which region?' }] });
    const asked = async () => (await first.agentTasks.openOf('h6'))[0];
    await clock.runUntil(async () => (await asked())?.question !== null && (await asked())?.question !== undefined, 50);
    const before = (await asked())!;
    expect(before).toMatchObject({ claimedBy: 'a2a:bridge', question: { seq: 1, text: 'Which region?' } });

    // The process goes away (its bridge's token with it); the next one starts on the same store.
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    const second = await engineOn(clock, agent, db, 'second');
    await clock.runUntil(async () => (await second.agentTasks.get(before.id))!.tokenDigest !== before.tokenDigest, 50);
    const taken = (await second.agentTasks.get(before.id))!;
    expect(taken).toMatchObject({ status: 'CLAIMED', claimedBy: 'a2a:bridge', question: { seq: 1 } });

    const answered = await second.handoffs.signal('h6', 'review', { region: 'eu' }, { actor: null });
    expect(answered.ok).toBe(true);
    await clock.runUntil(() => agent.sent.length === 2, 50);
    expect(agent.sent[1]).toMatchObject({ taskId: 'remote-1', parts: [{ data: { region: 'eu' } }] });
    agent.task('remote-1', 'completed');
    expect((await finished(second, clock, 'h6')).status).toBe('COMPLETED');
    // One A2A task (one message without a taskId), one question.
    expect(agent.sent.filter((message) => message.taskId === null)).toHaveLength(1);
    expect((await second.agentTasks.get(before.id))!.question?.seq).toBe(1);
  });

  it('a process that dies right after storing a question leaves it known to the next: the answer reaches the agent, nothing is asked twice', async () => {
    const clock = new ManualClock();
    const agent = new ScriptedAgent();
    const db = SqliteDatabase.inMemory();
    const first = await bridged(clock, agent, 1, db, dyingAfterAsk);
    await first.handoffs.initiate({ handoffId: 'h7', procedureId: 'A2A' });
    await clock.runUntil(() => agent.sent.length === 1, 10);
    agent.task('remote-1', 'input-required', { statusMessageId: 'q1', statusParts: [{ text: 'Which region?' }] });
    const open = async () => (await first.agentTasks.openOf('h7'))[0];
    await clock.runUntil(async () => (await open())?.question?.seq === 1, 50);
    const before = (await open())!;
    await first.stop();
    engines.splice(engines.indexOf(first), 1);

    const second = await engineOn(clock, agent, db, 'second');
    await clock.runUntil(async () => (await second.agentTasks.get(before.id))!.tokenDigest !== before.tokenDigest, 50);
    // The question is answered as soon as the next process holds the task, before its run looks at the agent.
    expect((await second.handoffs.signal('h7', 'review', { region: 'eu' }, { actor: null })).ok).toBe(true);
    await clock.runUntil(() => agent.sent.length === 2, 50);
    expect(agent.sent[1]).toMatchObject({ taskId: 'remote-1', parts: [{ data: { region: 'eu' } }] });
    agent.task('remote-1', 'completed');
    expect((await finished(second, clock, 'h7')).status).toBe('COMPLETED');
    expect((await second.agentTasks.get(before.id))!.question?.seq).toBe(1);
  });
});
