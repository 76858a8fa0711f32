import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerretDBServer } from '../../scripts/ferretdb/ferretdb-server.js';
import { createProcedure, getHandoff, quickStep } from '../support/handoff-fixtures.js';
import { ferretdbSkipReason } from '../support/mongo-required.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { mongoUrlFor } from '../support/server-stores.js';

const INITIATE = `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { id status } userErrors { message } } }`;
const binary = process.env.FERRETDB_BIN;
const skipReason = ferretdbSkipReason();

/**
 * The MongoDB store's server goes away while handoffs run, and comes back: a FerretDB of this test's
 * own (it is stopped and started again on its port and files), so other suites' server is untouched.
 */
describe.skipIf(skipReason !== null)(
  `a MongoDB server that goes away mid-run and comes back${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let ferret: FerretDBServer;
    let server: TestServer;

    beforeAll(async () => {
      ferret = await FerretDBServer.launch(binary!);
      server = await startTestServer(
        { STORE: 'mongo', MONGODB_URL: mongoUrlFor(ferret.url, `handoff_outage_${randomUUID().slice(0, 8)}`) },
        { logLevel: 'warn' },
      );
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await ferret?.dispose();
    });

    it('answers STORE_UNAVAILABLE meanwhile, keeps serving what needs no store, and finishes every acknowledged handoff once it is back', async () => {
      const created = await createProcedure(server, {
        id: 'OUTAGE',
        name: 'outage',
        steps: [
          quickStep('first', 'NOOP', {}),
          quickStep('pause', 'DELAY', { ms: 500 }),
          quickStep('last', 'NOOP', {}),
        ],
      });
      expect(created.userErrors).toEqual([]);
      const acknowledged: string[] = [];
      for (let i = 0; i < 20; i++) {
        const response = await server.gql(INITIATE, { input: { handoffId: `before_${i}`, procedureId: 'OUTAGE' } });
        expect(response.errors).toBeUndefined();
        acknowledged.push(response.data.initiateHandoff.handoff.id);
      }

      // The server goes away while those handoffs are in their DELAY step.
      await ferret.stop();
      const refused = await server.gql(INITIATE, { input: { handoffId: 'during', procedureId: 'OUTAGE' } });
      expect(refused.errors?.[0]).toMatchObject({
        extensions: { code: 'STORE_UNAVAILABLE' },
        message: expect.stringMatching(/nothing of it was acknowledged/),
      });
      expect(JSON.stringify(refused)).not.toMatch(/Mongo|ECONNREFUSED|selection/i);
      // Still serving: health, operations that need no store, and readiness says why it is not ready.
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
      expect(await server.gql('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
      const ready = await fetch(`${server.origin}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', store: 'mongo' });

      // It comes back on the same port and files: every acknowledged handoff completes, gapless.
      await ferret.start();
      for (let wait = 50; (await fetch(`${server.origin}/ready`)).status !== 200; wait = Math.min(wait * 2, 1_000))
        await new Promise((resolve) => setTimeout(resolve, wait));
      for (const id of acknowledged) {
        let handoff = await getHandoff(server, id);
        for (let wait = 50; handoff?.status !== 'COMPLETED'; wait = Math.min(wait * 2, 1_000)) {
          expect(['PENDING', 'RUNNING', 'WAITING', undefined]).toContain(handoff?.status);
          await new Promise((resolve) => setTimeout(resolve, wait));
          handoff = await getHandoff(server, id).catch(() => null);
        }
        expect(handoff.events.map((event: { seq: number }) => event.seq)).toEqual(
          handoff.events.map((_: unknown, index: number) => index + 1),
        );
        expect(handoff.events.at(-1).type).toBe('HANDOFF_COMPLETED');
      }
      // The refused handoff was never started: the same id starts now, once.
      const retried = await server.gql(INITIATE, { input: { handoffId: 'during', procedureId: 'OUTAGE' } });
      expect(retried.data.initiateHandoff.handoff).toMatchObject({ id: expect.any(String) });
      expect(server.logs.some((line) => /store could not/i.test(JSON.stringify(line)))).toBe(true);
    }, 180_000);
  },
);
