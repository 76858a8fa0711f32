import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CREATE_RULE, resultOf, runSession } from '../support/validation-api.js';

/**
 * Regular expressions in rule conditions ($regex, $regexMatch…) run in worker threads: JavaScript's
 * regex engine backtracks, and `^(a+)+$` against "aaa…a!" takes time exponential in the input. The
 * rule's timeout ends such a match; the server never stops serving.
 */

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({});
});
afterAll(() => server.close());

async function createRule(input: Record<string, unknown>) {
  const response = await server.gql(CREATE_RULE, { input: { severity: 'LOW', ...input, name: input.id } });
  expect(response.errors).toBeUndefined();
  return response.data.createValidationRule;
}

describe('regular expressions in rules', () => {
  it('a catastrophic $regex is ended by the rule timeout: ERROR, and the server serves meanwhile', async () => {
    expect(
      (await createRule({ id: 'REDOS', timeoutMs: 100, condition: { 'context.s': { $regex: '^(a+)+$' } } })).userErrors,
    ).toEqual([]);
    const evil = `${'a'.repeat(27)}!`;
    const [session, served] = await Promise.all([
      runSession(server, { ruleIds: ['REDOS'], context: { s: evil } }),
      server.gql('{ procedures { edges { node { procedureId } } } }'),
    ]);
    expect(served.data.procedures.edges.length).toBeGreaterThan(0);
    // On the event loop the match would have run to its end (about a second per character added) and said FAILED.
    expect(resultOf(session, 'REDOS')).toMatchObject({
      status: 'ERROR',
      message: 'The rule did not finish within 100 ms',
    });
  });

  it('an ordinary $regex rule passes and fails as its pattern says', async () => {
    expect(
      (await createRule({ id: 'TICKET_REF', condition: { 'context.ticket': { $regex: '^T-[0-9]+$', $options: 'i' } } }))
        .userErrors,
    ).toEqual([]);
    expect(
      resultOf(await runSession(server, { ruleIds: ['TICKET_REF'], context: { ticket: 't-42' } }), 'TICKET_REF').status,
    ).toBe('PASSED');
    expect(
      resultOf(await runSession(server, { ruleIds: ['TICKET_REF'], context: { ticket: 'T-4x' } }), 'TICKET_REF').status,
    ).toBe('FAILED');
  });

  it('refuses at creation a condition whose regex cannot finish on a small sample, and an invalid pattern', async () => {
    const stuck = await createRule({
      id: 'REDOS_LITERAL',
      condition: { $expr: { $regexMatch: { input: `${'a'.repeat(32)}!`, regex: '^(a+)+$' } } },
    });
    expect(stuck).toEqual({
      rule: null,
      userErrors: [
        {
          field: ['input', 'condition'],
          code: 'INVALID_CONDITION',
          message: expect.stringMatching(/did not finish within 1000 ms .* backtracks catastrophically/),
        },
      ],
    });
    const invalid = await createRule({ id: 'BAD_PATTERN', condition: { 'context.s': { $regex: '(' } } });
    expect(invalid.userErrors).toEqual([
      {
        field: ['input', 'condition'],
        code: 'INVALID_CONDITION',
        message: expect.stringMatching(/Invalid regular expression/),
      },
    ]);
  });
});
