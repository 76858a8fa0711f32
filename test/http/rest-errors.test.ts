import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { restErrorResponse } from '../../src/http/rest/rest-errors.js';

const answer = async (errors: unknown[]) => {
  const response = restErrorResponse(errors);
  return {
    status: response.status,
    body: (await response.json()) as { errors: { message: string; extensions: { code: string } }[] },
  };
};

describe('restErrorResponse', () => {
  it.each([
    ['BAD_USER_INPUT', 400],
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['STORE_UNAVAILABLE', 503],
    ['INTERNAL_SERVER_ERROR', 500],
  ])('answers %s with %i and the same code', async (code, status) => {
    const { status: got, body } = await answer([new GraphQLError('why', { extensions: { code } })]);
    expect(got).toBe(status);
    expect(body).toEqual({ errors: [{ message: 'why', extensions: { code } }] });
  });

  it("treats graphql-js's own refusal of the variables and SOFA's parse errors as bad input", async () => {
    expect((await answer([new GraphQLError('Variable "$input" of required type "X!" was not provided.')])).status).toBe(
      400,
    );
    const parse = await answer([
      new GraphQLError('POST body sent invalid JSON.', { extensions: { http: { status: 400 } } }),
    ]);
    expect(parse).toEqual({
      status: 400,
      body: { errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_USER_INPUT' } }] },
    });
  });

  it('answers with the worst status when errors differ, and never leaks an uncoded error as bad input', async () => {
    const mixed = await answer([
      new GraphQLError('a', { extensions: { code: 'NOT_FOUND' } }),
      new GraphQLError('b', { extensions: { code: 'FORBIDDEN' } }),
    ]);
    expect(mixed.status).toBe(404);
    const thrown = await answer([new GraphQLError('boom', { originalError: new Error('db said no') })]);
    expect(thrown).toMatchObject({
      status: 500,
      body: { errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    });
  });
});
