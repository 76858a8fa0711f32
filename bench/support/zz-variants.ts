import { createSchema, createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startBenchServer } from './app.js';
import { NOOP_PROCEDURE_ID, finalEvents } from './engine-harness.js';
import { HANDOFF_QUERY } from './bare-yoga.js';
import { useJsonOnlyPosts } from '../../src/http/content-type-guard.js';
import { useReadiness } from '../../src/http/readiness.js';
import { useOperationLimits } from '../../src/http/armor.js';
import { useUnexpectedErrorLogging } from '../../src/http/error-logging.js';
import { useRequestMetrics } from '../../src/observability/request-metrics.js';
import { createActiveSubscriptionsGauge } from '../../src/observability/active-subscriptions.js';
import { scopedLogger, withRequestScope } from '../../src/http/request-scope.js';
import { operationIdentity } from '../../src/http/operation-identity.js';
import { ApiKeyRing } from '../../src/auth/api-key-ring.js';
import { createLoaders } from '../../src/resolvers/loaders.js';

const server = await startBenchServer();
const finished = finalEvents(server.app.engine, 1);
await server.app.engine.handoffs.initiate({ handoffId: 'q1', procedureId: NOOP_PROCEDURE_ID, sourceAgent: 'a', targetAgent: 'b' });
await finished.done;
const answer = await server.gql(HANDOFF_QUERY, { id: 'q1' });
const constant = (answer.data as any).handoff;
const bareSchema = () => createSchema({ typeDefs: `
        scalar JSON
        type HandoffStep { id: String! name: String! kind: String! status: String! attempts: Int! startedAt: String finishedAt: String error: String output: JSON }
        type Handoff { id: ID! handoffId: String! status: String! procedureVersion: Int! createdAt: String! finishedAt: String steps: [HandoffStep!]! }
        type Query { handoff(id: ID!): Handoff }`, resolvers: { Query: { handoff: () => constant } } });
const logger = pino({ level: 'silent' });
const keys = new ApiKeyRing([]);
const engine = server.app.engine;
const options = { maskedErrors: { isDev: false }, maxRequestBodySize: 1_000_000, multipart: false, cors: false as const, landingPage: false, logging: scopedLogger(logger), graphqlEndpoint: '/graphql', healthCheckEndpoint: '/health', graphiql: { subscriptionsProtocol: 'WS' as const } };
const plugins = () => { const reg = new Registry(); return [useJsonOnlyPosts('/graphql'), useReadiness('/ready', async () => true), useOperationLimits({ hideFieldSuggestions: false }), useUnexpectedErrorLogging(new WeakSet()), createActiveSubscriptionsGauge(reg).plugin, useRequestMetrics(reg, '/metrics')]; };
const context = (initial: any) => ({ engine, loaders: createLoaders(engine), ...operationIdentity(keys, logger, initial) });
const variants: Record<string, any> = {
  v0_bare: createYoga({ logging: false, schema: bareSchema() }),
  v1_options: createYoga({ ...options, schema: bareSchema() }),
  v2_plugins: createYoga({ ...options, schema: bareSchema(), plugins: plugins() }),
  v3_context: createYoga({ ...options, schema: bareSchema(), plugins: plugins(), context }),
  v4_app: server.app.yoga,
};
const only = process.env.ONLY?.split(',');
const body = JSON.stringify({ query: HANDOFF_QUERY, variables: { id: 'q1' } });
async function loop(y: any, n: number) {
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i += 16) {
    const batch = [];
    for (let j = 0; j < 16; j++) batch.push(Promise.resolve(y.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).then((r: any) => r.text()));
    await Promise.all(batch);
  }
  const u = process.cpuUsage(cpu);
  return (u.user + u.system) / n;
}
const best: Record<string, number[]> = {};
for (let r = 0; r < 6; r++) for (const [name, y] of Object.entries(variants)) { if (only && !only.includes(name)) continue; (best[name] ??= []).push(await loop(y, 8000)); }
for (const [name, xs] of Object.entries(best)) { xs.sort((a, b) => a - b); console.log(name.padEnd(12), 'min', xs[0].toFixed(1), 'median', xs[Math.floor(xs.length / 2)].toFixed(1), 'us CPU/req'); }
await server.close();
