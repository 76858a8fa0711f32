import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTask, completeTask, tasksOf } from '../support/agent-tasks.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

/**
 * Procedures as graphs through the API: dependencies instead of order, joins, conditions, a step run once
 * per item of a list, sub-handoffs, and a redrive of one branch. "At once" is read from the stored history
 * (which attempts had started before any of them ended), never from the wall clock.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(() => server.close());

const HANDOFF = `query($id: ID!) { handoff(id: $id) {
  handoffId status run error
  steps { id status attempts skipReason output branches branch { of index item } }
  parent { handoffId stepId handoff { handoffId status } }
  children { handoffId status parent { stepId } }
  events(limit: 1000) { seq run type step branch attempt }
} }`;

async function read(id: string) {
  const response = await server.gql(HANDOFF, { id });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.handoff;
}

const until = (id: string, done: (handoff: any) => boolean) =>
  waitFor(
    () => read(id),
    (h) => h !== null && done(h),
  );

async function define(input: Record<string, unknown>) {
  const created = await createProcedure(server, input);
  expect(created.userErrors).toEqual([]);
}

async function signal(id: string, step: string, outcome: 'APPROVE' | 'REJECT' = 'APPROVE') {
  const response = await server.gql(
    `mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { userErrors { code message } } }`,
    { input: { id, step, outcome, reason: outcome === 'REJECT' ? 'not good enough' : null } },
  );
  expect(response.data.signalHandoff.userErrors).toEqual([]);
}

const step = (id: string, kind: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  kind,
  timeoutMs: 60_000,
  retry: { maxAttempts: 1 },
  ...extra,
});

const byStep = (handoff: any) => Object.fromEntries(handoff.steps.map((s: any) => [s.id, s.status]));
const line = (event: any) => `${event.type}${event.step ? ` ${event.step}` : ''}`;

/** The most attempts of `of`'s branches open at once, read from the history (a start opens one, its end closes it). */
function mostAtOnce(events: any[], of: string): number {
  const open = new Set<string>();
  let most = 0;
  for (const event of events) {
    if (!event.step?.startsWith(`${of}[`)) continue;
    if (event.type === 'STEP_STARTED' || event.type === 'STEP_WAITING') open.add(event.step);
    if (['STEP_SUCCEEDED', 'STEP_FAILED', 'STEP_CANCELLED'].includes(event.type)) open.delete(event.step);
    most = Math.max(most, open.size);
  }
  return most;
}

describe('procedures as graphs', () => {
  it('runs both sides of a diamond at once and the join after both', async () => {
    await define({
      id: 'API_DIAMOND',
      name: 'Diamond',
      steps: [
        step('a', 'NOOP'),
        step('b', 'DELAY', { params: { ms: 50 }, after: ['a'] }),
        step('c', 'DELAY', { params: { ms: 50 }, after: ['a'] }),
        step('d', 'NOOP', { after: ['b', 'c'] }),
      ],
    });
    expect((await initiate(server, { handoffId: 'api_diamond', procedureId: 'API_DIAMOND' })).userErrors).toEqual([]);
    const done = await until('api_diamond', (h) => h.status === 'COMPLETED');
    const trail = done.events.map(line);
    const started = (id: string) => trail.indexOf(`STEP_STARTED ${id}`);
    const ended = (id: string) => trail.indexOf(`STEP_SUCCEEDED ${id}`);
    // b and c had both started before either ended; d started after both ended.
    expect(Math.max(started('b'), started('c'))).toBeLessThan(Math.min(ended('b'), ended('c')));
    expect(started('d')).toBeGreaterThan(Math.max(ended('b'), ended('c')));
    expect(done.steps.map((s: any) => s.attempts)).toEqual([1, 1, 1, 1]);
  });

  it('completes after 2 of 3 reviewers approve and cancels the third', async () => {
    await define({
      id: 'API_TWO_OF_THREE',
      name: 'Two of three',
      steps: [
        step('review', 'AWAIT_SIGNAL', {
          forEach: { items: 'context.reviewers', join: { mode: 'N_OF', count: 2, others: 'CANCEL' } },
        }),
        step('release', 'NOOP'),
      ],
    });
    await initiate(server, {
      handoffId: 'api_two_of_three',
      procedureId: 'API_TWO_OF_THREE',
      metadata: { reviewers: ['ana', 'ben', 'cleo'] },
    });
    await until('api_two_of_three', (h) => h.steps.filter((s: any) => s.status === 'WAITING').length === 3);
    await signal('api_two_of_three', 'review[2]');
    await until('api_two_of_three', (h) => h.steps.find((s: any) => s.id === 'review[2]').status === 'SUCCEEDED');
    expect((await read('api_two_of_three')).status).toBe('WAITING');
    await signal('api_two_of_three', 'review[0]');
    const done = await until('api_two_of_three', (h) => h.status === 'COMPLETED');
    expect(byStep(done)).toEqual({
      review: 'SUCCEEDED',
      release: 'SUCCEEDED',
      'review[0]': 'SUCCEEDED',
      'review[1]': 'CANCELLED',
      'review[2]': 'SUCCEEDED',
    });
    const review = done.steps[0];
    expect(review).toMatchObject({ branches: 3, output: { branches: 3, succeeded: 2 } });
    expect(done.steps[3]).toMatchObject({ branch: { of: 'review', index: 1, item: 'ben' } });
    expect(done.steps[3].skipReason).toContain('the join of review was met');
    expect(done.events.find((e: any) => e.type === 'STEP_CANCELLED')).toMatchObject({ step: 'review[1]', branch: 1 });
    // A signal for the cancelled branch is refused.
    const late = await server.gql(
      `mutation { signalHandoff(input: { id: "api_two_of_three", step: "review[1]" }) { userErrors { code } } }`,
    );
    expect(late.data.signalHandoff.userErrors).toEqual([{ code: 'INVALID_STATE' }]);
  });

  it('skips a branch whose condition is false, with the reason', async () => {
    await define({
      id: 'API_CONDITIONAL',
      name: 'Conditional',
      steps: [
        step('intake', 'NOOP'),
        step('escalate', 'NOOP', { after: ['intake'], when: { 'context.priority': 'urgent' } }),
        step('file', 'NOOP', { after: ['intake'] }),
        step('close', 'NOOP', { after: ['escalate', 'file'] }),
      ],
    });
    await initiate(server, {
      handoffId: 'api_conditional',
      procedureId: 'API_CONDITIONAL',
      metadata: { priority: 'low' },
    });
    const done = await until('api_conditional', (h) => h.status === 'COMPLETED');
    expect(byStep(done)).toEqual({ intake: 'SUCCEEDED', escalate: 'SKIPPED', file: 'SUCCEEDED', close: 'SUCCEEDED' });
    expect(done.steps[1].skipReason).toBe('its condition does not hold (found context.priority = "low")');
    expect(done.events.map(line)).toContain('STEP_SKIPPED escalate');
  });

  it('offers a task to each of 50 agents, at most 10 at once, and goes on once all are done', async () => {
    const agents = Array.from({ length: 50 }, (_, index) => `member_${index}`);
    for (const id of agents) {
      const registered = await server.gql(
        `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { userErrors { message } } }`,
        { input: { id, capabilities: ['review'], permissions: [] } },
      );
      expect(registered.data.registerAgent.userErrors).toEqual([]);
    }
    await define({
      id: 'API_FAN_OUT',
      name: 'Ask every member',
      steps: [
        step('ask', 'AGENT_TASK', {
          params: { agentId: '$item', input: { question: 'ship it?', index: '$index' } },
          forEach: { items: 'context.members', maxConcurrent: 10 },
        }),
        step('tally', 'NOOP'),
      ],
    });
    await initiate(server, { handoffId: 'api_fan_out', procedureId: 'API_FAN_OUT', metadata: { members: agents } });
    // A worker for every member: claim what is offered, answer.
    let answered = 0;
    for (;;) {
      const handoff = await read('api_fan_out');
      if (handoff.status === 'COMPLETED') break;
      const waiting = handoff.steps.filter((s: any) => s.branch && s.status === 'WAITING');
      for (const branch of waiting) {
        for (const task of await tasksOf(server, branch.branch.item)) {
          if (task.handoffId !== 'api_fan_out') continue;
          const claim = await claimTask(server, task.taskId);
          expect((await completeTask(server, task.taskId, claim.token!, { yes: true })).userErrors).toEqual([]);
          answered++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const done = await read('api_fan_out');
    expect(answered).toBe(50);
    expect(done.steps[0].output.succeeded).toBe(50);
    expect(mostAtOnce(done.events, 'ask')).toBe(10);
  });

  it('rolls its parent back when a sub-handoff fails, and links them both ways', async () => {
    await define({
      id: 'API_CHILD',
      name: 'Child',
      steps: [step('sign_off', 'AWAIT_SIGNAL')],
    });
    await define({
      id: 'API_PARENT',
      name: 'Parent',
      steps: [
        step('reserve', 'NOOP', {
          compensation: { id: 'release', name: 'release', kind: 'NOOP', timeoutMs: 1_000 },
        }),
        step('delegate', 'SUB_HANDOFF', { params: { procedureId: 'API_CHILD', contextKeys: ['ticket'] } }),
        step('close', 'NOOP'),
      ],
    });
    await initiate(server, {
      handoffId: 'api_parent',
      procedureId: 'API_PARENT',
      metadata: { ticket: 12, secret: 'x' },
    });
    const child = await until('api_parent:delegate', (h) => h.status === 'WAITING');
    expect(child.parent).toMatchObject({
      handoffId: 'api_parent',
      stepId: 'delegate',
      handoff: { handoffId: 'api_parent' },
    });
    expect((await read('api_parent')).children).toEqual([
      { handoffId: 'api_parent:delegate', status: 'WAITING', parent: { stepId: 'delegate' } },
    ]);
    await signal('api_parent:delegate', 'sign_off', 'REJECT');
    const parent = await until('api_parent', (h) => h.status === 'ROLLED_BACK');
    expect(byStep(parent)).toEqual({ reserve: 'COMPENSATED', delegate: 'FAILED', close: 'PENDING' });
    expect(parent.error).toContain('sub-handoff api_parent:delegate ended FAILED');
  });

  it('cancels its running children when the parent is cancelled', async () => {
    await define({
      id: 'API_TEAM',
      name: 'A handoff per member',
      steps: [
        step('each', 'SUB_HANDOFF', {
          params: { procedureId: 'API_CHILD', targetAgent: '$item' },
          forEach: { items: 'context.team' },
        }),
      ],
    });
    await initiate(server, {
      handoffId: 'api_team',
      procedureId: 'API_TEAM',
      metadata: { team: ['member_1', 'member_2'] },
    });
    const parent = await until(
      'api_team',
      (h) => h.children.length === 2 && h.children.every((c: any) => c.status === 'WAITING'),
    );
    expect(parent.children.map((c: any) => c.handoffId)).toEqual(['api_team:each.0', 'api_team:each.1']);
    const cancelled = await server.gql(
      `mutation { cancelHandoff(input: { id: "api_team", reason: "no longer needed" }) { userErrors { code } } }`,
    );
    expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
    await until('api_team', (h) => h.status === 'CANCELLED');
    for (const id of ['api_team:each.0', 'api_team:each.1']) await until(id, (h) => h.status === 'CANCELLED');
  });

  it('redrives from a failed branch: only it and what depends on it run again', async () => {
    await define({
      id: 'API_CHECKS',
      name: 'Checks, then publish',
      steps: [
        step('prepare', 'NOOP'),
        step('check', 'AWAIT_SIGNAL', { forEach: { items: 'context.checks' } }),
        step('publish', 'NOOP'),
      ],
    });
    await initiate(server, {
      handoffId: 'api_checks',
      procedureId: 'API_CHECKS',
      metadata: { checks: ['lint', 'tests', 'docs'] },
    });
    await until('api_checks', (h) => h.steps.filter((s: any) => s.status === 'WAITING').length === 3);
    await signal('api_checks', 'check[0]');
    await signal('api_checks', 'check[2]');
    await until('api_checks', (h) => h.steps.filter((s: any) => s.branch && s.status === 'SUCCEEDED').length === 2);
    await signal('api_checks', 'check[1]', 'REJECT');
    await until('api_checks', (h) => h.status === 'FAILED');
    const retried = await server.gql(
      `mutation { retryHandoff(input: { id: "api_checks" }) { handoff { run } userErrors { code message } } }`,
    );
    expect(retried.data.retryHandoff).toEqual({ handoff: { run: 2 }, userErrors: [] });
    await until('api_checks', (h) => h.steps.find((s: any) => s.id === 'check[1]').status === 'WAITING');
    await signal('api_checks', 'check[1]');
    const done = await until('api_checks', (h) => h.status === 'COMPLETED');
    const rerun = done.events.filter((e: any) => e.run === 2 && e.step).map((e: any) => e.step);
    expect(new Set(rerun)).toEqual(new Set(['check', 'check[1]', 'publish']));
    expect(done.steps.map((s: any) => [s.id, s.attempts])).toEqual([
      ['prepare', 1],
      ['check', 0],
      ['publish', 1],
      ['check[0]', 1],
      ['check[1]', 1],
      ['check[2]', 1],
    ]);
  });

  it('undoes a graph in reverse dependency order: the independent sides at once, then what both waited for', async () => {
    const undo = (id: string) => ({
      id: `undo_${id}`,
      name: `undo ${id}`,
      kind: 'DELAY',
      params: { ms: 30 },
      timeoutMs: 5_000,
    });
    await define({
      id: 'API_UNDO_GRAPH',
      name: 'Fails at the join',
      steps: [
        step('a', 'NOOP', { compensation: undo('a') }),
        step('b', 'NOOP', { after: ['a'], compensation: undo('b') }),
        step('c', 'NOOP', { after: ['a'], compensation: undo('c') }),
        step('d', 'SIMULATE', { after: ['b', 'c'], params: { durationMs: 1, failureProbability: 1 } }),
      ],
    });
    await initiate(server, { handoffId: 'api_undo_graph', procedureId: 'API_UNDO_GRAPH' });
    const done = await until('api_undo_graph', (h) => h.status === 'ROLLED_BACK');
    expect(byStep(done)).toEqual({ a: 'COMPENSATED', b: 'COMPENSATED', c: 'COMPENSATED', d: 'FAILED' });
    const trail = done.events.map(line);
    const at = (type: string, id: string) => trail.indexOf(`${type} ${id}`);
    // b and c were undone side by side (both started before either ended), a only after both.
    expect(Math.max(at('COMPENSATION_STARTED', 'b'), at('COMPENSATION_STARTED', 'c'))).toBeLessThan(
      Math.min(at('COMPENSATION_SUCCEEDED', 'b'), at('COMPENSATION_SUCCEEDED', 'c')),
    );
    expect(at('COMPENSATION_STARTED', 'a')).toBeGreaterThan(
      Math.max(at('COMPENSATION_SUCCEEDED', 'b'), at('COMPENSATION_SUCCEEDED', 'c')),
    );
    expect(done.steps.filter((s: any) => s.id !== 'd').map((s: any) => s.attempts)).toEqual([1, 1, 1]);
  });

  it('streams the branches of a step as they happen, each event with its branch', async () => {
    await define({
      id: 'API_LIVE_BRANCHES',
      name: 'Two sign-offs, live',
      steps: [step('sign', 'AWAIT_SIGNAL', { forEach: { items: 'context.signers' } }), step('ship', 'NOOP')],
    });
    await initiate(server, {
      handoffId: 'api_live',
      procedureId: 'API_LIVE_BRANCHES',
      metadata: { signers: ['ana', 'ben'] },
    });
    await until('api_live', (h) => h.steps.filter((s: any) => s.status === 'WAITING').length === 2);
    const { lastSeq } = (await server.gql(`query { handoff(id: "api_live") { lastSeq } }`)).data.handoff;
    // Follow from the current end of the history over graphql-ws: every event below arrives live.
    const streamed = server.subscribe(
      `subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq type step branch } }`,
      { id: 'api_live', after: lastSeq },
    );
    await signal('api_live', 'sign[1]');
    await until('api_live', (h) => h.steps.find((s: any) => s.id === 'sign[1]').status === 'SUCCEEDED');
    await signal('api_live', 'sign[0]');
    const events = (await streamed).map((r: any) => r.data.handoffProgress);
    expect(events[0].seq).toBe(lastSeq + 1);
    const branchEvents = events.filter((e: any) => e.step?.startsWith('sign['));
    expect(branchEvents.map((e: any) => [e.type, e.step, e.branch])).toEqual([
      ['STEP_SIGNALLED', 'sign[1]', 1],
      ['STEP_SUCCEEDED', 'sign[1]', 1],
      ['STEP_SIGNALLED', 'sign[0]', 0],
      ['STEP_SUCCEEDED', 'sign[0]', 0],
    ]);
    expect(events.map(line)).toEqual(
      expect.arrayContaining(['STEP_SUCCEEDED sign', 'STEP_STARTED ship', 'STEP_SUCCEEDED ship']),
    );
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
  });

  it('refuses unknown dependencies and a join that can never be met, naming each step, and stores nothing', async () => {
    const created = await createProcedure(server, {
      id: 'API_BAD_GRAPH',
      name: 'Bad graph',
      steps: [
        step('a', 'NOOP', { after: ['ghost'] }),
        step('b', 'NOOP', { after: ['a'], join: { mode: 'N_OF', count: 3 } }),
      ],
    });
    expect(created.procedure).toBeNull();
    expect(created.userErrors).toEqual([
      {
        field: ['input', 'steps', '0', 'after'],
        code: 'NOT_FOUND',
        message: 'after names "ghost", which is not a step of this procedure',
      },
      {
        field: ['input', 'steps', '1', 'join', 'count'],
        code: 'INVALID_VALUE',
        message: 'the join needs 3 of 1 step(s) it waits for: it can never be met',
      },
    ]);
    const stored = await server.gql(`query { procedure(id: "API_BAD_GRAPH") { procedureId } }`);
    expect(stored.errors).toBeUndefined();
    expect(stored.data.procedure).toBeNull();
  });

  it('refuses a procedure whose steps wait for each other in a circle, naming the step', async () => {
    const created = await createProcedure(server, {
      id: 'API_CYCLE',
      name: 'Cycle',
      steps: [step('a', 'NOOP', { after: ['b'] }), step('b', 'NOOP', { after: ['a'] })],
    });
    expect(created.procedure).toBeNull();
    expect(created.userErrors).toEqual([
      {
        field: ['input', 'steps', '0', 'after'],
        code: 'DEPENDENCY_CYCLE',
        message: expect.stringContaining('a → b → a'),
      },
    ]);
  });
});
