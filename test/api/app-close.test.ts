import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';

/**
 * Closing the app ends whatever its clients do: a connection still busy (here an SSE subscription whose
 * reader never lets go) is cut after a short grace period instead of holding `close` up for good.
 */
describe('app.close', () => {
  it('ends while an SSE subscription is still streaming to a client that does not let go', async () => {
    const server = await startTestServer({}, { logLevel: 'warn' });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { handoffEvents { handoffId seq } }' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const ended = reader.read().then(function drain(result): Promise<void> | undefined {
      return result.done ? undefined : reader.read().then(drain);
    });
    await server.close();
    // The stream was cut, not completed by the server: the reader sees an end or an error, not a hang.
    await ended?.catch(() => undefined);
    expect(
      server.logs.some((line) => line.msg === 'connections still busy after the close grace period were cut'),
    ).toBe(true);
  });
});
