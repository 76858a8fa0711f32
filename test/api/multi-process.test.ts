import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { killAll, listeningPort, postGraphQL, type ServerProcess, spawnServer } from '../support/server-process.js';
import { type ServerStore, serverStores } from '../support/server-stores.js';

/**
 * Several server processes on one store (a SQLite file; a MongoDB database when MONGODB_URL is set),
 * as several instances of one deployment: work started anywhere runs exactly once, by its policy,
 * and every process streams every handoff's history.
 */

const CONCURRENT_REQUESTS = 24;
const MAX_ATTEMPTS = 3;
const START_TIMEOUT_MS = 60_000;
const FINAL = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
]);
const PROGRESS = 'subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq type } }';

interface Instance {
  process: ServerProcess;
  port: number;
}

function severalServers(store: ServerStore): void {
  const HANDOFFS = Number(process.env.HANDOFF_SEVERAL_SERVERS_HANDOFFS ?? store.severalServersHandoffs);
  /** Every twentieth handoff is followed from another process. */
  const FOLLOW_EVERY = 20;
  const FOLLOWED = Math.ceil(HANDOFFS / FOLLOW_EVERY);
  let storeEnv: Record<string, string>;
  const instances: (Instance | null)[] = [];
  const everyProcess: ServerProcess[] = [];

  /** Webhook calls received, by handoff and attempt: a step run twice would show here. */
  const webhookCalls = new Map<string, number>();
  let receiver: Server;
  let receiverUrl = '';

  async function launch(slot: number, env: Record<string, string> = {}): Promise<void> {
    const server = spawnServer({
      PORT: '0',
      HOST: '127.0.0.1',
      ...storeEnv,
      LOG_LEVEL: 'info',
      LEASE_MS: '5000',
      MAX_CONCURRENT_HANDOFFS: '100',
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      ...store.serverSettings,
      ...env,
    });
    everyProcess.push(server);
    instances[slot] = { process: server, port: await listeningPort(server) };
  }

  /** A live instance other than `not` (requests and subscribers move to one when theirs dies). */
  function liveInstance(preferred: number): Instance {
    for (let offset = 0; offset < instances.length; offset++) {
      const instance = instances[(preferred + offset) % instances.length];
      if (instance) return instance;
    }
    throw new Error('no instance is running');
  }

  beforeAll(async () => {
    storeEnv = await store.create();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const { handoffId, attempt } = JSON.parse(body) as { handoffId: string; attempt: number };
        const key = `${handoffId}#${attempt}`;
        webhookCalls.set(key, (webhookCalls.get(key) ?? 0) + 1);
        response.statusCode = 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // The first creates the schema and seeds; the others join it.
    await launch(0);
    await Promise.all([launch(1), launch(2)]);
  }, START_TIMEOUT_MS * 2);

  afterAll(async () => {
    await killAll(everyProcess);
    await store.dispose();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it(
    `runs ${HANDOFFS} handoffs while one process is killed twice: none lost, none past its retry policy, every stream gapless`,
    async () => {
      const created = await postGraphQL(
        liveInstance(0).port,
        `mutation { createProcedure(input: { id: "SHARED_WORK", name: "shared work", steps: [
      { id: "prepare", name: "prepare", kind: NOOP, timeoutMs: ${2_000 * store.slowness}, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
      { id: "work", name: "work", kind: DELAY, params: { ms: 15 }, timeoutMs: ${2_000 * store.slowness}, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
      { id: "flaky", name: "flaky", kind: SIMULATE, params: { failFirstAttempts: 1 }, timeoutMs: ${2_000 * store.slowness}, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
      { id: "notify", name: "notify", kind: WEBHOOK, params: { url: "${receiverUrl}" }, timeoutMs: ${5_000 * store.slowness}, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
      { id: "finish", name: "finish", kind: NOOP, timeoutMs: ${2_000 * store.slowness}, retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelayMs: 5, maxDelayMs: 20 } }
    ] }) { userErrors { message } } }`,
      );
      expect(created).toEqual({ data: { createProcedure: { userErrors: [] } } });

      const acknowledged = new Set<string>();
      const streams: Promise<{ id: string; seqs: number[]; last: string }>[] = [];

      /** Follows one handoff from a process that did not start it; moves to another process, from its last seq, if that one dies. */
      const follow = (id: string, preferred: number) =>
        (async () => {
          const seqs: number[] = [];
          let last = '';
          for (let tries = 0; !FINAL.has(last); tries++) {
            if (tries > 10) throw new Error(`${id}: gave up following`);
            const instance = liveInstance(preferred + tries);
            const client = createClient({
              url: `ws://127.0.0.1:${instance.port}/graphql`,
              webSocketImpl: WebSocket,
              retryAttempts: 0,
              lazy: true,
            });
            await new Promise<void>((resolve) => {
              client.subscribe(
                { query: PROGRESS, variables: { id, after: seqs.at(-1) ?? 0 } },
                {
                  next: (result: any) => {
                    const event = result.data?.handoffProgress;
                    if (!event) return;
                    seqs.push(event.seq);
                    last = event.type;
                  },
                  error: () => resolve(),
                  complete: () => resolve(),
                },
              );
            });
            await client.dispose();
          }
          return { id, seqs, last };
        })();

      /** Starts handoff i on instance i % 3; when that process is gone, the same handoffId goes to another. */
      const start = async (i: number) => {
        const id = `mp_${i}`;
        for (let tries = 0; ; tries++) {
          const instance = liveInstance(i + tries);
          try {
            const response = await postGraphQL(
              instance.port,
              'mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "SHARED_WORK" }) { handoff { id } userErrors { message } } }',
              { id },
            );
            if (response.data?.initiateHandoff.handoff) {
              acknowledged.add(id);
              if (i % FOLLOW_EVERY === 0) streams.push(follow(id, i + tries + 1));
              return;
            }
            throw new Error(JSON.stringify(response));
          } catch (error) {
            if (tries > 10) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };

      const kills = new Map([
        [Math.floor(HANDOFFS / 3), 1],
        [Math.floor((2 * HANDOFFS) / 3), 1],
      ]);
      let next = 0;
      let relaunched = Promise.resolve();
      await Promise.all(
        Array.from({ length: CONCURRENT_REQUESTS }, async () => {
          while (next < HANDOFFS) {
            const i = next++;
            const victim = kills.get(i);
            if (victim !== undefined) {
              // the second kill waits for the first one's replacement to be up
              await relaunched;
              const instance = instances[victim]!;
              instances[victim] = null;
              instance.process.child.kill('SIGKILL');
              await instance.process.exited;
              relaunched = launch(victim);
            }
            await start(i);
          }
        }),
      );
      expect(acknowledged.size).toBe(HANDOFFS);
      await relaunched;

      // Every acknowledged handoff reaches a final status (the dead process's ones are taken over). The followed
      // streams end on their handoffs' final events, spread over the run: waited for first, they leave few polls
      // of the count (a query FerretDB answers by reading every stored handoff) for the last ones.
      const followed = await Promise.all(streams);
      const unfinished = async () =>
        (
          await postGraphQL(
            liveInstance(0).port,
            '{ handoffs(first: 1, filter: { status: [PENDING, RUNNING, WAITING, ROLLING_BACK] }) { totalCount } }',
          )
        ).data.handoffs.totalCount;
      for (let wait = 50; (await unfinished()) > 0; wait = Math.min(wait * 2, 1_000))
        await new Promise((resolve) => setTimeout(resolve, wait));

      const stored = new Map<string, any>();
      for (let after: string | null = null, page = 0; ; page++) {
        const read: any = await postGraphQL(
          liveInstance(page).port,
          `query($after: String) { handoffs(first: 100, after: $after, filter: { procedureId: ["SHARED_WORK"] }) {
          edges { node { handoffId status steps { id attempts } events { seq type step } } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        expect(read.errors).toBeUndefined();
        for (const { node } of read.data.handoffs.edges) stored.set(node.handoffId, node);
        if (!read.data.handoffs.pageInfo.hasNextPage) break;
        after = read.data.handoffs.pageInfo.endCursor;
      }
      // nothing lost, nothing made twice
      expect([...stored.keys()].sort()).toEqual([...acknowledged].sort());
      for (const [id, handoff] of stored) {
        // gapless, and ends on its final event
        expect(
          handoff.events.map((event: { seq: number }) => event.seq),
          id,
        ).toEqual(handoff.events.map((_: unknown, n: number) => n + 1));
        expect(FINAL.has(handoff.events.at(-1).type), id).toBe(true);
        for (const step of handoff.steps) {
          const started = handoff.events.filter(
            (event: { type: string; step: string }) => event.type === 'STEP_STARTED' && event.step === step.id,
          ).length;
          // every attempt the step counts was started once, by one process
          expect(started, `${id} ${step.id}`).toBe(step.attempts);
          expect(step.attempts, `${id} ${step.id}`).toBeLessThanOrEqual(MAX_ATTEMPTS);
        }
        // the receiver saw each attempt of the webhook step at most once, and no more attempts than the step counts
        const notify = handoff.steps.find((step: { id: string }) => step.id === 'notify');
        const called = [...webhookCalls].filter(([key]) => key.startsWith(`${id}#`));
        expect(
          called.every(([, count]) => count === 1),
          `${id} webhook calls ${JSON.stringify(called)}`,
        ).toBe(true);
        expect(called.length, id).toBeLessThanOrEqual(notify.attempts);
        if (handoff.status === 'COMPLETED') expect(called.length, id).toBeGreaterThan(0);
        if (handoff.status !== 'COMPLETED') {
          // only a step cut short by the kills on every attempt may have used its policy up
          expect(
            handoff.events.some((event: { type: string }) => event.type === 'HANDOFF_INTERRUPTED'),
            id,
          ).toBe(true);
        }
      }

      // the kills did cut running work short (and others took it over)
      const interrupted = [...stored.values()].filter((handoff) =>
        handoff.events.some((event: { type: string }) => event.type === 'HANDOFF_INTERRUPTED'),
      );
      expect(interrupted.length).toBeGreaterThan(0);

      expect(followed).toHaveLength(FOLLOWED);
      for (const stream of followed) {
        expect(stream.seqs, stream.id).toEqual(stream.seqs.map((_, n) => n + 1));
        expect(FINAL.has(stream.last), stream.id).toBe(true);
      }
    },
    300_000 * store.slowness,
  );

  it(
    'carries a signal and a cancel sent to one process to the step another runs, through the change feed',
    async () => {
      // Two more processes whose leases (and so lease renewal and the signal poll, a third of a lease) are
      // ten minutes: only the change feed can bring the signal and the cancel within this test's time.
      await Promise.all([launch(3, { LEASE_MS: '600000' }), launch(4, { LEASE_MS: '600000' })]);
      const [a, b] = [instances[3]!, instances[4]!];
      const created = await postGraphQL(
        a.port,
        `mutation { createProcedure(input: { id: "SHARED_WAIT", name: "wait", steps: [
      { id: "review", name: "review", kind: AWAIT_SIGNAL, timeoutMs: 600000 }
      { id: "long", name: "long", kind: DELAY, params: { ms: 600000 }, timeoutMs: 900000 }
    ] }) { userErrors { message } } }`,
      );
      expect(created).toEqual({ data: { createProcedure: { userErrors: [] } } });
      const started = await postGraphQL(
        a.port,
        'mutation { initiateHandoff(input: { handoffId: "remote_steer", procedureId: "SHARED_WAIT" }) { handoff { status } userErrors { message } } }',
      );
      expect(started.data.initiateHandoff.userErrors).toEqual([]);

      const events: string[] = [];
      const client = createClient({
        url: `ws://127.0.0.1:${b.port}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      const seen = (type: string) =>
        new Promise<void>((resolve) => {
          const check = setInterval(() => {
            if (events.includes(type)) {
              clearInterval(check);
              resolve();
            }
          }, 5);
        });
      const done = new Promise<void>((resolve, reject) =>
        client.subscribe(
          { query: PROGRESS, variables: { id: 'remote_steer', after: 0 } },
          { next: (r: any) => events.push(r.data.handoffProgress.type), error: reject, complete: resolve },
        ),
      );
      await seen('STEP_WAITING');
      const signalled = await postGraphQL(
        b.port,
        'mutation { signalHandoff(input: { id: "remote_steer", step: "review", payload: { approved: true } }) { userErrors { message } } }',
      );
      expect(signalled.data.signalHandoff.userErrors).toEqual([]);
      await seen('STEP_SIGNALLED');
      await seen('STEP_STARTED');
      const cancelled = await postGraphQL(
        b.port,
        'mutation { cancelHandoff(input: { id: "remote_steer", reason: "from b" }) { userErrors { message } } }',
      );
      expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
      await done;
      await client.dispose();
      expect(events.at(-1)).toBe('HANDOFF_CANCELLED');
    },
    120_000 * store.slowness,
  );
}

for (const store of serverStores()) {
  const title = `three server processes on ${store.name}`;
  describe.skipIf(store.skipReason !== null)(store.skipReason ? `${title} (skipped: ${store.skipReason})` : title, () =>
    severalServers(store),
  );
}
