import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentWorker } from '../../examples/agent-worker.js';
import { followFeed } from '../support/agent-feed.js';
import { createProcedure, follow, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A TCP relay in front of the server whose connections the test can cut, as a flaky network would. */
async function relayTo(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () =>
      new Promise((resolve) => {
        relay.close(() => resolve());
        open.forEach((socket) => socket.destroy());
      }),
  };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await registerReadyAgents(server, 'lead', 'worker_agent');
  // A claim whose answer the cut loses leaves its task to time out: the next attempt is offered (no timing is assumed).
  const step = (id: string) =>
    quickStep(
      id,
      'AGENT_TASK',
      { input: { checklist: [id] } },
      { timeoutMs: 3_000, retry: { maxAttempts: 10, initialDelayMs: 1 } },
    );
  expect(
    (
      await createProcedure(server, {
        id: 'THREE_REVIEWS',
        name: 'three reviews',
        steps: [step('one'), step('two'), step('three')],
      })
    ).userErrors,
  ).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

describe('examples/agent-worker.ts', () => {
  it('does its tasks, and resumes its feed after the network drops its connection', async () => {
    const relay = await relayTo(Number(new URL(server.url).port));
    const lines: string[] = [];
    const worker = new AgentWorker({
      agentId: 'worker_agent',
      url: `http://127.0.0.1:${relay.port}/graphql`,
      log: (line) => lines.push(line),
    });
    try {
      await worker.start();
      const watch = followFeed(server.wsClient(), 'worker_agent');
      expect(
        (
          await initiate(server, {
            handoffId: 'worker_1',
            procedureId: 'THREE_REVIEWS',
            sourceAgent: 'lead',
            targetAgent: 'worker_agent',
          })
        ).userErrors,
      ).toEqual([]);
      await watch.until((entry) => entry.type === 'TASK_COMPLETED' && entry.step === 'one');
      relay.cut();
      const events = await follow(server, 'worker_1');
      expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
      watch.stop();
      expect(lines.some((line) => line.startsWith('feed connection lost'))).toBe(true);
      // No entry was handled twice after the resume (a second claim of one offer would be refused), and each step was done once.
      expect(lines.filter((line) => line.includes('not claimed'))).toEqual([]);
      expect(lines.filter((line) => line.startsWith('completed task'))).toHaveLength(3);
    } finally {
      await worker.stop();
      await relay.close();
    }
  });
});
