import type { LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { type Clock, startTimeout } from './clock.js';
import { type HostLookup, pinnedLookup, resolveOutbound, systemLookup } from './outbound-post.js';
import { checkOutboundUrl, type OutboundPolicy } from './outbound-url.js';

export interface OutboundFetchSettings {
  /** Hosts the server may call (WEBHOOK_ALLOW_HOSTS) and which may be private (OUTBOUND_ALLOW_PRIVATE). */
  policy: OutboundPolicy;
  /** How long a call may take to answer; a plain answer must also be read within it. */
  timeoutMs: number;
  clock: Clock;
  /** Where host names are resolved (default: the system's resolver). */
  lookup?: HostLookup;
}

/** Refused before anything was sent: the URL is not one the server may call. */
export class OutboundUrlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlRefused';
  }
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
}

/** A request body as bytes node:http can write (the A2A client only sends strings). */
function bodyBytes(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('outbound calls send a string or bytes as their body');
}

/** Statuses a fetch Response must not be given a body for. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** A node:http answer as a fetch Response whose body streams as it arrives. */
function responseOf(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 0;
  const bodyless = NULL_BODY_STATUSES.has(status);
  if (bodyless) incoming.resume();
  const body = bodyless ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: incoming.statusMessage, headers });
}

/** One request to the address the policy checked (the host name still goes in Host and TLS). */
function requestAt(url: URL, init: RequestInit | undefined, checked: LookupAddress, signal: AbortSignal) {
  const body = bodyBytes(init?.body);
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = send(url, {
      method: init?.method ?? 'GET',
      headers,
      lookup: pinnedLookup(checked),
      signal,
    });
    outgoing.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    outgoing.on('response', (incoming) => {
      const status = incoming.statusCode ?? 0;
      if (status >= 300 && status < 400 && incoming.headers.location) {
        incoming.resume();
        // A redirect could leave the allowed host: refused, as a webhook's would be.
        reject(new OutboundUrlRefused(`${url.host} answered with a redirect (${status}); redirects are not followed`));
        return;
      }
      resolve(responseOf(incoming));
    });
    outgoing.end(body);
  });
}

/**
 * A fetch for calls the server makes on its own (A2A agents), under the same outbound policy as
 * webhooks: every URL must pass checkOutboundUrl (http(s), a host in WEBHOOK_ALLOW_HOSTS), checked
 * per request because a card may name interfaces on other hosts; the host is resolved and refused
 * when it is loopback, private or link-local unless OUTBOUND_ALLOW_PRIVATE allows it, and the
 * connection goes to the checked address (no rebinding between check and call); redirects are
 * refused. The answer must come within the timeout, and a plain answer is read in full within it
 * too; an event stream, once it answered, lasts as long as the caller's signal allows.
 */
export function outboundFetch(settings: OutboundFetchSettings): typeof fetch {
  const lookup = settings.lookup ?? systemLookup;
  return async (input, init) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const checked = checkOutboundUrl(raw, settings.policy.allowHosts, 'url');
    if (!checked.url) throw new OutboundUrlRefused(checked.problem ?? 'url refused');
    const url = checked.url;
    const timeout = new AbortController();
    const cancelTimeout = startTimeout(settings.clock, settings.timeoutMs, () =>
      timeout.abort(new Error(`${url.host} gave no answer within ${settings.timeoutMs} ms`)),
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    try {
      const address = await resolveOutbound(url, settings.policy, lookup);
      signal.throwIfAborted();
      const response = await requestAt(url, init, address, signal);
      if (isEventStream(response)) {
        // The stream may run for as long as the task does: only the caller's signal ends it now.
        cancelTimeout();
        return response;
      }
      const body = await response.arrayBuffer();
      return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      throw timeout.signal.aborted ? timeout.signal.reason : error;
    } finally {
      cancelTimeout();
    }
  };
}
