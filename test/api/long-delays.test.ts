import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, follow, getHandoff, initiate, PROGRESS } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Delays longer than setTimeout can hold (2^31 − 1 ms, about 24.8 days) must wait, not fire at once. */

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({});
});
afterAll(() => server.close());

/** Resolves once the handoff's progress shows an event of `type`. */
function eventSeen(id: string, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = server.wsClient().subscribe(
      { query: PROGRESS, variables: { id, after: 0 } },
      {
        next: (result: any) => {
          if (result.data?.handoffProgress.type !== type) return;
          stop();
          resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
}

describe('long delays', () => {
  it('a delay of 2^31 ms keeps waiting while a 50 ms one started after it finishes', async () => {
    const long = await createProcedure(server, {
      id: 'VERY_LONG',
      name: 'very long',
      steps: [{ id: 'wait', name: 'wait', kind: 'DELAY', params: { ms: 2 ** 31 }, timeoutMs: 86_400_000 }],
    });
    const short = await createProcedure(server, {
      id: 'SHORT',
      name: 'short',
      steps: [{ id: 'wait', name: 'wait', kind: 'DELAY', params: { ms: 50 }, timeoutMs: 10_000 }],
    });
    expect([long.userErrors, short.userErrors]).toEqual([[], []]);
    const started = eventSeen('long_1', 'STEP_STARTED');
    await initiate(server, { handoffId: 'long_1', procedureId: 'VERY_LONG' });
    // Its timer is armed when STEP_STARTED is published; an overflowing one would fire 1 ms later.
    await started;
    await initiate(server, { handoffId: 'short_1', procedureId: 'SHORT' });
    expect((await follow(server, 'short_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    const waiting = await getHandoff(server, 'long_1');
    expect([waiting.status, waiting.steps[0].status]).toEqual(['RUNNING', 'RUNNING']);
    await server.gql('mutation { cancelHandoff(input: { id: "long_1" }) { userErrors { message } } }');
    expect((await follow(server, 'long_1')).at(-1)!.type).toBe('HANDOFF_CANCELLED');
  });
});
