import type { Plugin } from 'graphql-yoga';
import type { ApiKeyRing } from './api-key-ring.js';

function unauthorized(fetchAPI: { Response: typeof Response }, message: string): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }), {
    status: 401,
    headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
  });
}

function forbidden(fetchAPI: { Response: typeof Response }, message: string): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'FORBIDDEN' } }] }), {
    status: 403,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * HTTP-level key checks, before any GraphQL work: when keys are configured, a request to the
 * GraphQL endpoint that presents a key matching none gets 401 (a typo'd key should fail loudly,
 * not look like an anonymous caller), and `/metrics` needs a valid key of any role but `agent`. A request
 * with no key at all goes on as an anonymous caller; scope-auth then answers each field it may
 * not read with UNAUTHENTICATED.
 */
export function useApiKeys(ring: ApiKeyRing, endpoints: { graphql: string; metrics: string }): Plugin {
  // Without keys there is nothing to check: no hook at all, so requests pay nothing.
  if (!ring.enabled) return {};
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const path = url.pathname;
      if (path !== endpoints.graphql && path !== endpoints.metrics) return;
      const auth = ring.authenticateRequest(request);
      if (auth.kind === 'invalid') endResponse(unauthorized(fetchAPI, 'The API key is not valid'));
      else if (path === endpoints.metrics && auth.kind !== 'valid') endResponse(unauthorized(fetchAPI, 'An API key is required'));
      // An agent's key reaches its own agent's work and nothing else: not the server's metrics.
      else if (path === endpoints.metrics && auth.caller?.role === 'agent') endResponse(forbidden(fetchAPI, 'An agent key may not read metrics'));
    },
  };
}
