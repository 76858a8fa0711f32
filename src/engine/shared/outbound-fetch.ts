import { type Clock, startTimeout } from './clock.js';
import { checkOutboundUrl } from './outbound-url.js';

export interface OutboundFetchSettings {
  /** Hosts the server may call (WEBHOOK_ALLOW_HOSTS). */
  allowList: readonly string[];
  /** How long a call may take to answer; a plain answer must also be read within it. */
  timeoutMs: number;
  clock: Clock;
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

/**
 * A fetch for calls the server makes on its own (A2A agents): every URL must pass the outbound
 * policy (checkOutboundUrl: http(s), a host in the allow-list), checked per request because a card
 * may name interfaces on other hosts; redirects are refused (one could leave the allowed host); the
 * answer must come within the timeout. A plain answer is read in full within it too; an event
 * stream, once it answered, lasts as long as the caller's signal allows.
 */
export function outboundFetch(settings: OutboundFetchSettings): typeof fetch {
  return async (input, init) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const checked = checkOutboundUrl(raw, settings.allowList, 'url');
    if (!checked.url) throw new OutboundUrlRefused(checked.problem ?? 'url refused');
    const timeout = new AbortController();
    const cancelTimeout = startTimeout(settings.clock, settings.timeoutMs, () =>
      timeout.abort(new Error(`${checked.url!.host} gave no answer within ${settings.timeoutMs} ms`)),
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    try {
      const response = await fetch(input, { ...init, redirect: 'error', signal });
      if (isEventStream(response)) {
        // The stream may run for as long as the task does: only the caller's signal ends it now.
        cancelTimeout();
        return response;
      }
      const body = await response.arrayBuffer();
      return new Response(body, {
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
