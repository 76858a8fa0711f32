/**
 * Latency of GraphQL requests one at a time over one keep-alive connection: each request's time
 * from send to the last byte of its answer, so the figure is the server's service time plus one
 * loopback round trip, without queueing behind other requests.
 */
import http from 'node:http';
import { latencyHistogram } from './histogram.js';

export interface Latency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Sends each body in turn and returns the latency percentiles. `check` sees every parsed answer
 * (after its time was taken) and throws when the answer is wrong.
 */
export async function sequentialLatency(
  url: string,
  bodies: string[],
  check: (answer: { data?: unknown; errors?: unknown }) => void,
): Promise<Latency> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const histogram = latencyHistogram();
  try {
    for (const body of bodies) {
      const started = performance.now();
      const { status, text } = await post(agent, target, body);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
      if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 500)}`);
      const answer = JSON.parse(text) as { data?: unknown; errors?: unknown };
      if (answer.errors) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors).slice(0, 500)}`);
      check(answer);
    }
    const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
    return { requests: bodies.length, p50Ms: ms(50), p99Ms: ms(99), maxMs: histogram.maxValue / 1000 };
  } finally {
    agent.destroy();
    histogram.destroy();
  }
}
