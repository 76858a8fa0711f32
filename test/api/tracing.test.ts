import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcedure, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * OpenTelemetry: one trace per handoff run (its root the run, a span per step attempt, a rollback
 * span over the compensations), GraphQL operations traced, and webhook calls carrying `traceparent`
 * of the span they belong to. Recorded into an in-memory exporter handed to the server.
 */
let server: TestServer | null = null;
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = null;
  receiver = null;
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 10));
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
