import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { createProcedure, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * OpenTelemetry: one trace per handoff run (its root the run, a span per step attempt, a rollback
 * span over the compensations), GraphQL operations traced, and webhook and A2A calls carrying `traceparent`
 * of the span they belong to. Recorded into an in-memory exporter handed to the server.
 */
let server: TestServer | null = null;
let receiver: WebhookReceiver | null = null;
/** The A2A agents: one that streams, one that is polled. */
let peers: { streaming: SdkPeer; polled: SdkPeer } | null = null;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  await peers?.streaming.close();
  await peers?.polled.close();
  server = null;
  receiver = null;
  peers = null;
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 10));
}

const OPEN_TASK = `query($id: ID!) { handoff(id: $id) { status openAgentTasks { taskId waitingForAnswer progress traceparent } } }`;

/**
 * A server with two A2A agents built with the SDK: `reviewer` streams, `poller` is read with GetTask.
 * REVIEW hands the poller a change to review (it asks a question first); HOLD hands the reviewer a
 * change it works on until cancelled.
 */
async function serverWithA2AAgents(tracing: InMemorySpanExporter | null): Promise<TestServer> {
  peers = { streaming: await startSdkPeer({ streaming: true }), polled: await startSdkPeer({ streaming: false }) };
  server = await startTestServer(
    { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' },
    tracing ? { spanExporter: tracing } : {},
  );
  for (const [agentId, peer] of [
    ['reviewer', peers.streaming],
    ['poller', peers.polled],
  ] as const) {
    const registered = await server.gql(
      `mutation($url: String!, $id: ID!) { registerA2AAgent(input: { cardUrl: $url, agentId: $id }) { userErrors { message } } }`,
      { url: peer.cardUrl, id: agentId },
    );
    expect(registered.data.registerA2AAgent.userErrors).toEqual([]);
  }
  for (const [id, params] of [
    ['REVIEW', { agentId: 'poller', input: { change: 'PR-1' } }],
    ['HOLD', { agentId: 'reviewer', input: { change: 'PR-2', hold: true } }],
  ] as const) {
    const created = await createProcedure(server, {
      id,
      name: id,
      steps: [quickStep('review', 'AGENT_TASK', params, { timeoutMs: 60_000 })],
    });
    expect(created.userErrors).toEqual([]);
  }
  return server;
}

/** The handoff's open agent task once `ready` says the A2A agent has it in hand (asking, or working). */
async function openTask(api: TestServer, id: string, ready: (task: Record<string, any>) => boolean) {
  let task: Record<string, any> | undefined;
  await until(async () => {
    task = (await api.gql(OPEN_TASK, { id })).data.handoff.openAgentTasks[0];
    return task !== undefined && ready(task);
  });
  return task!;
}

/** Answers the reviewer's question, and waits for the handoff to complete. */
async function answerAndComplete(api: TestServer, id: string): Promise<void> {
  const answered = await api.gql(
    `mutation($id: ID!) { signalHandoff(input: { id: $id, step: "review", payload: "high" }) { userErrors { message } } }`,
    { id },
  );
  expect(answered.data.signalHandoff.userErrors).toEqual([]);
  await until(async () => (await api.gql(OPEN_TASK, { id })).data.handoff.status === 'COMPLETED');
}

/** Cancels the handoff, and waits for the agent to be told to cancel its A2A task. */
async function cancelAndWait(api: TestServer, id: string, remoteId: string): Promise<void> {
  const cancelled = await api.gql(
    `mutation($id: ID!) { cancelHandoff(input: { id: $id }) { userErrors { message } } }`,
    {
      id,
    },
  );
  expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
  await until(() => peers!.streaming.cancelled.includes(remoteId));
}

describe('tracing', () => {
  it('records a handoff with a retried step and a rollback as one trace, and webhook receivers get its traceparent', async () => {
    const exporter = new InMemorySpanExporter();
    receiver = await startWebhookReceiver();
    server = await startTestServer(
      { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_MS: '20' },
      { spanExporter: exporter },
    );
    const hooks = receiver.url;
    const registered = await server.gql(
      `mutation($url: String!) { registerWebhook(input: { url: $url, eventTypes: [STEP_FAILED] }) { userErrors { message } } }`,
      { url: `${hooks}/events` },
    );
    expect(registered.data.registerWebhook.userErrors).toEqual([]);
    const created = await createProcedure(server, {
      id: 'TRACED',
      name: 'Traced',
      steps: [
        quickStep(
          'prepare',
          'NOOP',
          {},
          {
            compensation: {
              id: 'unprepare',
              name: 'Unprepare',
              kind: 'WEBHOOK',
              params: { url: `${hooks}/undo` },
              timeoutMs: 2_000,
            },
          },
        ),
        quickStep('notify', 'WEBHOOK', { url: `${hooks}/notify` }),
        quickStep(
          'flaky',
          'SIMULATE',
          { failureProbability: 1 },
          {
            retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 },
          },
        ),
      ],
    });
    expect(created.userErrors).toEqual([]);
    expect((await initiate(server, { handoffId: 'traced_1', procedureId: 'TRACED' })).userErrors).toEqual([]);
    await until(
      async () => (await server!.gql('{ handoff(id: "traced_1") { status } }')).data.handoff.status === 'ROLLED_BACK',
    );
    const ofHandoff = () => exporter.getFinishedSpans().filter((span) => span.attributes['handoff.id'] === 'traced_1');
    await until(() => ofHandoff().some((span) => parentOf(span) === undefined));
    await until(() => receiver!.received.filter((r) => r.headers['handoff-event-type'] === 'STEP_FAILED').length === 2);

    const spans = ofHandoff();
    const root = spans.find((span) => parentOf(span) === undefined)!;
    const traceId = root.spanContext().traceId;
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(root.name).toBe('handoff TRACED');
    expect(root.attributes).toMatchObject({
      'handoff.procedure': 'TRACED',
      'handoff.procedure_version': 1,
      'handoff.run': 1,
      'handoff.outcome': 'ROLLED_BACK',
      'handoff.error_code': 'SIMULATED',
    });
    expect(root.status.code).toBe(2);

    const attempts = spans
      .filter((span) => span.name.startsWith('step '))
      .map((span) => ({
        step: span.attributes['handoff.step'],
        attempt: span.attributes['handoff.attempt'],
        outcome: span.attributes['handoff.outcome'],
        code: span.attributes['handoff.error_code'],
        parent: parentOf(span),
        version: span.attributes['handoff.procedure_version'],
      }))
      .sort((a, b) => `${a.step}${a.attempt}`.localeCompare(`${b.step}${b.attempt}`));
    const rootId = root.spanContext().spanId;
    expect(attempts).toEqual([
      { step: 'flaky', attempt: 1, outcome: 'FAILED', code: 'SIMULATED', parent: rootId, version: 1 },
      { step: 'flaky', attempt: 2, outcome: 'FAILED', code: 'SIMULATED', parent: rootId, version: 1 },
      { step: 'notify', attempt: 1, outcome: 'SUCCEEDED', code: undefined, parent: rootId, version: 1 },
      { step: 'prepare', attempt: 1, outcome: 'SUCCEEDED', code: undefined, parent: rootId, version: 1 },
    ]);
    const rollback = spans.find((span) => span.name === 'rollback')!;
    expect(parentOf(rollback)).toBe(rootId);
    const compensation = spans.find((span) => span.name === 'compensate prepare')!;
    expect(parentOf(compensation)).toBe(rollback.spanContext().spanId);
    expect(compensation.attributes).toMatchObject({
      'handoff.step': 'prepare',
      'handoff.attempt': 1,
      'handoff.outcome': 'SUCCEEDED',
    });
    // Each span lies within its parent.
    for (const span of spans.filter((one) => one !== root))
      expect(span.startTime[0] * 1e3 + span.startTime[1] / 1e6).toBeGreaterThanOrEqual(
        root.startTime[0] * 1e3 + root.startTime[1] / 1e6 - 1,
      );

    // The webhook step and the webhook compensation send the span of their own attempt.
    const spanOf = (name: string, attempt: number) =>
      spans.find((span) => span.name === name && span.attributes['handoff.attempt'] === attempt)!.spanContext().spanId;
    const sent = (stepId: string) =>
      receiver!.received.find((r) => !r.headers['handoff-event-type'] && JSON.parse(r.body).step === stepId)!;
    expect(sent('notify').headers.traceparent).toMatch(TRACEPARENT);
    expect(sent('notify').headers.traceparent).toBe(`00-${traceId}-${spanOf('step notify', 1)}-01`);
    expect(sent('unprepare').headers.traceparent).toBe(`00-${traceId}-${spanOf('compensate prepare', 1)}-01`);
    // Subscription deliveries name the span of the attempt their event reports on.
    const deliveries = receiver.received.filter((r) => r.headers['handoff-event-type'] === 'STEP_FAILED');
    for (const delivery of deliveries) {
      const attempt = JSON.parse(delivery.body).attempt as number;
      expect(delivery.headers.traceparent).toBe(`00-${traceId}-${spanOf('step flaky', attempt)}-01`);
    }

    // GraphQL operations are traced too (in traces of their own).
    const operations = exporter
      .getFinishedSpans()
      .filter(
        (span) =>
          span.name.includes('initiateHandoff') || span.attributes['graphql.execute.operationName'] !== undefined,
      );
    expect(operations.length).toBeGreaterThan(0);
  });

  it("has every call to an A2A agent carry the span of the agent task's attempt, which the task shows too", async () => {
    const exporter = new InMemorySpanExporter();
    const api = await serverWithA2AAgents(exporter);
    const ofHandoff = (id: string) =>
      exporter.getFinishedSpans().filter((span) => span.attributes['handoff.id'] === id);

    // A review: the message that starts the A2A task, the reads of it, and the answer to its question.
    expect((await initiate(api, { handoffId: 'a2a_traced', procedureId: 'REVIEW' })).userErrors).toEqual([]);
    const asking = await openTask(api, 'a2a_traced', (task) => task.waitingForAnswer);
    await answerAndComplete(api, 'a2a_traced');
    await until(() => ofHandoff('a2a_traced').some((span) => span.name === 'step review'));
    const attempt = ofHandoff('a2a_traced')
      .find((span) => span.name === 'step review')!
      .spanContext();
    const expected = `00-${attempt.traceId}-${attempt.spanId}-01`;
    expect(asking.traceparent).toBe(expected);
    const { polled, streaming } = peers!;
    expect(polled.received).toHaveLength(2);
    expect(polled.traceparents.length).toBeGreaterThan(polled.received.length);
    expect(new Set(polled.traceparents)).toEqual(new Set([expected]));

    // A streamed task cancelled with its handoff: the cancel belongs to that attempt too (another handoff: another trace).
    expect((await initiate(api, { handoffId: 'a2a_traced_cancel', procedureId: 'HOLD' })).userErrors).toEqual([]);
    const working = await openTask(api, 'a2a_traced_cancel', (task) => task.progress?.a2a?.state === 'working');
    await cancelAndWait(api, 'a2a_traced_cancel', working.progress.a2a.taskId);
    await until(() => ofHandoff('a2a_traced_cancel').some((span) => parentOf(span) === undefined));
    const root = ofHandoff('a2a_traced_cancel')
      .find((span) => parentOf(span) === undefined)!
      .spanContext();
    expect(working.traceparent).toMatch(TRACEPARENT);
    expect(TRACEPARENT.exec(working.traceparent)![1]).toBe(root.traceId);
    expect(root.traceId).not.toBe(attempt.traceId);
    expect(streaming.traceparents.length).toBeGreaterThanOrEqual(2);
    expect(new Set(streaming.traceparents)).toEqual(new Set([working.traceparent]));
  });

  it('sends an A2A agent no traceparent, and records none on its tasks, when tracing is not configured', async () => {
    const api = await serverWithA2AAgents(null);
    await initiate(api, { handoffId: 'a2a_untraced', procedureId: 'REVIEW' });
    const asking = await openTask(api, 'a2a_untraced', (task) => task.waitingForAnswer);
    expect(asking.traceparent).toBeNull();
    await answerAndComplete(api, 'a2a_untraced');
    await initiate(api, { handoffId: 'a2a_untraced_cancel', procedureId: 'HOLD' });
    const working = await openTask(api, 'a2a_untraced_cancel', (task) => task.progress?.a2a?.state === 'working');
    await cancelAndWait(api, 'a2a_untraced_cancel', working.progress.a2a.taskId);
    const calls = [...peers!.polled.traceparents, ...peers!.streaming.traceparents];
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(new Set(calls)).toEqual(new Set([null]));
  });

  it('records nothing and sends no traceparent when tracing is not configured', async () => {
    receiver = await startWebhookReceiver();
    server = await startTestServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' });
    const created = await createProcedure(server, {
      id: 'UNTRACED',
      name: 'Untraced',
      steps: [quickStep('notify', 'WEBHOOK', { url: receiver.url })],
    });
    expect(created.userErrors).toEqual([]);
    await initiate(server, { handoffId: 'untraced_1', procedureId: 'UNTRACED' });
    await until(() => receiver!.received.length === 1);
    expect(receiver.received[0].headers.traceparent).toBeUndefined();
  });
});
