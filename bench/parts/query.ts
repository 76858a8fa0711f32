/**
 * 1. Query throughput: `handoff(id)` with its steps over HTTP, the real server against a bare
 * Yoga server (same process, same shape, from a constant). autocannon runs in a child process.
 * The two servers take turns in short rounds, so a slow patch of the machine hits both alike; the
 * ratio is the median of the rounds' ratios. Server CPU per request is printed as a cross-check.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBenchServer } from '../support/app.js';
import { bareYoga, HANDOFF_QUERY } from '../support/bare-yoga.js';
import { log, median, QUICK, report, round, type Row } from '../support/common.js';
import { NOOP_PROCEDURE_ID, finalEvents } from '../support/engine-harness.js';
import { loadInChild } from '../support/spawn.js';

const DURATION_S = QUICK ? 2 : 3;
const ROUNDS = QUICK ? 1 : Number(process.env.BENCH_QUERY_ROUNDS ?? 7);
const CONNECTIONS = 16;

const server = await startBenchServer();
const finished = finalEvents(server.app.engine, 1);
const started = await server.app.engine.handoffs.initiate({ handoffId: 'bench_query_1', procedureId: NOOP_PROCEDURE_ID, sourceAgent: 'a', targetAgent: 'b' });
if (!started.ok) throw new Error('could not start the handoff to read');
await finished.done;
const body = JSON.stringify({ query: HANDOFF_QUERY, variables: { id: 'bench_query_1' } });
const expected = await server.gql(HANDOFF_QUERY, { id: 'bench_query_1' });
if (!expected.data || expected.errors) throw new Error(`query failed: ${JSON.stringify(expected)}`);

// The reference: Yoga with defaults and a schema of the same shape, answering from a constant.
const bareServer = createServer(bareYoga((expected.data as { handoff: unknown }).handoff));
await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/graphql`;
const bareAnswer = await (await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
if (JSON.stringify(bareAnswer) !== JSON.stringify(expected)) throw new Error('the bare server does not answer the same shape');

interface Measured { rps: number; p99: number; cpuUsPerRequest: number }
/** One load run; the servers live in this process, so its CPU time over the run is theirs. */
async function run(url: string, duration: number): Promise<Measured> {
  const cpu = process.cpuUsage();
  const result = await loadInChild({ url, body, connections: CONNECTIONS, duration });
  const used = process.cpuUsage(cpu);
  if (result.non2xx || result.errors) throw new Error(`errors under load at ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const requests = result.requests.total;
  return { rps: result.requests.average, p99: result.latency.p99, cpuUsPerRequest: (used.user + used.system) / requests };
}
await run(server.url, QUICK ? 1 : 2); // warm-up (JIT, caches)
await run(bareUrl, QUICK ? 1 : 2);

const app: Measured[] = [];
const ref: Measured[] = [];
const ratios: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = await run(server.url, DURATION_S);
  const b = await run(bareUrl, DURATION_S);
  app.push(a);
  ref.push(b);
  ratios.push(a.rps / b.rps);
  log(`query round ${i + 1}: app ${round(a.rps)} req/s p99 ${a.p99} ms ${round(a.cpuUsPerRequest)} µs CPU/req, bare ${round(b.rps)} req/s p99 ${b.p99} ms ${round(b.cpuUsPerRequest)} µs CPU/req`);
}

const ratio = median(ratios);
const cpuApp = median(app.map((r) => r.cpuUsPerRequest));
const cpuRef = median(ref.map((r) => r.cpuUsPerRequest));
const rows: Row[] = [
  { section: 'query', name: 'handoff(id) with steps — server', value: round(median(app.map((r) => r.rps))), unit: 'req/s', runs: app.map((r) => round(r.rps)), ratio: round(ratio, 2), reference: 'bare Yoga, constant', goal: 'ratio ≥ 0.8', met: ratio >= 0.8 },
  { section: 'query', name: 'handoff(id) with steps — server p99', value: median(app.map((r) => r.p99)), unit: 'ms', runs: app.map((r) => r.p99) },
  { section: 'query', name: 'handoff(id) with steps — server CPU per request', value: round(cpuApp), unit: 'µs', runs: app.map((r) => round(r.cpuUsPerRequest)), ratio: round(cpuRef / cpuApp, 2), reference: 'bare Yoga CPU per request' },
  { section: 'query', name: 'bare Yoga (reference)', value: round(median(ref.map((r) => r.rps))), unit: 'req/s', runs: ref.map((r) => round(r.rps)) },
  { section: 'query', name: 'bare Yoga (reference) p99', value: median(ref.map((r) => r.p99)), unit: 'ms', runs: ref.map((r) => r.p99) },
  { section: 'query', name: 'bare Yoga (reference) CPU per request', value: round(cpuRef), unit: 'µs', runs: ref.map((r) => round(r.cpuUsPerRequest)) },
];
report({ rows, details: { connections: CONNECTIONS, durationS: DURATION_S, rounds: ROUNDS, loadGenerator: 'autocannon in a child process', ratio: 'median of per-round ratios, app and bare alternating' } });
await new Promise((resolve) => bareServer.close(resolve));
await server.close();
