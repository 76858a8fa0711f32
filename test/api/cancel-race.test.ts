import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect } from '../support/server.js';
import { killAll, listeningPort, postGraphQL, type ServerProcess, spawnServer } from '../support/server-process.js';

/**
 * A cancel acknowledged while the last step is finishing must take effect. Two processes share one
 * store; the handoff runs on A, the cancel goes to B. A hears of it only when it commits (the change
 * feed and lease renewal are set to minutes), so the cancel lands exactly between the step's end and
 * the final transition: the window where acknowledged cancels used to be overtaken by COMPLETED.
 */

const FINAL = /HANDOFF_(COMPLETED|FAILED|ROLLED_BACK|ROLLBACK_FAILED|CANCELLED)/;

/** A webhook receiver that holds the first call until the test releases it, and answers the rest at once. */
function holdingReceiver() {
  const paths: string[] = [];
  let first: ((release: (status: number) => void) => void) | null = null;
  const held = new Promise<(status: number) => void>((resolve) => (first = resolve));
  const server = http.createServer((req, res) => {
    req.resume();
    paths.push(req.url ?? '');
    const answer = (status: number) => res.writeHead(status).end();
    if (first) {
      first(answer);
      first = null;
    } else answer(200);
  });
  return { server, paths, firstCall: () => held };
}

describe('a cancel racing the final transition', () => {
  let dataDir: string;
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const receiver = holdingReceiver();
  let receiverUrl: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-cancel-race-'));
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      CHANGE_POLL_MS: '60000',
      LEASE_MS: '3600000',
    };
    for (let i = 0; i < 2; i++) {
      const server = spawnServer(env);
      servers.push(server);
      ports.push(await listeningPort(server));
    }
  }, 120_000);

  afterAll(async () => {
    await killAll(servers);
    receiver.server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is either refused or honoured: acknowledged, the handoff ends CANCELLED with its completed step undone', async () => {
    const [a, b] = ports;
    const defined = await postGraphQL(
      a,
      `mutation { createProcedure(input: { id: "LAST_STEP", name: "last step", steps: [
      { id: "call", name: "call", kind: WEBHOOK, params: { url: "${receiverUrl}/do" }, timeoutMs: 30000,
        compensation: { id: "uncall", name: "uncall", kind: WEBHOOK, params: { url: "${receiverUrl}/undo" }, timeoutMs: 30000 } }
    ] }) { userErrors { message } } }`,
    );
    expect(defined).toEqual({ data: { createProcedure: { userErrors: [] } } });

    const started = await postGraphQL(
      a,
      'mutation { initiateHandoff(input: { handoffId: "race_1", procedureId: "LAST_STEP" }) { userErrors { message } } }',
    );
    expect(started.data.initiateHandoff.userErrors).toEqual([]);
    const release = await receiver.firstCall();
    expect(receiver.paths).toEqual(['/do']);

    // The step is in flight on A; B records the cancel and says it is accepted.
    const cancelled = await postGraphQL(
      b,
      'mutation { cancelHandoff(input: { id: "race_1", reason: "changed plan" }) { handoff { status } userErrors { code message } } }',
    );
    expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
    release(200);

    // A learns of the cancel only from its own commit: the step's success is recorded, then undone.
    // (Followed on A: B would hear of A's events only at its next change-feed read, minutes away.)
    const client = createClient({
      url: `ws://127.0.0.1:${a}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    const followed = await collect(client, 'subscription { handoffProgress(id: "race_1") { type } }');
    await client.dispose();
    expect(followed.at(-1)?.data?.handoffProgress.type).toMatch(FINAL);
    const { handoff } = (
      await postGraphQL(b, '{ handoff(id: "race_1") { status cancelReason steps { id status } events { type } } }')
    ).data;
    expect(handoff.status).toBe('CANCELLED');
    expect(receiver.paths).toEqual(['/do', '/undo']);
    expect(handoff.cancelReason).toBe('changed plan');
    expect(handoff.steps).toEqual([{ id: 'call', status: 'COMPENSATED' }]);
    expect(handoff.events.map((event: { type: string }) => event.type)).toEqual([
      'HANDOFF_CREATED',
      'GATES_PASSED',
      'HANDOFF_STARTED',
      'STEP_STARTED',
      'STEP_SUCCEEDED',
      'ROLLBACK_STARTED',
      'COMPENSATION_STARTED',
      'COMPENSATION_SUCCEEDED',
      'HANDOFF_CANCELLED',
    ]);
  }, 120_000);
});
