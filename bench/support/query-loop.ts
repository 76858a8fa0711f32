/**
 * The query-throughput load alone, for `npm run bench:profile -- query` (the real server, memory
 * store) and `npm run bench:profile -- bare` (the bare Yoga reference answering from a constant).
 */
import { createServer } from 'node:http';
import { startBenchServer } from './app.js';
import { bareYoga } from './bare-yoga.js';
import { listenOnLoopback, seedQueryHandoff } from './query-fixture.js';
import { loadInChild } from './spawn.js';

const server = await startBenchServer();
const { body, expected } = await seedQueryHandoff(server, 'profile_query');
const url =
  process.argv[2] === 'bare' ? await listenOnLoopback(createServer(bareYoga(expected.data.handoff))) : server.url;
for (let run = 0; run < 3; run++) {
  const result = await loadInChild({ url, body, connections: 16, duration: 4 });
  process.stderr.write(`  run ${run + 1}: ${Math.round(result.requests.average)} req/s p99 ${result.latency.p99} ms\n`);
}
process.exit(0);
