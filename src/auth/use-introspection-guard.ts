import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ApiKeyRing } from './api-key-ring.js';

/**
 * With API keys configured, only callers with a valid key may read the schema: an anonymous
 * HTTP request gets a validation error for `__schema`/`__type`. graphql-ws operations are
 * exempt because their socket was refused at connection_init unless its key was valid.
 */
export function useIntrospectionForKeyHolders(ring: ApiKeyRing): Plugin {
  // Without keys every caller may read the schema: no hook at all.
  if (!ring.enabled) return {};
  return {
    onValidate({ addValidationRule, context }) {
      const initial = context as { request?: Request; socket?: unknown };
      if (initial.socket !== undefined || !initial.request?.headers) return;
      const auth = ring.authenticateRequest(initial.request);
      if (auth.kind !== 'valid') addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
