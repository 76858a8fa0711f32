import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, listeningPort, postGraphQL, type ServerProcess, spawnServer } from '../support/server-process.js';

/**
 * Work is shared: due work lives in the store, and any process with a free slot takes it. Here one
 * process serves the API only (WORKERS=0) and starts every handoff; the two others run them all,
 * both of them, and when one is killed the other finishes its share.
 */

const HANDOFFS = 3_000;
const CONCURRENT_REQUESTS = 24;
const MAX_ATTEMPTS = 3;
const START_TIMEOUT_MS = 30_000;

interface Instance {
  process: ServerProcess;
  port: number;
}

/** This process's count of handoffs it finished itself (from /metrics), by final status. */
async function finishedHere(instance: Instance): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('handoff_handoffs_finished_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function unfinished(instance: Instance): Promise<number> {
  const response = await postGraphQL(
    instance.port,
    '{ handoffs(first: 1, filter: { status: [PENDING, RUNNING, WAITING, ROLLING_BACK] }) { totalCount } }',
  );
  return response.data.handoffs.totalCount;
}

describe('three processes on one store, one of them API only', () => {
  let dataDir: string;
  let api: Instance;
  let workers: Instance[];
  const everyProcess: ServerProcess[] = [];

  async function launch(env: Record<string, string>): Promise<Instance> {
    const server = spawnServer({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LEASE_MS: '3000',
      MAX_CONCURRENT_HANDOFFS: '50',
      ...env,
    });
    everyProcess.push(server);
    return { process: server, port: await listeningPort(server) };
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-shared-'));
    // The first creates the schema and seeds; the others join it.
    api = await launch({ WORKERS: '0' });
    workers = await Promise.all([launch({}), launch({})]);
  }, START_TIMEOUT_MS * 2);

  afterAll(async () => {
    await killAll(everyProcess);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`runs ${HANDOFFS} handoffs started on the API-only process on the two others, and survives a SIGKILL of one`, async () => {
    const created = await postGraphQL(
      api.port,
      `mutation { createProcedure(input: { id: "SHARED", name: "shared", steps: [
        { id: "work", name: "work", kind: DELAY, params: { ms: 10 }, timeoutMs: 2000, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
        { id: "flaky", name: "flaky", kind: SIMULATE, params: { failFirstAttempts: 1 }, timeoutMs: 2000, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
        { id: "finish", name: "finish", kind: NOOP, timeoutMs: 2000, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
      ] }) { userErrors { message } } }`,
    );
    expect(created).toEqual({ data: { createProcedure: { userErrors: [] } } });

    const acknowledged = new Set<string>();
    let killedAfter = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, async () => {
        while (next < HANDOFFS) {
          const i = next++;
          if (i === HANDOFFS / 2) {
            // Midway: the first worker has run some already; it dies with work in flight.
            killedAfter = await finishedHere(workers[0]);
            workers[0].process.child.kill('SIGKILL');
          }
          const response = await postGraphQL(
            api.port,
            'mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "SHARED" }) { handoff { id } userErrors { message } } }',
            { id: `shared_${i}` },
          );
          expect(response.data?.initiateHandoff.handoff, JSON.stringify(response)).toBeTruthy();
          acknowledged.add(`shared_${i}`);
        }
      }),
    );
    expect(acknowledged.size).toBe(HANDOFFS);
    await workers[0].process.exited;

    for (let pause = 50; (await unfinished(api)) > 0; pause = Math.min(pause * 2, 1_000))
      await new Promise((resolve) => setTimeout(resolve, pause));

    // Both workers ran a share; the API-only process ran none.
    expect(killedAfter).toBeGreaterThan(0);
    expect(await finishedHere(workers[1])).toBeGreaterThan(0);
    expect(await finishedHere(api)).toBe(0);

    const stored = new Map<string, any>();
    for (let after: string | null = null; ; ) {
      const read: any = await postGraphQL(
        api.port,
        `query($after: String) { handoffs(first: 50, after: $after, filter: { procedureId: ["SHARED"] }) {
          edges { node { handoffId status steps { id attempts } events { seq type step } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(read.errors).toBeUndefined();
      for (const { node } of read.data.handoffs.edges) stored.set(node.handoffId, node);
      if (!read.data.handoffs.pageInfo.hasNextPage) break;
      after = read.data.handoffs.pageInfo.endCursor;
    }
    // Nothing lost, nothing made twice.
    expect([...stored.keys()].sort()).toEqual([...acknowledged].sort());
    for (const [id, handoff] of stored) {
      expect(
        handoff.events.map((event: { seq: number }) => event.seq),
        id,
      ).toEqual(handoff.events.map((_: unknown, n: number) => n + 1));
      for (const step of handoff.steps) {
        const started = handoff.events.filter(
          (event: { type: string; step: string }) => event.type === 'STEP_STARTED' && event.step === step.id,
        ).length;
        // Every attempt the step counts was started once, by one process, and never past the policy.
        expect(started, `${id} ${step.id}`).toBe(step.attempts);
        expect(step.attempts, `${id} ${step.id}`).toBeLessThanOrEqual(MAX_ATTEMPTS);
      }
      if (handoff.status !== 'COMPLETED') {
        // Only a step cut short by the kill on every attempt may have used its policy up.
        expect(
          handoff.events.some((event: { type: string }) => event.type === 'HANDOFF_INTERRUPTED'),
          `${id} is ${handoff.status}`,
        ).toBe(true);
      }
    }
  }, 600_000);
});
