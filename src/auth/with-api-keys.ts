import type { RequestListener } from 'node:http';
import { refuse } from '../http/refuse.js';
import type { ApiKeyRing } from './api-key-ring.js';
import { bearerToken } from './credentials.js';

/**
 * HTTP-level key checks, before Yoga sees the request: when keys are configured, a request to the
 * API (the GraphQL endpoint or a REST route) that presents a key matching none gets 401 (a typo'd key should fail loudly, not
 * look like an anonymous caller), and `/metrics` needs a valid key of any role but `agent`. The
 * OpenAPI document describes the schema, so it needs a valid key, as introspection does, and so does the MCP
 * endpoint (a session belongs to the key that opened it). A request with no key
 * at all goes on as an anonymous caller; scope-auth then answers each field it may not read with
 * UNAUTHENTICATED.
 *
 * In front of Yoga rather than a Yoga plugin: Yoga runs its own GraphiQL and CORS hooks before any
 * plugin, so a plugin could not refuse a GraphiQL page (or a preflight) asked for with a wrong key.
 */
export function withApiKeys(
  ring: ApiKeyRing,
  endpoints: { isApi: (path: string) => boolean; metrics: string; openApi: string; mcp: string },
  handler: RequestListener,
): RequestListener {
  // Without keys there is nothing to check: requests pay nothing.
  if (!ring.enabled) return handler;
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (!endpoints.isApi(path) && path !== endpoints.metrics) return handler(req, res);
    const auth = ring.authenticate(bearerToken(req.headers.authorization));
    const challenge = { 'www-authenticate': 'Bearer' };
    if (auth.kind === 'invalid') return refuse(res, 401, 'UNAUTHENTICATED', 'The API key is not valid', challenge);
    // An MCP session is opened by a key and used by it alone: it needs one from the start.
    const keyRequired = path === endpoints.metrics || path === endpoints.openApi || path === endpoints.mcp;
    if (keyRequired && auth.kind !== 'valid')
      return refuse(res, 401, 'UNAUTHENTICATED', 'An API key is required', challenge);
    // An agent's key reaches its own agent's work and nothing else: not the server's metrics.
    if (path === endpoints.metrics && auth.caller?.role === 'agent')
      return refuse(res, 403, 'FORBIDDEN', 'An agent key may not read metrics');
    handler(req, res);
  };
}
