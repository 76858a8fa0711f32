import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProcedure,
  follow,
  getHandoff,
  initiate,
  noopCompensation,
  PROGRESS,
  phaseContext,
  quickStep,
  registerReadyAgents,
} from '../support/handoff-fixtures.js';
import { collect } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp();
  await registerReadyAgents(server);
});

afterAll(async () => {
  await server.close();
});

/** Step events of a run, as "TYPE step" strings, for order checks. */
const stepTrail = (events: { type: string; step: string | null }[]) =>
  events.filter((e) => e.step !== null).map((e) => `${e.type} ${e.step}`);

describe('seed procedures', () => {
  it('runs PHASE_TRANSITION_STANDARD to completion and streams every step in order', async () => {
    const { handoff, userErrors } = await initiate(server, {
      handoffId: 'phase_ok_1',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      sourcePhase: 'phase_1',
      targetPhase: 'phase_2',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      handoffType: 'PHASE_TRANSITION',
      priority: 'MEDIUM',
      metadata: phaseContext(),
    });
    expect(userErrors).toEqual([]);
    expect(handoff.handoffId).toBe('phase_ok_1');

    const events = await follow(server, 'phase_ok_1');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect(stepTrail(events)).toEqual([
      'STEP_STARTED phase_completion_validation',
      'STEP_SUCCEEDED phase_completion_validation',
      'STEP_STARTED resource_handoff',
      'STEP_SUCCEEDED resource_handoff',
      'STEP_STARTED state_synchronization',
      'STEP_SUCCEEDED state_synchronization',
      'STEP_STARTED handoff_validation',
      'STEP_SUCCEEDED handoff_validation',
    ]);

    const stored = await getHandoff(server, 'phase_ok_1');
    expect(stored.status).toBe('COMPLETED');
    expect(stored.steps.map((s: { status: string }) => s.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(stored.steps[1].output).toMatchObject({
      keys: ['resources'],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('runs AGENT_HANDOFF_STANDARD to completion with ready agents', async () => {
    await initiate(server, {
      handoffId: 'agent_ok_1',
      procedureId: 'AGENT_HANDOFF_STANDARD',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      handoffType: 'AGENT_HANDOFF',
      metadata: { task: { title: 'write report' }, knowledge: ['notes'] },
    });
    const events = await follow(server, 'agent_ok_1');
    expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect(stepTrail(events).filter((t) => t.startsWith('STEP_SUCCEEDED'))).toEqual([
      'STEP_SUCCEEDED agent_readiness_check',
      'STEP_SUCCEEDED task_context_transfer',
      'STEP_SUCCEEDED knowledge_transfer',
      'STEP_SUCCEEDED handoff_confirmation',
    ]);
  });

  it('fails at the gates, running no step, when a critical rule fails', async () => {
    await initiate(server, {
      handoffId: 'gates_fail_1',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      metadata: { ...phaseContext(), phaseComplete: false },
    });
    const events = await follow(server, 'gates_fail_1');
    expect(events.map((e) => e.type)).toEqual(['HANDOFF_CREATED', 'GATES_FAILED', 'HANDOFF_FAILED']);
    expect(events[1].message).toContain('VR001');
    const stored = await getHandoff(server, 'gates_fail_1');
    expect(stored.status).toBe('FAILED');
    expect(stored.steps.every((s: { attempts: number }) => s.attempts === 0)).toBe(true);
  });
});

describe('retries, timeouts and rollback', () => {
  it('completes a step that fails twice then succeeds, recording 3 attempts', async () => {
    const created = await createProcedure(server, {
      id: 'FLAKY_ONCE',
      name: 'Flaky step',
      steps: [quickStep('flaky', 'SIMULATE', { failFirstAttempts: 2 })],
    });
    expect(created.userErrors).toEqual([]);
    await initiate(server, { handoffId: 'flaky_1', procedureId: 'FLAKY_ONCE' });
    const events = await follow(server, 'flaky_1');
    expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
    expect(events.filter((e) => e.type === 'STEP_FAILED').map((e) => e.attempt)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'STEP_RETRY_SCHEDULED')).toHaveLength(2);
    const stored = await getHandoff(server, 'flaky_1');
    expect(stored.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
  });

  it('fails a step that times out on every attempt and rolls back earlier steps in reverse order', async () => {
    await createProcedure(server, {
      id: 'TIMES_OUT',
      name: 'Third step hangs',
      steps: [
        quickStep('first', 'NOOP', {}, { compensation: noopCompensation('undo_first') }),
        quickStep('second', 'NOOP', {}, { compensation: noopCompensation('undo_second') }),
        quickStep(
          'hangs',
          'DELAY',
          { ms: 60_000 },
          { timeoutMs: 30, retry: { maxAttempts: 2, initialDelayMs: 5, jitter: 0 } },
        ),
      ],
    });
    await initiate(server, { handoffId: 'timeout_1', procedureId: 'TIMES_OUT' });
    const events = await follow(server, 'timeout_1');
    const failures = events.filter((e) => e.type === 'STEP_FAILED');
    expect(failures.map((e) => e.attempt)).toEqual([1, 2]);
    expect(failures.every((e) => e.message.includes('timed out after 30 ms'))).toBe(true);
    expect(stepTrail(events).filter((t) => t.startsWith('COMPENSATION'))).toEqual([
      'COMPENSATION_STARTED second',
      'COMPENSATION_SUCCEEDED second',
      'COMPENSATION_STARTED first',
      'COMPENSATION_SUCCEEDED first',
    ]);
    expect(events.at(-1)!.type).toBe('HANDOFF_ROLLED_BACK');
    const stored = await getHandoff(server, 'timeout_1');
    expect(stored.status).toBe('ROLLED_BACK');
    expect(stored.steps.map((s: { status: string }) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
  });

  it('reports ROLLBACK_FAILED when a compensation fails', async () => {
    await createProcedure(server, {
      id: 'BAD_UNDO',
      name: 'Compensation fails',
      steps: [
        quickStep(
          'first',
          'NOOP',
          {},
          {
            compensation: {
              id: 'undo_first',
              name: 'undo first',
              kind: 'SIMULATE',
              params: { failureProbability: 1 },
              timeoutMs: 1_000,
            },
            retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 0 },
          },
        ),
        quickStep('boom', 'SIMULATE', { failureProbability: 1 }, { retry: { maxAttempts: 1 } }),
      ],
    });
    await initiate(server, { handoffId: 'bad_undo_1', procedureId: 'BAD_UNDO' });
    const events = await follow(server, 'bad_undo_1');
    expect(events.at(-1)!.type).toBe('HANDOFF_ROLLBACK_FAILED');
    expect(events.some((e) => e.type === 'COMPENSATION_FAILED' && e.step === 'first')).toBe(true);
  });
});

describe('cancel and signal', () => {
  it('cancels during a running step: aborts it, rolls back, ends CANCELLED', async () => {
    await createProcedure(server, {
      id: 'LONG_SECOND',
      name: 'Second step is long',
      steps: [
        quickStep('first', 'NOOP', {}, { compensation: noopCompensation('undo_first') }),
        quickStep('long', 'DELAY', { ms: 60_000 }, { timeoutMs: 120_000 }),
      ],
    });
    await initiate(server, { handoffId: 'cancel_1', procedureId: 'LONG_SECOND' });
    const seen: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      server.wsClient().subscribe(
        { query: PROGRESS, variables: { id: 'cancel_1', after: 0 } },
        {
          next: (value: any) => {
            const event = value.data.handoffProgress;
            seen.push(`${event.type} ${event.step ?? ''}`.trim());
            if (event.type === 'STEP_STARTED' && event.step === 'long') {
              void server.gql(
                `mutation { cancelHandoff(input: { id: "cancel_1", reason: "operator changed plan" }) { handoff { status } userErrors { message } } }`,
              );
            }
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await done;
    expect(seen).toContain('STEP_FAILED long');
    expect(seen.slice(-3)).toEqual(['COMPENSATION_STARTED first', 'COMPENSATION_SUCCEEDED first', 'HANDOFF_CANCELLED']);
    const stored = await getHandoff(server, 'cancel_1');
    expect(stored.status).toBe('CANCELLED');
    expect(stored.steps[1].status).toBe('FAILED');
  });

  it('refuses to cancel a finished handoff with a userError', async () => {
    const response = await server.gql(
      `mutation { cancelHandoff(input: { id: "flaky_1" }) { handoff { id } userErrors { code message } } }`,
    );
    expect(response.data.cancelHandoff.handoff).toBeNull();
    expect(response.data.cancelHandoff.userErrors[0].code).toBe('INVALID_STATE');
  });

  it('waits on a signal step, then proceeds on signalHandoff', async () => {
    await createProcedure(server, {
      id: 'NEEDS_APPROVAL',
      name: 'Waits for approval',
      steps: [quickStep('approval', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 }), quickStep('after', 'NOOP', {})],
    });
    await initiate(server, { handoffId: 'signal_1', procedureId: 'NEEDS_APPROVAL' });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      server.wsClient().subscribe(
        { query: PROGRESS, variables: { id: 'signal_1', after: 0 } },
        {
          next: async (value: any) => {
            const event = value.data.handoffProgress;
            events.push(event.type);
            if (event.type === 'STEP_WAITING') {
              const waiting = await getHandoff(server, 'signal_1');
              expect(waiting.status).toBe('WAITING');
              const signalled = await server.gql(
                `mutation { signalHandoff(input: { id: "signal_1", step: "approval", payload: { approvedBy: "ana" } }) { handoff { id } userErrors { message } } }`,
              );
              expect(signalled.data.signalHandoff.userErrors).toEqual([]);
            }
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    expect(events).toContain('STEP_SIGNALLED');
    expect(events.at(-1)).toBe('HANDOFF_COMPLETED');
    const stored = await getHandoff(server, 'signal_1');
    expect(stored.steps[0].output).toEqual({
      signal: { approvedBy: 'ana' },
      outcome: 'APPROVE',
      signalledBy: { keyName: 'anonymous', agentId: null },
    });
  });

  it('refuses a signal whose payload is over 64 KiB, recording nothing', async () => {
    await createProcedure(server, {
      id: 'BIG_SIGNAL',
      name: 'Waits',
      steps: [quickStep('approval', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 })],
    });
    await initiate(server, { handoffId: 'big_signal_1', procedureId: 'BIG_SIGNAL' });
    const response = await server.gql(
      'mutation($payload: JSON) { signalHandoff(input: { id: "big_signal_1", step: "approval", payload: $payload }) { handoff { id } userErrors { code field } } }',
      { payload: { blob: 'x'.repeat(70_000) } },
    );
    expect(response.data.signalHandoff).toEqual({
      handoff: null,
      userErrors: [{ code: 'TOO_LARGE', field: ['input', 'payload'] }],
    });
    expect((await getHandoff(server, 'big_signal_1')).steps[0].output).toBeNull();
    const small = await server.gql(
      'mutation { signalHandoff(input: { id: "big_signal_1", step: "approval", payload: { ok: true } }) { userErrors { code } } }',
    );
    expect(small.data.signalHandoff.userErrors).toEqual([]);
    expect((await follow(server, 'big_signal_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
  });

  it('refuses a signal for an unknown step', async () => {
    const response = await server.gql(
      `mutation { signalHandoff(input: { id: "signal_1", step: "nope" }) { userErrors { code field } } }`,
    );
    expect(response.data.signalHandoff.userErrors[0]).toEqual({ code: 'NOT_FOUND', field: ['input', 'step'] });
  });
});

describe('idempotency, history and lists', () => {
  it('gives one handoff for two concurrent initiateHandoff calls with one handoffId', async () => {
    const input = { handoffId: 'same_key_1', procedureId: 'FLAKY_ONCE' };
    const [a, b] = await Promise.all([initiate(server, input), initiate(server, input)]);
    expect(a.handoff.id).toBe(b.handoff.id);
    await follow(server, 'same_key_1');
    const list = await server.gql(
      `{ handoffs(first: 10, filter: { procedureId: ["FLAKY_ONCE"] }) { totalCount edges { node { handoffId } } } }`,
    );
    const ids = list.data.handoffs.edges.map((e: any) => e.node.handoffId);
    expect(ids.filter((id: string) => id === 'same_key_1')).toHaveLength(1);
  });

  it('gives a late subscriber exactly the missed events after afterSeq', async () => {
    const all = await follow(server, 'timeout_1');
    const tail = await follow(server, 'timeout_1', 5);
    expect(tail.map((e) => e.seq)).toEqual(all.filter((e) => e.seq > 5).map((e) => e.seq));
  });

  it('replays then streams live with no gap when joining mid-run', async () => {
    await initiate(server, { handoffId: 'mid_run_1', procedureId: 'NEEDS_APPROVAL' });
    // Wait until it is waiting, then join late with afterSeq and release it.
    const head = await new Promise<number>((resolve) => {
      const poll = async () => {
        const h = await getHandoff(server, 'mid_run_1');
        if (h.status === 'WAITING') resolve(h.events.at(-1).seq);
        else setTimeout(poll, 10);
      };
      void poll();
    });
    const late = collect(server.wsClient(), PROGRESS, { id: 'mid_run_1', after: head - 1 });
    await server.gql(
      `mutation { signalHandoff(input: { id: "mid_run_1", step: "approval" }) { userErrors { message } } }`,
    );
    const events = (await late).map((r) => r.data.handoffProgress);
    expect(events.map((e: any) => e.seq)).toEqual(events.map((_: unknown, i: number) => head + i));
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
  });

  it('pages handoffs with cursors and rejects a bad cursor', async () => {
    const first = await server.gql(
      `{ handoffs(first: 2) { totalCount edges { cursor node { handoffId } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.data.handoffs.edges).toHaveLength(2);
    expect(first.data.handoffs.pageInfo.hasNextPage).toBe(true);
    const next = await server.gql(
      `query($after: String) { handoffs(first: 100, after: $after) { edges { node { handoffId } } } }`,
      {
        after: first.data.handoffs.pageInfo.endCursor,
      },
    );
    const seen = [...first.data.handoffs.edges, ...next.data.handoffs.edges].map((e: any) => e.node.handoffId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(first.data.handoffs.totalCount);
    const bad = await server.gql(`{ handoffs(first: 2, after: "not-a-cursor") { totalCount } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('resolves a handoff by its global id through node(id:)', async () => {
    const { handoff } = await initiate(server, { handoffId: 'phase_ok_1', procedureId: 'PHASE_TRANSITION_STANDARD' });
    const response = await server.gql(`query($id: ID!) { node(id: $id) { ... on Handoff { handoffId status } } }`, {
      id: handoff.id,
    });
    expect(response.data.node).toEqual({ handoffId: 'phase_ok_1', status: 'COMPLETED' });
  });
});

describe('metrics', () => {
  it('counts production handoffs by outcome and type', async () => {
    const response = await server.gql(`{ metrics { handoffs {
      total succeeded failed rolledBack rollbackFailed cancelled running successRate averageDurationMs
      byType { type total successRate } byProcedure { procedureId total succeeded } } } }`);
    const metrics = response.data.metrics.handoffs;
    expect(metrics).toMatchObject({
      total: 11,
      succeeded: 7,
      failed: 3,
      rolledBack: 1,
      rollbackFailed: 1,
      cancelled: 1,
      running: 0,
    });
    expect(metrics.successRate).toBeCloseTo(7 / 10);
    expect(metrics.averageDurationMs).toBeGreaterThanOrEqual(0);
    expect(metrics.byProcedure.find((p: any) => p.procedureId === 'FLAKY_ONCE')).toEqual({
      procedureId: 'FLAKY_ONCE',
      total: 2,
      succeeded: 2,
    });
    expect(metrics.byType.map((t: any) => t.type).sort()).toEqual(['AGENT_HANDOFF', 'PHASE_TRANSITION']);
  });
});
