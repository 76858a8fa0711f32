import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ApiKeyRing } from '../auth/api-key-ring.js';
import type { Caller } from '../context.js';
import type { Transport } from '../observability/active-subscriptions.js';
import {
  createRequestScope,
  REQUEST_ID_HEADER,
  type RequestScope,
  requestIdFrom,
  scopeOfRequest,
} from './request-scope.js';

/** Who runs an operation, under which request id, logging where. */
export interface OperationIdentity {
  caller: Caller | null;
  scope: RequestScope;
  transport: Transport | 'http';
}

/** Put on the initial context of a WebSocket operation: the socket was authenticated at connection_init. */
export interface SocketOperationFields {
  transport: 'ws';
  caller: Caller | null;
  scope: RequestScope;
}

interface InitialContext {
  request?: { headers: Headers };
  /** The Node request, when Yoga serves one (not for `yoga.fetch`). */
  req?: IncomingMessage;
  transport?: string;
}

/**
 * The identity for the GraphQL context: taken as is from a WebSocket operation, read from the
 * request headers for HTTP (GET/POST, and SSE subscriptions, which stream over HTTP).
 */
export function operationIdentity(ring: ApiKeyRing, base: Logger, initial: InitialContext): OperationIdentity {
  if (initial.transport === 'ws') {
    const { caller, scope } = initial as unknown as SocketOperationFields;
    return { caller, scope, transport: 'ws' };
  }
  const headers = initial.request?.headers;
  // An HTTP request has the scope withRequestScope made for it; `yoga.fetch` (MCP tool calls, tests) has none.
  const scope = scopeOfRequest(initial.req) ?? createRequestScope(base, requestIdFrom(headers?.get(REQUEST_ID_HEADER)));
  const caller = (initial.request ? ring.authenticateRequest(initial.request) : ring.authenticate(undefined)).caller;
  const sse = headers?.get('accept')?.includes('text/event-stream') ?? false;
  return { caller, scope, transport: sse ? 'sse' : 'http' };
}
