import type { ServerResponse } from 'node:http';

/**
 * Answers a request turned away before GraphQL saw it: a GraphQL-shaped JSON error with a code.
 * The connection closes after it, so an unread rest of the body is never taken for the next request.
 */
export function refuse(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
