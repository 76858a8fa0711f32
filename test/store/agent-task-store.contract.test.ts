import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTask } from '../../src/engine/tasks/agent-task.js';
import type { AgentTaskStore } from '../../src/engine/tasks/agent-task-store.js';
import type { Database } from '../../src/store/collection.js';
import { AgentTaskRepository } from '../../src/store/repositories/agent-task-repository.js';
import { type AdapterFixture, adapterFixtures } from './adapters.js';

function agentTask(id: string, overrides: Partial<AgentTask> = {}): AgentTask {
  return {
    id,
    handoffId: 'h1',
    actionId: 'review',
    name: 'Review',
    compensation: false,
    attempt: 1,
    agentId: 'bob',
    input: { 'dotted.key': { $gt: 1 } },
    heartbeatTimeoutMs: 1_000,
    status: 'OFFERED',
    offeredAt: 100,
    deadlineAt: 10_100,
    claimedAt: null,
    claimedBy: null,
    tokenDigest: null,
    lastHeartbeatAt: null,
    progress: null,
    finishedAt: null,
    output: null,
    failure: null,
    withdrawal: null,
    question: null,
    answer: null,
    traceparent: null,
    ...overrides,
  };
}

/** The agent task port on every adapter. */
function agentTaskContract(fixture: AdapterFixture): void {
  let db: Database;
  let tasks: AgentTaskStore;

  beforeEach(async () => {
    db = await fixture.open();
    tasks = await AgentTaskRepository.open(db);
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it('offers a task and reads it back as it was, free-form data included', async () => {
    expect(await tasks.offer(agentTask('t1'), 100)).toEqual({ superseded: [] });
    expect(await tasks.get('t1')).toEqual(agentTask('t1'));
    expect(await tasks.get('nope')).toBeNull();
    expect((await tasks.getMany(['nope', 't1'])).map((task) => task?.id ?? null)).toEqual([null, 't1']);
  });

  it("keeps an attempt's trace context; a task stored before it was recorded reads as having none", async () => {
    const traceparent = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
    await tasks.offer(agentTask('traced', { traceparent }), 100);
    await tasks.claim('traced', 'digest', 'w', 200);
    expect(await tasks.get('traced')).toMatchObject({ status: 'CLAIMED', traceparent });
    // A document as written before the field existed.
    const { id, traceparent: _absent, ...older } = agentTask('older');
    const raw = await db.collection<{ _id: string } & Record<string, unknown>>('agent_tasks');
    await raw.insertOne({ _id: id, ...older, input: 'null', progress: 'null', output: 'null' });
    expect(await tasks.get('older')).toEqual(agentTask('older', { input: null }));
  });

  it('lets exactly one of many concurrent claims win, and only from OFFERED', async () => {
    await tasks.offer(agentTask('t1'), 100);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => tasks.claim('t1', `digest-${i}`, `worker-${i}`, 200 + i)),
    );
    const won = claims.filter((task) => task !== null);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({
      status: 'CLAIMED',
      claimedAt: won[0]!.lastHeartbeatAt,
      claimedBy: expect.stringMatching(/^worker-/),
    });
    expect(await tasks.claim('t1', 'late', 'late', 300)).toBeNull();
  });

  it('takes heartbeats, a completion or a failure only from the holder of the token, once', async () => {
    await tasks.offer(agentTask('t1'), 100);
    await tasks.offer(agentTask('t2', { actionId: 'other' }), 100);
    await tasks.claim('t1', 'good', 'w', 200);
    await tasks.claim('t2', 'good', 'w', 200);
    expect(await tasks.heartbeat('t1', 'bad', { pct: 10 }, 250)).toBeNull();
    expect(await tasks.heartbeat('t1', 'good', { pct: 50, $op: 1 }, 300)).toMatchObject({
      lastHeartbeatAt: 300,
      progress: { pct: 50, $op: 1 },
    });
    expect(await tasks.complete('t1', 'bad', { ok: true }, 400)).toBeNull();
    expect(await tasks.complete('t1', 'good', { ok: true }, 400)).toMatchObject({
      status: 'COMPLETED',
      output: { ok: true },
      finishedAt: 400,
    });
    expect(await tasks.complete('t1', 'good', { ok: false }, 401)).toBeNull();
    expect(await tasks.fail('t1', 'good', { code: 'X', message: 'late', retryable: true }, 402)).toBeNull();
    expect(await tasks.heartbeat('t1', 'good', null, 403)).toBeNull();
    const failure = { code: 'QUOTA', message: 'out of quota', retryable: false };
    expect(await tasks.fail('t2', 'good', failure, 500)).toMatchObject({ status: 'FAILED', failure, finishedAt: 500 });
  });

  it('lets the claimer take its claim over under a new token only while the last heartbeat is the one judged stale', async () => {
    await tasks.offer(agentTask('t1'), 100);
    expect(await tasks.takeOver('t1', 'bridge', null, 'new', 150)).toBeNull();
    await tasks.claim('t1', 'old', 'bridge', 200);
    await tasks.heartbeat('t1', 'old', null, 300);
    expect(await tasks.takeOver('t1', 'someone-else', 300, 'new', 400)).toBeNull();
    expect(await tasks.takeOver('t1', 'bridge', 200, 'new', 400)).toBeNull();
    expect(await tasks.takeOver('t1', 'bridge', 300, 'new', 400)).toMatchObject({
      status: 'CLAIMED',
      tokenDigest: 'new',
      claimedBy: 'bridge',
      lastHeartbeatAt: 400,
    });
    // The old token holds nothing now; a second taker judging the same heartbeat loses.
    expect(await tasks.heartbeat('t1', 'old', null, 500)).toBeNull();
    expect(await tasks.takeOver('t1', 'bridge', 300, 'newer', 500)).toBeNull();
    expect(await tasks.heartbeat('t1', 'new', null, 500)).toMatchObject({ lastHeartbeatAt: 500 });
  });

  it('numbers the questions the token holder asks, and takes one answer per open question', async () => {
    await tasks.offer(agentTask('t1'), 100);
    expect(await tasks.ask('t1', 'good', { text: 'which?', data: null }, 150)).toBeNull();
    await tasks.claim('t1', 'good', 'w', 200);
    expect(await tasks.ask('t1', 'bad', { text: 'which?', data: null }, 250)).toBeNull();
    const asked = await tasks.ask('t1', 'good', { text: 'which?', data: { $in: ['a', 'b'], 'x.y': 1 } }, 300);
    expect(asked).toMatchObject({
      lastHeartbeatAt: 300,
      question: { seq: 1, text: 'which?', data: { $in: ['a', 'b'], 'x.y': 1 }, askedAt: 300 },
      answer: null,
    });
    const answer = {
      seq: 1,
      outcome: 'APPROVE' as const,
      payload: { $set: 'a' },
      reason: null,
      actor: { keyName: 'ops', agentId: null },
      answeredAt: 400,
    };
    expect(await tasks.answer('t1', { ...answer, seq: 2 })).toBeNull();
    expect(await tasks.answer('t1', answer)).toMatchObject({ answer });
    expect(await tasks.answer('t1', { ...answer, payload: 'again' })).toBeNull();
    expect((await tasks.ask('t1', 'good', { text: 'and then?', data: null }, 500))?.question?.seq).toBe(2);
    // Progress given with a question is written with it; without, the last heartbeat's stays.
    expect(await tasks.ask('t1', 'good', { text: 'third?', data: null }, 510, { key: 'q3' })).toMatchObject({
      question: { seq: 3 },
      progress: { key: 'q3' },
    });
    expect(await tasks.ask('t1', 'good', { text: 'fourth?', data: null }, 520)).toMatchObject({
      question: { seq: 4 },
      progress: { key: 'q3' },
    });
    await tasks.withdraw('t1', 'CANCELLED', 'stop', 600);
    expect(await tasks.answer('t1', { ...answer, seq: 2 })).toBeNull();
  });

  it('withdraws open tasks only, and a heartbeat timeout only while the heartbeat it judged stale is the last one', async () => {
    await tasks.offer(agentTask('t1'), 100);
    expect(await tasks.withdraw('t1', 'CANCELLED', 'handoff cancelled', 150)).toMatchObject({
      status: 'WITHDRAWN',
      finishedAt: 150,
      withdrawal: { cause: 'CANCELLED', reason: 'handoff cancelled' },
    });
    expect(await tasks.withdraw('t1', 'STEP_TIMEOUT', 'again', 160)).toBeNull();
    expect(await tasks.claim('t1', 'good', 'w', 170)).toBeNull();

    await tasks.offer(agentTask('t2', { actionId: 'other' }), 100);
    await tasks.claim('t2', 'good', 'w', 200);
    await tasks.heartbeat('t2', 'good', null, 300);
    expect(await tasks.withdraw('t2', 'HEARTBEAT_TIMEOUT', 'silent', 1_250, 200)).toBeNull();
    expect(await tasks.withdraw('t2', 'HEARTBEAT_TIMEOUT', 'silent', 1_350, 300)).toMatchObject({
      status: 'WITHDRAWN',
      withdrawal: { cause: 'HEARTBEAT_TIMEOUT' },
    });
  });

  it('withdraws the open tasks of earlier attempts of an action when a new one is offered', async () => {
    await tasks.offer(agentTask('a1'), 100);
    await tasks.claim('a1', 'good', 'w', 150);
    await tasks.offer(agentTask('other', { actionId: 'other' }), 100);
    const { superseded } = await tasks.offer(agentTask('a2', { attempt: 2, offeredAt: 200 }), 200);
    expect(superseded.map((task) => [task.id, task.status, task.withdrawal?.cause])).toEqual([
      ['a1', 'WITHDRAWN', 'SUPERSEDED'],
    ]);
    expect(await tasks.complete('a1', 'good', {}, 210)).toBeNull();
    expect((await tasks.openOf('h1')).map((task) => task.id).sort()).toEqual(['a2', 'other']);
    expect((await tasks.ofAction('h1', 'review')).map((task) => [task.id, task.attempt])).toEqual([
      ['a1', 1],
      ['a2', 2],
    ]);
  });

  it("pages an agent's tasks newest first, by status, and counts them", async () => {
    for (let i = 0; i < 5; i++)
      await tasks.offer(agentTask(`t${i}`, { actionId: `a${i}`, offeredAt: 100 + i }), 100 + i);
    await tasks.offer(agentTask('theirs', { agentId: 'ana' }), 100);
    await tasks.claim('t1', 'd', 'w', 200);
    const first = await tasks.page({ agentId: 'bob' }, { first: 3 });
    expect(first.items.map((item) => item.node.id)).toEqual(['t4', 't3', 't2']);
    const rest = await tasks.page({ agentId: 'bob' }, { first: 3, after: first.items.at(-1)!.cursor });
    expect(rest.items.map((item) => item.node.id)).toEqual(['t1', 't0']);
    expect(
      (await tasks.page({ agentId: 'bob', statuses: ['CLAIMED'] }, { first: 10 })).items.map((item) => item.node.id),
    ).toEqual(['t1']);
    expect(await tasks.count({ agentId: 'bob', statuses: ['OFFERED'] })).toBe(4);
  });

  it('deletes every task of the handoffs retention deletes, and only theirs', async () => {
    await tasks.offer(agentTask('h1_a', { handoffId: 'h1', actionId: 'a' }), 100);
    await tasks.offer(agentTask('h1_b', { handoffId: 'h1', actionId: 'b' }), 100);
    await tasks.offer(agentTask('h2_a', { handoffId: 'h2', actionId: 'a' }), 100);
    await tasks.offer(agentTask('h3_a', { handoffId: 'h3', actionId: 'a' }), 100);
    expect(await tasks.deleteOfHandoffs(['h1', 'h3', 'unknown'])).toBe(3);
    expect((await tasks.getMany(['h1_a', 'h1_b', 'h2_a', 'h3_a'])).map((task) => task?.id ?? null)).toEqual([
      null,
      null,
      'h2_a',
      null,
    ]);
    expect(await tasks.count({ agentId: 'bob' })).toBe(1);
    expect(await tasks.deleteOfHandoffs([])).toBe(0);
  });
}

for (const fixture of adapterFixtures()) {
  const title = fixture.skipReason
    ? `agent task store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `agent task store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => agentTaskContract(fixture));
}
