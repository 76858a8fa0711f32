/**
 * Runs autocannon in its own process (so the load generator does not share the server's
 * event loop): options as JSON in argv[2], the result as JSON on stdout.
 */
import { type AutocannonOptions, load } from './autocannon.js';

const options = JSON.parse(process.argv[2]) as AutocannonOptions;
const result = await load(options);
process.stdout.write(
  JSON.stringify({
    requests: result.requests,
    latency: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average },
    non2xx: result.non2xx,
    errors: result.errors,
    duration: result.duration,
  }),
);
