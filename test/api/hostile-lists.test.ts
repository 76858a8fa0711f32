import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { CREATE_RULE, START } from '../support/validation-api.js';

/**
 * Work that grows with what is stored, third red-team round: a validation session over every stored
 * rule (N6).
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function storeRules(count: number, prefix: string): Promise<void> {
  for (let start = 0; start < count; start += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, async (_, i) => {
        const id = `${prefix}_${start + i}`;
        const reply = await server.gql(CREATE_RULE, {
          input: { id, name: id, severity: 'LOW', condition: { 'context.n': { $gte: 0 } } },
        });
        expect(reply.data.createValidationRule.userErrors).toEqual([]);
      }),
    );
  }
}

describe('a validation session without ruleIds over many stored rules (N6)', () => {
  it('is refused with INVALID_VALUE once more than 200 rules are enabled: name them with ruleIds', async () => {
    await storeRules(210, 'VR_MANY');
    const started = await server.gql(START, { input: { context: { n: 1 } } });
    expect(started.data.startValidationSession).toEqual({
      session: null,
      userErrors: [
        {
          field: ['input', 'ruleIds'],
          code: 'INVALID_VALUE',
          message: expect.stringMatching(
            /^\d+ rules are enabled; a session checks at most 200: name the rules with ruleIds, or give a procedureId$/,
          ),
        },
      ],
    });
    // Named, 200 of them run.
    const named = await server.gql(START, {
      input: { context: { n: 1 }, ruleIds: Array.from({ length: 200 }, (_, i) => `VR_MANY_${i}`) },
    });
    expect(named.data.startValidationSession.userErrors).toEqual([]);
    expect(named.data.startValidationSession.session.status).toBe('RUNNING');
  });
});
