/**
 * The query-throughput load alone, for `npm run bench:profile -- query` (the real server, memory
 * store) and `npm run bench:profile -- bare` (the bare Yoga reference answering from a constant).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBenchServer } from './app.js';
import { NOOP_PROCEDURE_ID, finalEvents } from './engine-harness.js';
import { bareYoga, HANDOFF_QUERY } from './bare-yoga.js';
import { loadInChild } from './spawn.js';

const server = await startBenchServer();
const finished = finalEvents(server.app.engine, 1);
await server.app.engine.handoffs.initiate({ handoffId: 'profile_query', procedureId: NOOP_PROCEDURE_ID, sourceAgent: 'a', targetAgent: 'b' });
await finished.done;
let url = server.url;
if (process.argv[2] === 'bare') {
  const answer = await server.gql(HANDOFF_QUERY, { id: 'profile_query' });
  const bare = createServer(bareYoga((answer.data as { handoff: unknown }).handoff));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/graphql`;
}
const body = JSON.stringify({ query: HANDOFF_QUERY, variables: { id: 'profile_query' } });
for (let run = 0; run < 3; run++) {
  const result = await loadInChild({ url, body, connections: 16, duration: 4 });
  process.stderr.write(`  run ${run + 1}: ${Math.round(result.requests.average)} req/s p99 ${result.latency.p99} ms\n`);
}
process.exit(0);
