import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { createProcedure, follow, initiate, quickStep } from '../support/handoff-fixtures.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await createProcedure(server, { id: 'TWO_NOOPS', name: 'Two no-ops', steps: [quickStep('a', 'NOOP', {}), quickStep('b', 'NOOP', {})] });
});

afterAll(async () => {
  await server.close();
});

interface Listener {
  events: { handoffId: string; type: string }[];
  stop: () => void;
}

function listen(query: string, client = server.wsClient()): Listener {
  const events: Listener['events'] = [];
  const stop = client.subscribe(
    { query },
    { next: (value: any) => events.push(value.data.handoffEvents), error: (error) => events.push({ handoffId: 'error', type: String(error) }), complete: () => undefined },
  );
  return { events, stop };
}

/** Starts handoffs until every listener has seen one from creation to completion (subscriptions register asynchronously). */
async function runUntilSeen(listeners: Listener[], prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const id = `${prefix}_${i}`;
    await initiate(server, { handoffId: id, procedureId: 'TWO_NOOPS' });
    await follow(server, id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const seenWhole = (l: Listener) => ['HANDOFF_CREATED', 'HANDOFF_COMPLETED'].every((type) => l.events.some((e) => e.handoffId === id && e.type === type));
    if (listeners.every(seenWhole)) return id;
  }
}

describe('identical live subscriptions share one execution', () => {
  it('delivers every event to each subscriber, and to the rest after one leaves', async () => {
    const query = 'subscription { handoffEvents { handoffId seq type } }';
    const a = listen(query);
    const b = listen(query);
    const other = listen('subscription { handoffEvents { handoffId type status } }');
    const first = await runUntilSeen([a, b, other], 'shared');
    const trail = (l: Listener) => l.events.filter((e) => e.handoffId === first).map((e) => e.type);
    expect(trail(a)).toEqual(trail(b));
    expect(trail(a)).toEqual(trail(other));
    expect(trail(a).at(-1)).toBe('HANDOFF_COMPLETED');

    a.stop();
    const second = await runUntilSeen([b], 'after_leave');
    expect(b.events.filter((e) => e.handoffId === second).map((e) => e.type)).toEqual(trail(b));
    expect(a.events.some((e) => e.handoffId === second)).toBe(false);
    b.stop();
    other.stop();
  });

  it('delivers to two identical operations on one socket, each under its own operation id', async () => {
    const client = server.wsClient();
    const query = 'subscription { handoffEvents { handoffId seq type } }';
    const first = listen(query, client);
    const second = listen(query, client);
    const id = await runUntilSeen([first, second], 'one_socket');
    const trail = (l: Listener) => l.events.filter((e) => e.handoffId === id).map((e) => e.type);
    expect(trail(first)).toEqual(trail(second));
    expect(trail(first).at(-1)).toBe('HANDOFF_COMPLETED');
    first.stop();
    const next = await runUntilSeen([second], 'one_socket_after');
    expect(first.events.some((e) => e.handoffId === next)).toBe(false);
    second.stop();
  });
});
