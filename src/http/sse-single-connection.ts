import type { Plugin } from 'graphql-yoga';

/** Why a graphql-sse single-connection reservation is refused, in words a client's error will show. */
export const SINGLE_CONNECTION_REFUSAL =
  "graphql-sse's single connection mode (a PUT reservation, then operations on one stream) is not supported " +
  'here. Use its distinct connections mode (the default: createClient({ url }) without singleConnection), a ' +
  'plain EventSource or fetch with Accept: text/event-stream, or graphql-ws at the same path.';

/**
 * Server-Sent Events here follow graphql-sse's "distinct connections" mode, which is what graphql-yoga
 * serves: each GET or POST with `Accept: text/event-stream` is one operation's stream. Its "single
 * connection" mode starts with `PUT /graphql` (a reservation); that gets a 405 that says so (with
 * Allow: GET, POST) instead of Yoga's bare "only supports GET and POST".
 */
export function useSingleConnectionRefusal(endpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'PUT' || url.pathname !== endpoint) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [{ message: SINGLE_CONNECTION_REFUSAL, extensions: { code: 'SSE_SINGLE_CONNECTION_UNSUPPORTED' } }],
          }),
          {
            status: 405,
            // graphql-sse's client reports only the status line: it carries the gist.
            statusText: 'graphql-sse single connection mode is not supported here; use distinct connections',
            headers: { allow: 'GET, POST', 'content-type': 'application/json; charset=utf-8' },
          },
        ),
      );
    },
  };
}
