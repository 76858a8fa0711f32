import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { CREATE_RULE, START } from '../support/validation-api.js';

/**
 * Work that grows with what is stored, third red-team round: lists of every procedure and rule (N2),
 * a validation session over every stored rule (N6).
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

async function storeProcedures(count: number): Promise<void> {
  for (let start = 0; start < count; start += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, async (_, i) => {
        const id = `P_MANY_${String(start + i).padStart(4, '0')}`;
        const steps = Array.from({ length: 5 }, (_, s) => ({
          id: `s${s}`,
          name: `step ${s}`,
          kind: 'NOOP',
          timeoutMs: 1000,
        }));
        const reply = await server.gql(
          'mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }',
          { input: { id, name: id, steps } },
        );
        expect(reply.data.createProcedure.userErrors).toEqual([]);
      }),
    );
  }
}

const HEAVY_PROCEDURES = `query($n: Int) { procedures(first: $n) { totalCount edges { node { procedureId name description
  steps { id name kind timeoutMs params retry { maxAttempts initialDelayMs maxDelayMs multiplier jitter }
    compensation { id name kind timeoutMs params } }
  rollback { id name kind } validationRules { id name severity description condition } } } } }`;

describe('procedures and validationRules are pages, and a page counts in the cost limit (N2)', () => {
  beforeAll(async () => {
    await storeProcedures(150);
  });

  it('procedures come 20 at a time by default, in id order, with totalCount and cursors to walk on', async () => {
    const first = await server.gql(
      '{ procedures { totalCount pageInfo { hasNextPage endCursor } edges { node { procedureId } } } }',
    );
    expect(first.errors).toBeUndefined();
    const page = first.data.procedures;
    expect(page.edges).toHaveLength(20);
    expect(page.totalCount).toBeGreaterThanOrEqual(150);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const reply: any = await server.gql(
        'query($after: String) { procedures(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { procedureId } } } }',
        { after },
      );
      seen.push(...reply.data.procedures.edges.map((edge: any) => edge.node.procedureId));
      if (!reply.data.procedures.pageInfo.hasNextPage) break;
      after = reply.data.procedures.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(page.totalCount);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a page of procedures with every step is bounded by the page, not by what is stored', async () => {
    const full = await server.gql(HEAVY_PROCEDURES, { n: 100 });
    expect(full.errors).toBeUndefined();
    expect(full.data.procedures.edges).toHaveLength(100);
    expect(full.data.procedures.totalCount).toBeGreaterThan(100);
  });

  it('pages inside pages multiply: refused before anything runs, whether first is written or a variable', async () => {
    const nested = `query($n: Int, $m: Int) { agents(first: $n) { edges { node { id
      handoffs(first: $m) { edges { node { id status steps { id status attempts } } } } } } } }`;
    const viaVariables = await server.gql(nested, { n: 100, m: 100 });
    const viaLiterals = await server.gql(
      nested.replace('query($n: Int, $m: Int) ', '').replace('$n', '100').replace('$m', '100'),
    );
    // Left out, first is the default page (20): still counted as 20 items, not as one.
    const viaDefaults = await server.gql(
      nested.replace('query($n: Int, $m: Int) ', '').replace('(first: $n)', '').replace('$m', '100'),
    );
    for (const reply of [viaVariables, viaLiterals, viaDefaults]) {
      expect(reply.data ?? null).toBeNull();
      expect(reply.errors?.[0].message).toMatch(
        /^Query Cost limit of 60000 exceeded, found \d+: lists count as the page they return/,
      );
    }
    const small = await server.gql(nested, { n: 10, m: 10 });
    expect(small.errors).toBeUndefined();
  });

  it('validationRules is a page too, filtered as before', async () => {
    await storeRules(30, 'VR_PAGED');
    const reply = await server.gql(
      '{ validationRules(first: 5, severity: [LOW]) { totalCount pageInfo { hasNextPage } edges { node { id severity } } } }',
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data.validationRules.edges).toHaveLength(5);
    expect(reply.data.validationRules.totalCount).toBeGreaterThanOrEqual(30);
    expect(reply.data.validationRules.edges.every((edge: any) => edge.node.severity === 'LOW')).toBe(true);
    // Rules are small: a full page of 100 with every field fits the limit; the page bounds the answer.
    const full = await server.gql(
      '{ validationRules(first: 100) { edges { node { id name description condition severity enabled version timeoutMs createdAt updatedAt } } } }',
    );
    expect(full.errors).toBeUndefined();
    expect(full.data.validationRules.edges.length).toBeLessThanOrEqual(100);
  });
});

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
