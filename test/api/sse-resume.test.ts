import net from 'node:net';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium } from '../support/browser.js';
import { createProcedure, follow, initiate, quickStep } from '../support/handoff-fixtures.js';
import { openEventStream } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CREATE_RULE, START } from '../support/validation-api.js';

/**
 * Server-Sent Events (graphql-sse's distinct connections mode, as graphql-yoga serves it): numbered
 * streams carry `id: <seq>`, a Last-Event-ID resumes after it, and a stock browser EventSource cut
 * mid-stream receives every event once. graphql-sse's single connection mode is refused, and says so.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const created = await createProcedure(server, {
    id: 'WAITS',
    name: 'waits',
    steps: [
      quickStep('before', 'NOOP', {}),
      quickStep('approval', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 }),
      quickStep('after', 'NOOP', {}),
    ],
  });
  expect(created.userErrors).toEqual([]);
});
afterAll(() => server.close());

const PROGRESS = 'subscription($id: ID!) { handoffProgress(id: $id) { seq type } }';
const progressPath = (id: string) =>
  `/graphql?query=${encodeURIComponent(PROGRESS)}&variables=${encodeURIComponent(JSON.stringify({ id }))}`;

/** The SSE events of a finished stream: each `next` event's id line and payload. */
function nextEvents(text: string): { id: string | null; data: any }[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: next'))
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((line) => line.startsWith('id: '))?.slice(4) ?? null;
      return { id, data: JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)) };
    });
}

async function finishedHandoff(handoffId: string): Promise<number> {
  await initiate(server, { handoffId, procedureId: 'WAITS' });
  await server.gql(
    `mutation { signalHandoff(input: { id: "${handoffId}", step: "approval" }) { userErrors { message } } }`,
  );
  const events = await follow(server, handoffId);
  return events.at(-1)!.seq;
}

describe('ids and Last-Event-ID on numbered SSE streams', () => {
  it('handoffProgress: every event carries id: <seq>; a Last-Event-ID resumes after it', async () => {
    const last = await finishedHandoff('sse_ids');
    const whole = await openEventStream(server.origin, { path: progressPath('sse_ids') });
    const all = nextEvents(await whole.until(/event: complete/));
    expect(all.map((event) => Number(event.id))).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(all.map((event) => event.data.data.handoffProgress.seq)).toEqual(all.map((event) => Number(event.id)));

    const resumed = await openEventStream(server.origin, {
      path: progressPath('sse_ids'),
      headers: { 'last-event-id': '3' },
    });
    const rest = nextEvents(await resumed.until(/event: complete/));
    expect(rest.map((event) => Number(event.id))).toEqual(Array.from({ length: last - 3 }, (_, i) => i + 4));
  });

  it('validationProgress and agentFeed resume from Last-Event-ID too; handoffEvents (live only) sends no ids', async () => {
    await server.gql(CREATE_RULE, {
      input: { id: 'VR_SSE', name: 'sse', severity: 'LOW', condition: { 'context.n': 1 } },
    });
    const started = await server.gql(START, {
      input: { ruleIds: ['VR001', 'VR_SSE'], context: { n: 1, phaseComplete: true } },
    });
    const sessionId = started.data.startValidationSession.session.sessionId;
    const query = 'subscription($id: ID!) { validationProgress(id: $id) { seq ruleId outcome } }';
    const path = `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id: sessionId }))}`;
    const whole = nextEvents(await (await openEventStream(server.origin, { path })).until(/event: complete/));
    expect(whole.map((event) => event.id)).toEqual(['1', '2', '3']);
    const resumed = nextEvents(
      await (await openEventStream(server.origin, { path, headers: { 'last-event-id': '2' } })).until(
        /event: complete/,
      ),
    );
    expect(resumed.map((event) => [event.id, event.data.data.validationProgress.outcome])).toEqual([['3', 'PASSED']]);

    await server.gql('mutation { registerAgent(input: { id: "sse_agent" }) { userErrors { message } } }');
    const feed = `/graphql?query=${encodeURIComponent('subscription { agentFeed(agentId: "sse_agent") { seq type } }')}`;
    const stream = await openEventStream(server.origin, { path: feed, headers: { 'last-event-id': '0' } });
    await server.gql(
      'mutation { initiateHandoff(input: { handoffId: "sse_feed", procedureId: "WAITS", targetAgent: "sse_agent" }) { userErrors { message } } }',
    );
    const firstFeedEvent = nextEvents(await stream.until(/id: 1\n/))[0];
    expect(firstFeedEvent.id).toBe('1');
    stream.close();

    const live = await openEventStream(server.origin, {
      path: `/graphql?query=${encodeURIComponent('subscription { handoffEvents { seq } }')}`,
    });
    await server.gql(
      'mutation { initiateHandoff(input: { handoffId: "sse_live", procedureId: "WAITS" }) { userErrors { message } } }',
    );
    const liveEvents = nextEvents(await live.until(/event: next\n/));
    expect(liveEvents[0].id).toBeNull();
    live.close();
  });
});

describe("graphql-sse's client", () => {
  it('in its distinct connections mode (the default) streams a subscription to its end', async () => {
    await finishedHandoff('sse_client');
    const client = createClient({ url: server.url });
    const seqs: number[] = [];
    for await (const result of client.iterate({ query: PROGRESS, variables: { id: 'sse_client' } })) {
      seqs.push((result.data as any).handoffProgress.seq);
    }
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    client.dispose();
  });

  it('in its single connection mode is refused with a message that says so, not a bare 405', async () => {
    const client = createClient({ url: server.url, singleConnection: true, retryAttempts: 0 });
    const attempt = (async () => {
      for await (const _ of client.iterate({ query: PROGRESS, variables: { id: 'sse_client' } })) {
        // nothing arrives
      }
    })();
    await expect(attempt).rejects.toThrow(
      'Server responded with 405: graphql-sse single connection mode is not supported here; use distinct connections',
    );
    client.dispose();
    const put = await fetch(server.url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect((await put.json()).errors[0].extensions.code).toBe('SSE_SINGLE_CONNECTION_UNSUPPORTED');
  });
});

/** A TCP proxy in front of the server that can cut every connection through it, as a network drop would. */
async function startCuttingProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}

describe.skipIf(!HAVE_CHROMIUM)('a browser EventSource cut mid-stream', () => {
  it('reconnects with Last-Event-ID and receives every event of the handoff exactly once', async () => {
    await initiate(server, { handoffId: 'sse_browser', procedureId: 'WAITS' });
    const proxy = await startCuttingProxy(new URL(server.origin));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      // A page of the server's own origin (through the proxy), so the EventSource is same-origin.
      await page.goto(`${proxy.origin}/health`);
      await page.evaluate((path) => {
        const state = { seqs: [] as number[], ids: [] as string[], opens: 0, done: false };
        (window as any).sse = state;
        const source = new EventSource(path);
        source.addEventListener('open', () => state.opens++);
        source.addEventListener('next', (event) => {
          const message = event as MessageEvent;
          state.ids.push(message.lastEventId);
          state.seqs.push(JSON.parse(message.data).data.handoffProgress.seq);
        });
        // graphql-sse ends a stream with a `complete` event; without close() EventSource would reconnect.
        source.addEventListener('complete', () => {
          state.done = true;
          source.close();
        });
      }, progressPath('sse_browser'));

      // The handoff waits for its signal: the stream has sent what happened so far. Then the network drops.
      await page.waitForFunction(() => (window as any).sse.seqs.length >= 5);
      const beforeCut = await page.evaluate(() => (window as any).sse.seqs.length);
      proxy.cut();
      // Meanwhile the handoff goes on to its end; the browser reconnects on its own.
      const signalled = await server.gql(
        'mutation { signalHandoff(input: { id: "sse_browser", step: "approval" }) { userErrors { message } } }',
      );
      expect(signalled.data.signalHandoff.userErrors).toEqual([]);
      await page.waitForFunction(() => (window as any).sse.done, undefined, { timeout: 30_000 });

      const { seqs, ids, opens } = await page.evaluate(() => (window as any).sse);
      const final = (await follow(server, 'sse_browser')).at(-1)!.seq;
      expect(seqs).toEqual(Array.from({ length: final }, (_, i) => i + 1));
      expect(ids).toEqual(seqs.map(String));
      expect(opens).toBeGreaterThanOrEqual(2);
      expect(beforeCut).toBeLessThan(final);
    } finally {
      await browser.close();
      await proxy.close();
    }
  }, 60_000);
});
