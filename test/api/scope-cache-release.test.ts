import { RequestCache } from '@pothos/plugin-scope-auth';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createOneStepProcedure, follow, ONE_STEP_PROCEDURE, PROGRESS } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Pothos caches auth scopes per context in a WeakMap, which a minor GC on Node 20 keeps whole: the app drops
// each operation's entry once it has executed (src/http/scope-cache-release.ts).
let server: TestApp;
beforeAll(async () => {
  server = await startTestApp();
  await createOneStepProcedure(server);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

it("drops an operation's cached auth scopes once it has executed, and a subscription's once its stream ends", async () => {
  const cleared = vi.spyOn(RequestCache, 'clearForContext');
  const initiated = await server.gql(
    `mutation { initiateHandoff(input: { procedureId: "${ONE_STEP_PROCEDURE}" }) { handoff { handoffId } } }`,
  );
  expect(cleared).toHaveBeenCalledTimes(1);
  const mutationContext = cleared.mock.calls[0]![0] as { engine?: unknown };
  expect(mutationContext.engine).toBe(server.app.engine);

  const id = initiated.data.initiateHandoff.handoff.handoffId as string;
  await follow(server, id);
  cleared.mockClear();
  const read = await server.gql(`query($id: ID!) { handoff(id: $id) { status steps { status } } }`, { id });
  expect(read.data.handoff.status).toBe('COMPLETED');
  expect(cleared).toHaveBeenCalledTimes(1);

  cleared.mockClear();
  const stream = await server.subscribe(PROGRESS, { id, after: 0 });
  expect(stream.at(-1)!.data.handoffProgress.type).toBe('HANDOFF_COMPLETED');
  expect(cleared).toHaveBeenCalledTimes(1);
});
