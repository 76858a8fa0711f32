import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/raw-http.js';
import { openRawSocket, startTestServer, type TestServer } from '../support/server.js';

/**
 * N1: one graphql-ws socket floods the server with messages. Each message is handled in its own turn
 * of the event loop, and a socket that has more messages waiting than its budget is closed with 4429,
 * so other clients (and /health) keep being served.
 */

const FLOOD = 20_000;
const BUDGET = 64;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ WS_MAX_PENDING_MESSAGES: String(BUDGET) });
});
afterAll(() => server.close());

describe('a graphql-ws message flood (N1)', () => {
  it(`a socket sending ${FLOOD} subscribe messages is closed with 4429 after at most its budget; /health answers meanwhile`, async () => {
    const abusive = await openRawSocket(server.wsUrl);
    abusive.send(JSON.stringify({ type: 'connection_init' }));
    expect((await abusive.next()).type).toBe('connection_ack');
    let answered = 0;
    let allAnswered: () => void = () => undefined;
    const everyMessageAnswered = new Promise<'all answered'>((resolve) => {
      allAnswered = () => resolve('all answered');
    });
    abusive.socket.on('message', () => {
      // The first MAX_SUBSCRIPTIONS_PER_SOCKET (100) subscriptions are live and silent; every later one is refused.
      if (++answered >= FLOOD - 100) allAnswered();
    });

    const frame = (i: number) =>
      JSON.stringify({
        id: String(i),
        type: 'subscribe',
        payload: { query: 'subscription { handoffEvents { seq } }' },
      });
    for (let i = 0; i < FLOOD; i++) abusive.send(frame(i));

    // /health is polled for as long as the flood is being dealt with: every request is answered.
    const healthStatuses: number[] = [];
    let closedYet = false;
    // Without a budget every message is answered (an error each) and the socket stays open.
    const closed = Promise.race([abusive.closed, everyMessageAnswered]).then((close) => {
      closedYet = true;
      return close;
    });
    const polling = (async () => {
      do healthStatuses.push((await httpRequest(server.origin, { path: '/health' })).status);
      while (!closedYet);
    })();

    const close = await closed;
    await polling;
    expect(close).toEqual({ code: 4429, reason: expect.stringMatching(/Too many messages/) });
    // Far fewer than the flood were handled: the socket was closed once its budget was spent.
    expect(answered).toBeLessThan(FLOOD / 10);
    expect(healthStatuses.length).toBeGreaterThan(0);
    expect(healthStatuses.every((status) => status === 200)).toBe(true);
  });

  it('a socket that keeps within its budget is served, message after message', async () => {
    const socket = await openRawSocket(server.wsUrl);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect((await socket.next()).type).toBe('connection_ack');
    // Several rounds of a full budget's worth of queries, each round answered before the next is sent.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < BUDGET; i++) {
        socket.send(JSON.stringify({ id: `${round}-${i}`, type: 'subscribe', payload: { query: '{ __typename }' } }));
      }
      const completed = new Set<string>();
      while (completed.size < BUDGET) {
        const message = await socket.next();
        if (message.type === 'complete') completed.add(message.id);
      }
    }
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    socket.socket.close();
  });
});
