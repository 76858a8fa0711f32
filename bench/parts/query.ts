/**
 * 1. Query throughput: `handoff(id)` with its steps over HTTP, the real server against a bare
 * Yoga server (same process, same shape, from a constant). autocannon runs in a child process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { startBenchServer } from '../support/app.js';
import { log, median, QUICK, report, round, RUNS, type Row } from '../support/common.js';
import { NOOP_PROCEDURE_ID, finalEvents } from '../support/engine-harness.js';
import { loadInChild } from '../support/spawn.js';

const QUERY = `query Handoff($id: ID!) { handoff(id: $id) { id handoffId status procedureVersion createdAt finishedAt
  steps { id name kind status attempts startedAt finishedAt error output } } }`;
const DURATION_S = QUICK ? 2 : 5;
const CONNECTIONS = 16;

const server = await startBenchServer();
const finished = finalEvents(server.app.engine, 1);
const started = await server.app.engine.handoffs.initiate({ handoffId: 'bench_query_1', procedureId: NOOP_PROCEDURE_ID, sourceAgent: 'a', targetAgent: 'b' });
if (!started.ok) throw new Error('could not start the handoff to read');
await finished.done;
const body = JSON.stringify({ query: QUERY, variables: { id: 'bench_query_1' } });
const expected = await server.gql(QUERY, { id: 'bench_query_1' });
if (!expected.data || expected.errors) throw new Error(`query failed: ${JSON.stringify(expected)}`);
const constant = (expected.data as { handoff: unknown }).handoff;

// The reference: Yoga with defaults and a schema of the same shape, answering from a constant.
const bare = createYoga({
  logging: false,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      scalar JSON
      type HandoffStep { id: String! name: String! kind: String! status: String! attempts: Int! startedAt: String finishedAt: String error: String output: JSON }
      type Handoff { id: ID! handoffId: String! status: String! procedureVersion: Int! createdAt: String! finishedAt: String steps: [HandoffStep!]! }
      type Query { handoff(id: ID!): Handoff }
    `,
    resolvers: { Query: { handoff: () => constant } },
  }),
});
const bareServer = createServer(bare);
await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/graphql`;
const bareAnswer = await (await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
if (JSON.stringify(bareAnswer) !== JSON.stringify(expected)) throw new Error('the bare server does not answer the same shape');

const run = (url: string, duration: number) => loadInChild({ url, body, connections: CONNECTIONS, duration });
await run(server.url, QUICK ? 1 : 2); // warm-up (JIT, caches)
await run(bareUrl, QUICK ? 1 : 2);

const app: { rps: number; p99: number }[] = [];
const ref: { rps: number; p99: number }[] = [];
const ratios: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const a = await run(server.url, DURATION_S);
  const b = await run(bareUrl, DURATION_S);
  if (a.non2xx || a.errors || b.non2xx || b.errors) throw new Error(`errors under load: app ${a.non2xx}/${a.errors}, bare ${b.non2xx}/${b.errors}`);
  app.push({ rps: a.requests.average, p99: a.latency.p99 });
  ref.push({ rps: b.requests.average, p99: b.latency.p99 });
  ratios.push(a.requests.average / b.requests.average);
  log(`query run ${i + 1}: app ${round(a.requests.average)} req/s p99 ${a.latency.p99} ms, bare ${round(b.requests.average)} req/s p99 ${b.latency.p99} ms`);
}

const ratio = median(ratios);
const rows: Row[] = [
  { section: 'query', name: 'handoff(id) with steps — server', value: round(median(app.map((r) => r.rps))), unit: 'req/s', runs: app.map((r) => round(r.rps)), ratio: round(ratio, 2), reference: 'bare Yoga, constant', goal: 'ratio ≥ 0.8', met: ratio >= 0.8 },
  { section: 'query', name: 'handoff(id) with steps — server p99', value: median(app.map((r) => r.p99)), unit: 'ms', runs: app.map((r) => r.p99) },
  { section: 'query', name: 'bare Yoga (reference)', value: round(median(ref.map((r) => r.rps))), unit: 'req/s', runs: ref.map((r) => round(r.rps)) },
  { section: 'query', name: 'bare Yoga (reference) p99', value: median(ref.map((r) => r.p99)), unit: 'ms', runs: ref.map((r) => r.p99) },
];
report({ rows, details: { connections: CONNECTIONS, durationS: DURATION_S, loadGenerator: 'autocannon in a child process' } });
await new Promise((resolve) => bareServer.close(resolve));
await server.close();
