/**
 * 1. Query throughput: `handoff(id)` with its steps over HTTP, the real server against a bare
 * Yoga server (same process, same shape, from a constant). autocannon runs in a child process.
 * The servers take turns in short rounds, so a slow patch of the machine hits all alike; a ratio
 * is the median of the rounds' ratios. Server CPU per request is printed as a cross-check. A
 * second, stricter reference ("lean") runs Yoga without its own body limit, as the server does.
 */
import { createServer, type Server } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { withBodyLimit } from '../../src/http/body-limit.js';
import { startBenchServer } from '../support/app.js';
import { bareYoga } from '../support/bare-yoga.js';
import { log, median, QUICK, type Row, report, round } from '../support/common.js';
import { listenOnLoopback, seedQueryHandoff } from '../support/query-fixture.js';
import { loadInChild } from '../support/spawn.js';

const DURATION_S = QUICK ? 2 : 3;
const ROUNDS = QUICK ? 1 : Number(process.env.BENCH_QUERY_ROUNDS ?? 7);
const CONNECTIONS = 16;

const server = await startBenchServer();
const { body, expected } = await seedQueryHandoff(server, 'bench_query_1');

// The references: Yoga with a schema of the same shape, answering from a constant. `bare` keeps
// Yoga's defaults (the goal's reference); `lean` also drops Yoga's body limit and caps bodies in
// front of Yoga as the server does, so it is Yoga's ceiling on the server's own request path.
const constant = expected.data.handoff;
const bareServer = createServer(bareYoga(constant));
const leanServer = createServer(
  withBodyLimit(server.app.config.maxBodyBytes, bareYoga(constant, { withoutBodyLimit: true })),
);
async function listen(target: Server): Promise<string> {
  const url = await listenOnLoopback(target);
  const answer = await (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  ).json();
  // Same fields and values; key order aside (the pinned executor writes async fields such as `id` last).
  if (!isDeepStrictEqual(answer, expected)) throw new Error('a reference server does not answer the same shape');
  return url;
}
const bareUrl = await listen(bareServer);
const leanUrl = await listen(leanServer);

interface Measured {
  rps: number;
  p99: number;
  cpuUsPerRequest: number;
}
/** One load run; the servers live in this process, so its CPU time over the run is theirs. */
async function run(url: string, duration: number): Promise<Measured> {
  const cpu = process.cpuUsage();
  const result = await loadInChild({ url, body, connections: CONNECTIONS, duration });
  const used = process.cpuUsage(cpu);
  if (result.non2xx || result.errors)
    throw new Error(`errors under load at ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUsPerRequest: (used.user + used.system) / requests,
  };
}
for (const url of [server.url, bareUrl, leanUrl]) await run(url, QUICK ? 1 : 2); // warm-up (JIT, caches)

const app: Measured[] = [];
const ref: Measured[] = [];
const lean: Measured[] = [];
const ratios: number[] = [];
const leanRatios: number[] = [];
const describe = (m: Measured) => `${round(m.rps)} req/s p99 ${m.p99} ms ${round(m.cpuUsPerRequest)} µs CPU/req`;
for (let i = 0; i < ROUNDS; i++) {
  const a = await run(server.url, DURATION_S);
  const b = await run(bareUrl, DURATION_S);
  const c = await run(leanUrl, DURATION_S);
  app.push(a);
  ref.push(b);
  lean.push(c);
  ratios.push(a.rps / b.rps);
  leanRatios.push(a.rps / c.rps);
  log(`query round ${i + 1}: app ${describe(a)} | bare ${describe(b)} | lean ${describe(c)}`);
}

const ratio = median(ratios);
const leanRatio = median(leanRatios);
const cpuApp = median(app.map((r) => r.cpuUsPerRequest));
const cpuRef = median(ref.map((r) => r.cpuUsPerRequest));
const cpuLean = median(lean.map((r) => r.cpuUsPerRequest));
const rows: Row[] = [
  {
    section: 'query',
    name: 'handoff(id) with steps — server',
    value: round(median(app.map((r) => r.rps))),
    unit: 'req/s',
    runs: app.map((r) => round(r.rps)),
    ratio: round(ratio, 2),
    reference: 'bare Yoga, constant',
    goal: 'ratio ≥ 0.8',
    met: ratio >= 0.8,
  },
  {
    section: 'query',
    name: 'handoff(id) with steps — server p99',
    value: median(app.map((r) => r.p99)),
    unit: 'ms',
    runs: app.map((r) => r.p99),
  },
  {
    section: 'query',
    name: 'handoff(id) with steps — server CPU per request',
    value: round(cpuApp),
    unit: 'µs',
    runs: app.map((r) => round(r.cpuUsPerRequest)),
    ratio: round(cpuRef / cpuApp, 2),
    reference: 'bare Yoga CPU per request',
  },
  {
    section: 'query',
    name: 'bare Yoga (reference)',
    value: round(median(ref.map((r) => r.rps))),
    unit: 'req/s',
    runs: ref.map((r) => round(r.rps)),
  },
  {
    section: 'query',
    name: 'bare Yoga (reference) p99',
    value: median(ref.map((r) => r.p99)),
    unit: 'ms',
    runs: ref.map((r) => r.p99),
  },
  {
    section: 'query',
    name: 'bare Yoga (reference) CPU per request',
    value: round(cpuRef),
    unit: 'µs',
    runs: ref.map((r) => round(r.cpuUsPerRequest)),
  },
  {
    section: 'query',
    name: 'server vs lean Yoga (no Yoga body limit, capped in front)',
    value: round(median(lean.map((r) => r.rps))),
    unit: 'req/s',
    runs: lean.map((r) => round(r.rps)),
    ratio: round(leanRatio, 2),
    reference: 'lean Yoga, constant',
  },
  {
    section: 'query',
    name: 'lean Yoga CPU per request',
    value: round(cpuLean),
    unit: 'µs',
    runs: lean.map((r) => round(r.cpuUsPerRequest)),
    ratio: round(cpuLean / cpuApp, 2),
    reference: 'server CPU per request',
  },
];
report({
  rows,
  details: {
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    loadGenerator: 'autocannon in a child process',
    ratio: 'median of per-round ratios, app and bare alternating',
  },
});
await new Promise((resolve) => bareServer.close(resolve));
await new Promise((resolve) => leanServer.close(resolve));
await server.close();
