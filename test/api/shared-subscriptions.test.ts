import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createProcedure, follow, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await createProcedure(server, {
    id: 'TWO_NOOPS',
    name: 'Two no-ops',
    steps: [quickStep('a', 'NOOP', {}), quickStep('b', 'NOOP', {})],
  });
});

afterAll(async () => {
  await server.close();
});

interface Listener {
  events: { handoffId: string; type: string }[];
  stop: () => void;
}

function listen(query: string): Listener {
  const client = server.wsClient();
  const events: Listener['events'] = [];
  const stop = client.subscribe(
    { query },
    {
      next: (value: any) => events.push(value.data.handoffEvents),
      error: (error) => events.push({ handoffId: 'error', type: String(error) }),
      complete: () => undefined,
    },
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
    const seenWhole = (l: Listener) =>
      ['HANDOFF_CREATED', 'HANDOFF_COMPLETED'].every((type) =>
        l.events.some((e) => e.handoffId === id && e.type === type),
      );
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

  it('sends each operation its own id on one socket, and nothing for an operation after its complete', async () => {
    // Raw protocol, so every frame is seen: a client library would drop frames for ids it released.
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const frames: { id?: string; type: string; payload?: any }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => frames.some((f) => f.type === 'connection_ack'));
    const query = 'subscription { handoffEvents { handoffId seq type } }';
    for (const id of ['first', 'second']) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    const eventsOf = (id: string, handoffId: string) =>
      frames
        .filter((f) => f.id === id && f.type === 'next' && f.payload.data.handoffEvents.handoffId === handoffId)
        .map((f) => f.payload.data.handoffEvents.type);
    const completedFor = (id: string, handoffId: string) => eventsOf(id, handoffId).includes('HANDOFF_COMPLETED');

    // Subscriptions register asynchronously: start handoffs until both operations have had an event (then both
    // are registered), then one more, which both must see whole.
    const heardAny = (id: string) => frames.some((f) => f.id === id && f.type === 'next');
    for (let i = 0; !(heardAny('first') && heardAny('second')); i++) {
      await initiate(server, { handoffId: `warm_up_${i}`, procedureId: 'TWO_NOOPS' });
      await follow(server, `warm_up_${i}`);
    }
    const seen = 'one_socket';
    await initiate(server, { handoffId: seen, procedureId: 'TWO_NOOPS' });
    await until(() => completedFor('first', seen) && completedFor('second', seen));
    expect(eventsOf('first', seen)).toEqual(eventsOf('second', seen));

    socket.send(JSON.stringify({ id: 'first', type: 'complete' }));
    const framesAtComplete = frames.length;
    await initiate(server, { handoffId: 'after_complete', procedureId: 'TWO_NOOPS' });
    await until(() => completedFor('second', 'after_complete'));
    expect(frames.slice(framesAtComplete).filter((f) => f.id === 'first')).toEqual([]);
    expect(frames.filter((f) => f.type === 'error')).toEqual([]);
    socket.close();
  });
});

/** Resolves once `condition` holds (checked every 5 ms): waiting for a state, bounded by the test's timeout, not a time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
