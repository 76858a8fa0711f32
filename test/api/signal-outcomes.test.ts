import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noopCompensation, quickStep } from '../support/handoff-fixtures.js';
import { bearer } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const KEY = 'ana-operator-key-0123456789';
const ADMIN = 'admin-key-for-signal-tests-0123';
let server: TestApp;

const gql = (query: string, variables?: Record<string, unknown>) => server.gql(query, variables, bearer(KEY));

const EVENTS = `subscription($id: ID!) { handoffProgress(id: $id) { seq type step attempt message data actor { keyName agentId } } }`;

beforeAll(async () => {
  server = await startTestApp({ API_KEYS: `ana:operator:${KEY},root:admin:${ADMIN}` });
  const created = await server.gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    {
      input: {
        id: 'REVIEWED',
        name: 'Prepare, review, ship',
        steps: [
          quickStep('prepare', 'NOOP', {}, { compensation: noopCompensation('unprepare') }),
          quickStep('review', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 }),
          quickStep('ship', 'NOOP', {}),
        ],
      },
    },
    bearer(ADMIN),
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

/** Follows a handoff to its final event, sending `signal` once its review step waits. */
function runWithSignal(id: string, signal: Record<string, unknown>): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    server.wsClient({ authorization: `Bearer ${KEY}` }).subscribe(
      { query: EVENTS, variables: { id } },
      {
        next: (value: any) => {
          const event = value.data.handoffProgress;
          events.push(event);
          if (event.type === 'STEP_WAITING' && event.step === 'review') {
            void gql(
              `mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { userErrors { message } } }`,
              {
                input: { id, step: 'review', ...signal },
              },
            ).then(
              (answer) =>
                answer.data?.signalHandoff.userErrors.length ? reject(new Error(JSON.stringify(answer))) : undefined,
              reject,
            );
          }
        },
        error: reject,
        complete: () => resolve(events),
      },
    );
  });
}

const start = (id: string) =>
  gql(
    `mutation { initiateHandoff(input: { handoffId: "${id}", procedureId: "REVIEWED" }) { userErrors { message } } }`,
  );

describe('approve or reject', () => {
  it('approves a waiting step, recording who approved it', async () => {
    await start('approve_1');
    const events = await runWithSignal('approve_1', { outcome: 'APPROVE', payload: { ticket: 7 } });
    const signalled = events.find((e) => e.type === 'STEP_SIGNALLED');
    expect(signalled).toMatchObject({
      step: 'review',
      actor: { keyName: 'ana', agentId: null },
      message: 'approved by key ana',
    });
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
    const stored = await gql(`{ handoff(id: "approve_1") { steps { id output } } }`);
    expect(stored.data.handoff.steps[1].output).toEqual({
      signal: { ticket: 7 },
      outcome: 'APPROVE',
      signalledBy: { keyName: 'ana', agentId: null },
    });
  });

  it('rejects a waiting step: it fails for good although attempts are left, and the handoff rolls back', async () => {
    await start('reject_1');
    const events = await runWithSignal('reject_1', { outcome: 'REJECT', reason: 'numbers do not add up' });
    const trail = events.map((e) => `${e.type}${e.step ? ` ${e.step}` : ''}`);
    expect(trail.slice(trail.indexOf('STEP_WAITING review'))).toEqual([
      'STEP_WAITING review',
      'STEP_FAILED review',
      'ROLLBACK_STARTED',
      'COMPENSATION_STARTED prepare',
      'COMPENSATION_SUCCEEDED prepare',
      'HANDOFF_ROLLED_BACK',
    ]);
    const failed = events.find((e) => e.type === 'STEP_FAILED');
    expect(failed).toMatchObject({
      attempt: 1,
      actor: { keyName: 'ana', agentId: null },
      data: { retryable: false, outcome: 'REJECT', reason: 'numbers do not add up' },
      message: 'attempt 1 failed: rejected by key ana: numbers do not add up',
    });
    const stored = await gql(`{ handoff(id: "reject_1") { status steps { id status attempts } } }`);
    expect(stored.data.handoff.status).toBe('ROLLED_BACK');
    expect(stored.data.handoff.steps[1]).toEqual({ id: 'review', status: 'FAILED', attempts: 1 });
  });

  it('refuses a rejection without a reason, and changes nothing', async () => {
    await start('reject_2');
    const refused = await gql(
      `mutation { signalHandoff(input: { id: "reject_2", step: "review", outcome: REJECT }) { handoff { id } userErrors { code field } } }`,
    );
    expect(refused.data.signalHandoff).toEqual({
      handoff: null,
      userErrors: [{ code: 'MISSING_VALUE', field: ['input', 'reason'] }],
    });
    const events = await runWithSignal('reject_2', { outcome: 'APPROVE' });
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
  });
});
