import { type Deadline, sleep } from './deadline.js';

/**
 * How long one request may take before it is sent again. A killed server fails its requests at once;
 * this is for one that hangs. Generous: on FerretDB a filtered page reads the whole collection, and a
 * request given up on still runs on the server, so a short limit on a busy machine only piles more on.
 */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * GraphQL over HTTP to the one port every server of the run listens on. A request that meets no
 * server (killed, not restarted yet) or is cut off is sent again, with backoff, until one answers:
 * mutations here are safe to repeat (initiate by handoffId; a second cancel is answered like the first).
 */
export class ChaosClient {
  constructor(
    private readonly url: string,
    private readonly deadline: Deadline,
  ) {}

  async gql(query: string, variables?: Record<string, unknown>): Promise<any> {
    for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
      this.deadline.check(`an answer to ${query.slice(0, 60)}`);
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.json();
        // The store refused for now (a restart's first moments): the same request again is safe.
        if (
          !body.errors?.some(
            (error: { extensions?: { code?: string } }) => error.extensions?.code === 'STORE_UNAVAILABLE',
          )
        )
          return body;
      } catch {
        // no server right now, or it died mid-request
      }
      await sleep(wait);
    }
  }
}
