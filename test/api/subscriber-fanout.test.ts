import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createProcedure, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A subscriber whose unsent frames pass this is closed (WS_MAX_QUEUED_BYTES): small, so a stalled client trips it soon. */
const MAX_QUEUED_BYTES = 4_096;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ WS_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES) }, { logLevel: 'warn' });
  await createProcedure(server, {
    id: 'TWO_NOOPS',
    name: 'Two no-ops',
    steps: [quickStep('a', 'NOOP', {}), quickStep('b', 'NOOP', {})],
  });
});

afterAll(async () => {
  await server.close();
});

type Event = Record<string, unknown> & { handoffId: string; seq: number; type?: string };

interface Subscriber {
  fields: string[];
  events: Event[];
  errors: unknown[];
  stop: () => void;
}

/** A graphql-ws client subscribed to handoffEvents with `fields` selected (aliases as `alias: field`). */
function subscriber(fields: string[], variables?: Record<string, unknown>): Subscriber {
  const selection = fields.join(' ');
  const query = variables
    ? `subscription($tests: Boolean) { handoffEvents(includeTests: $tests) { ${selection} } }`
    : `subscription { handoffEvents { ${selection} } }`;
  const events: Event[] = [];
  const errors: unknown[] = [];
  const stop = server.wsClient().subscribe(
    { query, variables },
    {
      next: (value: any) => (value.errors ? errors.push(value.errors) : events.push(value.data.handoffEvents)),
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { fields: fields.map((field) => field.split(':')[0].trim()), events, errors, stop };
}

const finished = (events: Event[], handoffId: string) =>
  events.some((event) => event.handoffId === handoffId && event.type === 'HANDOFF_COMPLETED');

/** Resolves once `condition` holds (checked every 5 ms): waiting for a state, bounded by the test's timeout. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Starts handoffs until every subscriber has seen one whole (subscriptions register asynchronously). */
async function warmUp(subscribers: { events: Event[] }[], prefix: string): Promise<void> {
  for (let i = 0; ; i++) {
    const id = `${prefix}_warm_${i}`;
    await initiate(server, { handoffId: id, procedureId: 'TWO_NOOPS' });

    const seenWhole = (events: Event[]) =>
      events.some((e) => e.handoffId === id && e.seq === 1) && finished(events, id);
    await Promise.race([
      until(() => subscribers.every((s) => seenWhole(s.events))),
      new Promise((resolve) => setTimeout(resolve, 500)),
    ]);
    if (subscribers.every((s) => seenWhole(s.events))) return;
  }
}

/** The seqs a subscriber got for one handoff, in the order it got them. */
const seqsOf = (events: Event[], handoffId: string) =>
  events.filter((event) => event.handoffId === handoffId).map((event) => event.seq);

describe('handoffEvents fan-out', () => {
  it('gives every subscriber its own selection, every event of every handoff, in order', async () => {
    const shapes = [
      ['handoffId', 'seq', 'type'],
      ['seq', 'handoffId', 'type', 'status', 'message'],
      ['handoffId', 'seq', 'type', 'when: at', 'step'],
    ];
    const subscribers = [
      ...shapes.flatMap((shape) => [subscriber(shape), subscriber(shape), subscriber(shape)]),
      subscriber(['handoffId', 'seq', 'type'], { tests: false }),
    ];
    await warmUp(subscribers, 'shapes');

    const ids = Array.from({ length: 6 }, (_, i) => `shapes_${i}`);
    await Promise.all(ids.map((handoffId) => initiate(server, { handoffId, procedureId: 'TWO_NOOPS' })));
    await until(() => subscribers.every((s) => ids.every((id) => finished(s.events, id))));

    const expected = ids.map((id) => seqsOf(subscribers[0].events, id));
    for (const s of subscribers) {
      expect(s.errors).toEqual([]);
      // Every seq from 1 to the last, once each, in order: nothing lost, duplicated or reordered.
      for (const [index, id] of ids.entries()) {
        const seqs = seqsOf(s.events, id);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        expect(seqs).toEqual(expected[index]);
      }
      for (const event of s.events) expect(Object.keys(event)).toEqual(s.fields);
    }
    for (const s of subscribers) s.stop();
  });

  it('closes a stalled subscriber with 1013 and the last event it was sent, without holding back the others', async () => {
    // Wide frames (handoff ids of 80 characters, selected 13 times), so a few handoffs fill what the
    // stalled socket's buffers hold before its keep-alive ping goes unanswered.
    const wide = ['handoffId', 'seq', 'type', ...Array.from({ length: 12 }, (_, i) => `h${i}: handoffId`)];
    const query = `subscription { handoffEvents { ${wide.join(' ')} } }`;
    const reading = subscriber(['handoffId', 'seq', 'type']);

    const stalled = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const frames: { id?: string; type: string; payload?: any }[] = [];
    stalled.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = once(stalled, 'close') as Promise<[number, Buffer]>;
    await once(stalled, 'open');
    stalled.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => frames.some((f) => f.type === 'connection_ack'));
    stalled.send(JSON.stringify({ id: 'wide', type: 'subscribe', payload: { query } }));
    const stalledEvents = () => frames.filter((f) => f.type === 'next').map((f) => f.payload.data.handoffEvents);
    await warmUp(
      [
        reading,
        {
          get events() {
            return stalledEvents();
          },
        },
      ],
      'stall',
    );

    // The client stops reading; handoffs run until the server gives up on it.
    const tcp = (stalled as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const gaveUp = () => server.logs.some((line) => String(line.msg).includes('subscriber too slow'));
    const started: string[] = [];
    for (let batch = 0; !gaveUp(); batch++) {
      const ids = Array.from({ length: 25 }, (_, i) => `stall_${batch}_${i}_`.padEnd(80, 'x'));
      started.push(...ids);
      await Promise.all(ids.map((handoffId) => initiate(server, { handoffId, procedureId: 'TWO_NOOPS' })));
      await until(() => ids.every((id) => finished(reading.events, id)));
      if (stalled.readyState !== WebSocket.OPEN) throw new Error('the stalled socket closed before its queue filled');
    }
    // The reading subscriber got all of it while the other was stalled.
    for (const id of started) {
      const seqs = seqsOf(reading.events, id);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }

    // Reading again, the client gets what was written before the close, then the close naming its last event.
    tcp.resume();
    const [code, reason] = await closed;
    expect(code).toBe(1013);
    const last = stalledEvents().at(-1)!;
    expect(String(reason)).toBe(`Subscriber too slow; last event sent: ${last.handoffId}#${last.seq}`);

    // It resumes: the rest of that handoff after the named seq, then live events on a new subscription.
    const rest = await server.subscribe(
      'subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq } }',
      { id: last.handoffId, after: last.seq },
    );
    const restSeqs = rest.map((result) => result.data.handoffProgress.seq);
    expect(restSeqs).toEqual(Array.from({ length: restSeqs.length }, (_, i) => last.seq + 1 + i));
    if (restSeqs.length === 0) expect(last.type).toBe('HANDOFF_COMPLETED');
    const again = subscriber(['handoffId', 'seq', 'type']);
    await warmUp([again], 'resumed');
    again.stop();
    reading.stop();
  });
});
