import http from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { Topic } from '../../src/engine/shared/topic.js';
import {
  type HandoffEventLike,
  handoffEventMetrics,
  registerEngineMetrics,
} from '../../src/observability/engine-metrics.js';
import { type RuleEvaluationLike, ruleEvaluationMetrics } from '../../src/observability/validation-metrics.js';
import { schema } from '../../src/resolvers/index.js';
import { bearer, collect, startTestServer, type TestServer } from '../support/server.js';

const VIEWER_KEY = 'viewer-key-0123456789abcdef';
const PROCEDURES = '{ procedures { edges { node { id } } } }';

async function scrape(
  server: TestServer,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${server.origin}/metrics`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample line, e.g. `name{label="x"} 3`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the metrics query', () => {
  it('computes each area once per operation: fifteen aliases read the store as often as one', async () => {
    // The webhook dispatcher's and the scheduler's background polls read the store too: kept out of the counted window.
    const server = await startTestServer({ WEBHOOK_POLL_MS: '60000', SCHEDULER_POLL_MS: '60000' });
    try {
      const metrics = (aliases: number) =>
        `{ ${Array.from({ length: aliases }, (_, i) => `m${i}: metrics { handoffs { total byType { type } } validation { sessions byRule { ruleId } } reliability { tests } }`).join(' ')} }`;
      const readsOf = async (query: string) => {
        const before = server.app.db.operations.reads;
        const response = await server.gql(query);
        expect(response.errors).toBeUndefined();
        return server.app.db.operations.reads - before;
      };
      const one = await readsOf(metrics(1));
      expect(one).toBeGreaterThan(0);
      expect(await readsOf(metrics(15))).toBe(one);
    } finally {
      await server.close();
    }
  });
});

describe('GET /metrics on an open server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { logLevel: 'debug' });
  });
  afterAll(() => server.close());

  it('serves Prometheus text with request counts, latency and engine figures', async () => {
    await server.gql(PROCEDURES);
    await server.gql('query ListProcedures { procedures { edges { node { id } } } }');
    await server.gql('{ nope }');
    const { status, type, text } = await scrape(server);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    expect(text).toMatch(/^# TYPE graphql_envelop_request counter$/m);
    expect(sample(text, 'graphql_envelop_request{operationType="query"}')).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^# TYPE graphql_yoga_http_duration histogram$/m);
    const httpCount = text
      .split('\n')
      .find(
        (line) =>
          line.startsWith('graphql_yoga_http_duration_count{') &&
          line.includes('operationType="query"') &&
          line.includes('statusCode="200"'),
      );
    expect(httpCount).toMatch(/statusCode="200"/);
    expect(httpCount).toMatch(/ [1-9]\d*$/);
    expect(text).toMatch(/^graphql_envelop_error_result\{.*phase="validate".*\} 1$/m);
    expect(sample(text, 'handoff_procedures')).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^# TYPE handoff_step_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE handoff_step_retries_total counter$/m);
    expect(text).toMatch(/^# TYPE handoff_rollbacks_total counter$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).not.toMatch(/url="/); // one series per query string would be unbounded
    expect(text).not.toMatch(/operationName="/); // client-chosen names would be too
  });

  it('counts errors by the phase that produced them, without client-chosen labels', async () => {
    const before = await scrape(server);
    const count = (text: string, phase: string, operationType: string) =>
      sample(text, `graphql_envelop_error_result{operationType="${operationType}",phase="${phase}"}`) ?? 0;
    await server.gql('{ procedures { id }'); // does not parse
    await server.gql('query Aliased { chosenByClient: handoffs(after: "bad") { totalCount } }'); // an execution error (bad cursor)
    const after = await scrape(server);
    expect(count(after.text, 'parse', 'unknown') - count(before.text, 'parse', 'unknown')).toBe(1);
    expect(count(after.text, 'execute', 'query') - count(before.text, 'execute', 'query')).toBe(1);
    expect(after.text).not.toMatch(/path="/); // aliases are client-chosen: no per-path series
  });

  it('counts requests refused before GraphQL processing, by reason', async () => {
    const refused = async () =>
      sample((await scrape(server)).text, 'handoff_http_requests_refused_total{reason="too-large"}') ?? 0;
    const before = await refused();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: PROCEDURES, variables: { pad: 'x'.repeat(2_000_000) } }),
    });
    expect(response.status).toBe(413);
    expect((await refused()) - before).toBe(1);
  });

  it('counts graphql-ws subscriptions while they stream', async () => {
    const client = server.wsClient();
    // A query over graphql-ws is not a subscription: the gauge stays at zero.
    await collect(client, PROCEDURES);
    const { text } = await scrape(server);
    expect(sample(text, 'handoff_active_subscriptions{transport="ws"}')).toBe(0);
    expect(sample(text, 'handoff_active_subscriptions{transport="sse"}')).toBe(0);
  });

  it.skipIf(!schema.getSubscriptionType()?.getFields().handoffEvents)(
    'counts live subscriptions over graphql-ws and SSE',
    async () => {
      const gauge = async (transport: string) =>
        sample((await scrape(server)).text, `handoff_active_subscriptions{transport="${transport}"}`);
      /** Scrapes until the gauge reads `value` (the server registers a subscription asynchronously; a gauge that
       * never gets there fails the test at its timeout). */
      const settlesAt = async (transport: string, value: number) => {
        while ((await gauge(transport)) !== value) await new Promise((r) => setTimeout(r, 20));
      };
      const client = server.wsClient();
      const stop = client.subscribe(
        { query: 'subscription { handoffEvents { seq } }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await settlesAt('ws', 1);
      stop();
      await settlesAt('ws', 0);

      const abort = new AbortController();
      const sse = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { handoffEvents { seq } }' }),
        signal: abort.signal,
      });
      expect(sse.status).toBe(200);
      await settlesAt('sse', 1);
      abort.abort();
      await settlesAt('sse', 0);
    },
  );

  it('answers the same live counts in metrics { activeSubscriptions } (what the dashboard shows)', async () => {
    const counts = async () =>
      (await server.gql('{ metrics { activeSubscriptions { webSocket sse total } } }')).data.metrics
        .activeSubscriptions;
    expect(await counts()).toEqual({ webSocket: 0, sse: 0, total: 0 });
    const client = server.wsClient();
    const stop = client.subscribe(
      { query: 'subscription { handoffEvents { seq } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    while ((await counts()).webSocket !== 1) await new Promise((r) => setTimeout(r, 20));
    expect(await counts()).toEqual({ webSocket: 1, sse: 0, total: 1 });
    stop();
  });

  it('echoes a sane incoming x-request-id and tags every log line of the request with it', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-abc.123' },
      body: JSON.stringify({ query: PROCEDURES }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    const lines = server.logs.filter((line) => line.reqId === 'trace-abc.123');
    // Yoga's own lines and ours alike.
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['Parsing request to extract GraphQL parameters', 'request completed']),
    );
    const during = server.logs.filter((line) => line.msg === 'Parsing request to extract GraphQL parameters');
    expect(during.every((line) => typeof line.reqId === 'string')).toBe(true);
  });

  it('keeps the request id on the lines of a request whose body came chunked', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        server.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-request-id': 'chunked-7' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify({ query: PROCEDURES }));
    });
    expect(status).toBe(200);
    const lines = server.logs.filter((line) => line.reqId === 'chunked-7').map((line) => line.msg);
    expect(lines).toEqual(
      expect.arrayContaining(['Parsing request to extract GraphQL parameters', 'request completed']),
    );
  });

  it('replaces an unsafe x-request-id with a fresh one', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'evil\tid {"$gt":""} '.repeat(20) },
      body: JSON.stringify({ query: PROCEDURES }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every request its own id when none is sent', async () => {
    const ids = await Promise.all(
      [1, 2].map(async () =>
        (
          await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: PROCEDURES }),
          })
        ).headers.get('x-request-id'),
      ),
    );
    expect(ids[0]).toBeTruthy();
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('GET /metrics with API keys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: `watcher:viewer:${VIEWER_KEY}` });
  });
  afterAll(() => server.close());

  it('needs a valid key', async () => {
    expect((await scrape(server)).status).toBe(401);
    expect((await scrape(server, bearer(`${VIEWER_KEY}x`))).status).toBe(401);
    const scraped = await scrape(server, bearer(VIEWER_KEY));
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(/^handoff_procedures /m);
  });
});

describe('engine metrics from handoff events', () => {
  const event = (type: string, extra: Partial<HandoffEventLike> = {}): HandoffEventLike => ({
    type,
    testId: null,
    ...extra,
  });

  it('turns step, retry, rollback and final events into counters and a duration histogram', async () => {
    const registry = new Registry();
    const metrics = handoffEventMetrics(registry);
    metrics.observe(event('STEP_SUCCEEDED', { durationMs: 40 }));
    metrics.observe(event('STEP_FAILED', { durationMs: 2_000 }));
    metrics.observe(event('STEP_RETRY_SCHEDULED'));
    metrics.observe(event('STEP_RETRY_SCHEDULED', { testId: 'T1' }));
    metrics.observe(event('ROLLBACK_STARTED'));
    metrics.observe(event('COMPENSATION_SUCCEEDED'));
    metrics.observe(event('HANDOFF_ROLLED_BACK', { status: 'ROLLED_BACK' }));
    metrics.observe(event('HANDOFF_COMPLETED', { status: 'COMPLETED' }));
    metrics.observe(event('HANDOFF_CREATED', { status: 'PENDING' }));
    const text = await registry.metrics();
    expect(sample(text, 'handoff_step_duration_seconds_bucket{le="0.05",outcome="succeeded",source="live"}')).toBe(1);
    expect(sample(text, 'handoff_step_duration_seconds_bucket{le="1",outcome="failed",source="live"}')).toBe(0);
    expect(sample(text, 'handoff_step_duration_seconds_bucket{le="2.5",outcome="failed",source="live"}')).toBe(1);
    expect(sample(text, 'handoff_step_retries_total{source="live"}')).toBe(1);
    expect(sample(text, 'handoff_step_retries_total{source="test"}')).toBe(1);
    expect(sample(text, 'handoff_rollbacks_total{source="live"}')).toBe(1);
    expect(sample(text, 'handoff_compensations_total{outcome="succeeded",source="live"}')).toBe(1);
    expect(sample(text, 'handoff_handoffs_finished_total{status="ROLLED_BACK",source="live"}')).toBe(1);
    expect(sample(text, 'handoff_handoffs_finished_total{status="COMPLETED",source="live"}')).toBe(1);
    expect(text).not.toMatch(/status="PENDING"/);
  });

  it('observes rule evaluations in a histogram labelled by rule id and verdict, leaving out skipped rules', async () => {
    const registry = new Registry();
    const metrics = ruleEvaluationMetrics(registry);
    metrics.observe({ ruleId: 'VR001', status: 'PASSED', durationMs: 2 });
    metrics.observe({ ruleId: 'VR001', status: 'PASSED', durationMs: 0 });
    metrics.observe({ ruleId: 'VR002', status: 'ERROR', durationMs: 40 });
    metrics.observe({ ruleId: 'VR003', status: 'SKIPPED', durationMs: 0 });
    const text = await registry.metrics();
    expect(sample(text, 'handoff_validation_rule_duration_seconds_count{rule="VR001",status="PASSED"}')).toBe(2);
    expect(
      sample(text, 'handoff_validation_rule_duration_seconds_bucket{le="0.001",rule="VR001",status="PASSED"}'),
    ).toBe(1);
    expect(
      sample(text, 'handoff_validation_rule_duration_seconds_bucket{le="0.0025",rule="VR001",status="PASSED"}'),
    ).toBe(2);
    expect(
      sample(text, 'handoff_validation_rule_duration_seconds_bucket{le="0.025",rule="VR002",status="ERROR"}'),
    ).toBe(0);
    expect(sample(text, 'handoff_validation_rule_duration_seconds_bucket{le="0.05",rule="VR002",status="ERROR"}')).toBe(
      1,
    );
    expect(text).not.toMatch(/rule="VR003"/);
  });

  it('subscribes to the events this process ran, reads gauges at scrape time and unhooks', async () => {
    const registry = new Registry();
    const events = new Topic<HandoffEventLike>();
    const evaluations = new Topic<RuleEvaluationLike>();
    let running = 2;
    const engine = {
      procedures: { list: async () => [{}, {}, {}] },
      handoffs: {
        executed: events,
        count: async (filter: { status?: string[]; test?: boolean }) =>
          filter.test === false
            ? (({ RUNNING: running, COMPLETED: 5 } as Record<string, number>)[filter.status![0]] ?? 0)
            : -1,
      },
      validation: { evaluations },
    } as unknown as Engine;
    const unhook = registerEngineMetrics(registry, engine);
    events.publish(event('ROLLBACK_STARTED'));
    evaluations.publish({ ruleId: 'VR004', status: 'FAILED', durationMs: 1 });
    let text = await registry.metrics();
    expect(sample(text, 'handoff_validation_rule_duration_seconds_count{rule="VR004",status="FAILED"}')).toBe(1);
    expect(sample(text, 'handoff_procedures')).toBe(3);
    expect(sample(text, 'handoff_handoffs{status="RUNNING"}')).toBe(2);
    expect(sample(text, 'handoff_handoffs{status="COMPLETED"}')).toBe(5);
    expect(sample(text, 'handoff_handoffs{status="CANCELLED"}')).toBe(0);
    expect(sample(text, 'handoff_rollbacks_total{source="live"}')).toBe(1);
    running = 0;
    text = await registry.metrics();
    expect(sample(text, 'handoff_handoffs{status="RUNNING"}')).toBe(0);
    unhook();
    expect(events.subscriberCount).toBe(0);
    expect(evaluations.subscriberCount).toBe(0);
  });
});
