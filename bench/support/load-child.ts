/**
 * Runs autocannon in its own process (so the load generator does not share the server's
 * event loop): options as JSON in argv[2], the result as JSON on stdout.
 */
import { type AutocannonOptions, load } from './autocannon.js';

const options = JSON.parse(process.argv[2]) as AutocannonOptions;
// When the load began (epoch ms): the parent times from here, not from spawning this process, whose start-up
// (node, tsx, autocannon: a second or more on a busy machine) is no part of what the server does.
const startedAt = Date.now();
const result = await load(options);
process.stdout.write(
  JSON.stringify({
    startedAt,
    requests: result.requests,
    latency: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average },
    non2xx: result.non2xx,
    errors: result.errors,
    duration: result.duration,
  }),
);
