/** HTTP status of a REST answer whose GraphQL result carries errors, by the error's code. */
const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  STORE_UNAVAILABLE: 503,
};

interface ErrorLike {
  message?: unknown;
  originalError?: unknown;
  extensions?: { code?: unknown; http?: { status?: number } };
}

/**
 * The code a REST client sees for one error. SOFA marks what it refused itself (a body that is not
 * JSON, a value it could not parse) with an HTTP status and no code; graphql-js's own refusals of the
 * variables (a missing `input`, a wrong type) carry neither a code nor an original error. Both are
 * the caller's mistake: BAD_USER_INPUT. Everything else keeps the code GraphQL gives it.
 */
function codeOf(error: ErrorLike): string {
  const code = error.extensions?.code;
  if (typeof code === 'string') return code;
  if (error.extensions?.http?.status === 400 || error.originalError === undefined) return 'BAD_USER_INPUT';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * The same errors GraphQL answers with (`{ errors: [{ message, extensions: { code } }] }`, internal
 * errors already masked by Yoga), under the status their codes mean; the worst status wins.
 */
export function restErrorResponse(errors: readonly unknown[]): Response {
  let status = 0;
  const body = errors.map((raw) => {
    const error = (typeof raw === 'object' && raw !== null ? raw : {}) as ErrorLike;
    const code = codeOf(error);
    status = Math.max(status, STATUS_BY_CODE[code] ?? 500);
    return { message: typeof error.message === 'string' ? error.message : 'Unexpected error.', extensions: { code } };
  });
  return Response.json({ errors: body }, { status: status || 500 });
}
