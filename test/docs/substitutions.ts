/**
 * Every liberty the docs test takes with a page, in one place. The pages speak of a server at
 * http://localhost:4000 (what `npm start` serves); the test runs each page against a server of its own on a free
 * port, so in a shell block, and only there, that address becomes the test server's, and `HANDOFF_URL` (the
 * documented way to point the examples in `examples/` at a server) names its `/graphql`. Nothing else in a
 * block is changed. (The page's server settings come from the page itself: see the `server` mark.)
 */

export const DOCUMENTED_ORIGIN = 'localhost:4000';

/** A shell block with the documented server replaced by the test's (`host:port`). */
export function withTestServer(script: string, origin: string): string {
  return script
    .replaceAll(`http://${DOCUMENTED_ORIGIN}`, `http://${origin}`)
    .replaceAll(`ws://${DOCUMENTED_ORIGIN}`, `ws://${origin}`);
}

/** The environment a shell block runs in, besides the test process's own. */
export function shellEnvironment(origin: string): Record<string, string> {
  return { HANDOFF_URL: `http://${origin}/graphql` };
}

/**
 * The settings the test always gives a page's server, whatever the page's `server` block says: an in-memory store
 * (every page starts from a fresh one, as a first start does), loopback, a free port, no logs.
 */
export const TEST_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  STORE: 'memory',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'silent',
};
