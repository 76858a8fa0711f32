import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const start = (dataDir: string, env: Record<string, string> = {}) => startServerProcess(dataDir, running, env);

const HANDOFF = `query { handoff(id: "crash_1") { status steps { id status attempts } events(limit: 1000) { seq type step attempt } } }`;

describe('crash recovery', () => {
  it('finishes a handoff after the server is killed with SIGKILL mid-step, within each step’s retry policy', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-crash-'));
    dirs.push(dataDir);

    const first = await start(dataDir);
    const created = await first.gql(
      `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
      {
        input: {
          id: 'CRASHABLE',
          name: 'Has a slow middle step',
          steps: [
            { id: 'before', name: 'before', kind: 'NOOP', timeoutMs: 1_000 },
            {
              id: 'slow',
              name: 'slow',
              kind: 'DELAY',
              params: { ms: 1_500 },
              timeoutMs: 10_000,
              retry: { maxAttempts: 2, initialDelayMs: 10 },
            },
            { id: 'after', name: 'after', kind: 'NOOP', timeoutMs: 1_000 },
          ],
        },
      },
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);
    const initiated = await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "crash_1", procedureId: "CRASHABLE" }) { userErrors { message } } }`,
    );
    expect(initiated.data.initiateHandoff.userErrors).toEqual([]);

    await waitFor(
      () => first.gql(HANDOFF),
      (r) => r.data.handoff.steps[1].status === 'RUNNING',
    );
    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    const second = await start(dataDir);
    const done = await waitFor(
      () => second.gql(HANDOFF),
      (r) => r.data.handoff.status === 'COMPLETED',
    );
    const { steps, events } = done.data.handoff;
    const trail = events.map((e: any) => `${e.type}${e.step ? ` ${e.step}` : ''}${e.attempt ? ` #${e.attempt}` : ''}`);

    expect(events.map((e: any) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect(trail).toContain('HANDOFF_INTERRUPTED slow #1');
    expect(trail.slice(trail.indexOf('HANDOFF_INTERRUPTED slow #1'))).toEqual([
      'HANDOFF_INTERRUPTED slow #1',
      'STEP_FAILED slow #1',
      'STEP_RETRY_SCHEDULED slow #2',
      'STEP_STARTED slow #2',
      'STEP_SUCCEEDED slow #2',
      'STEP_STARTED after #1',
      'STEP_SUCCEEDED after #1',
      'HANDOFF_COMPLETED',
    ]);
    // No step ran beyond its policy: the interrupted attempt counts, and the slow step allows 2.
    expect(steps.map((s: any) => [s.id, s.status, s.attempts])).toEqual([
      ['before', 'SUCCEEDED', 1],
      ['slow', 'SUCCEEDED', 2],
      ['after', 'SUCCEEDED', 1],
    ]);
    expect(trail.filter((t: string) => t.startsWith('STEP_STARTED slow'))).toHaveLength(2);
    expect(second.server.stdout()).toContain('resuming unfinished handoffs');
  });

  it('never runs a compensation more often than its policy, however often the server is killed during it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-crash-'));
    dirs.push(dataDir);
    // The receiver holds the first two calls (the server is killed while each is in flight) and refuses any later one.
    const calls: string[] = [];
    const arrivals: (() => void)[] = [];
    const receiver = http.createServer((request, response) => {
      request.resume();
      calls.push(request.headers['idempotency-key'] as string);
      if (calls.length > 2) response.writeHead(503).end();
      arrivals.shift()?.();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const arrived = () => new Promise<void>((resolve) => arrivals.push(resolve));
    const env = { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' };
    try {
      const first = await start(dataDir, env);
      const created = await first.gql(
        `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
        {
          input: {
            id: 'UNDO_TWICE',
            name: 'An undo allowed two attempts',
            steps: [
              {
                id: 'book',
                name: 'book',
                kind: 'NOOP',
                timeoutMs: 1_000,
                retry: { maxAttempts: 2, initialDelayMs: 10 },
                compensation: {
                  id: 'unbook',
                  name: 'unbook',
                  kind: 'WEBHOOK',
                  params: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/unbook` },
                  timeoutMs: 60_000,
                },
              },
              {
                id: 'ship',
                name: 'ship',
                kind: 'SIMULATE',
                params: { failFirstAttempts: 9 },
                timeoutMs: 1_000,
                retry: { maxAttempts: 1 },
              },
            ],
          },
        },
      );
      expect(created.data.createProcedure.userErrors).toEqual([]);
      const call = arrived();
      await first.gql(
        'mutation { initiateHandoff(input: { handoffId: "undo_1", procedureId: "UNDO_TWICE" }) { userErrors { message } } }',
      );
      // Killed during each of the two attempts the policy allows.
      await call;
      first.server.child.kill('SIGKILL');
      await first.server.exited;
      const again = arrived();
      const second = await start(dataDir, env);
      await again;
      second.server.child.kill('SIGKILL');
      await second.server.exited;

      const third = await start(dataDir, env);
      const done = await waitFor(
        () => third.gql('{ handoff(id: "undo_1") { status steps { id status compensationAttempts } } }'),
        (r) => r.data.handoff.status === 'ROLLBACK_FAILED',
      );
      expect(done.data.handoff.steps[0]).toEqual({
        id: 'book',
        status: 'COMPENSATION_FAILED',
        compensationAttempts: 2,
      });
      expect(calls).toEqual(['undo_1:unbook:1', 'undo_1:unbook:2']);
    } finally {
      receiver.close();
    }
  });
});
