import { type Clock, startTimeout } from '../shared/clock.js';
import { type HostLookup, postOutbound, systemLookup } from '../shared/outbound-post.js';
import type { OutboundPolicy } from '../shared/outbound-url.js';
import type { WebhookAttempt } from './webhook-delivery.js';

/** One signed POST, as the dispatcher hands it over. */
export interface WebhookRequest {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the POST (the server is stopping). */
  signal?: AbortSignal;
}

/** Sends a request and reports the attempt; never throws (a failure is an attempt with an error). */
export type WebhookSender = (request: WebhookRequest, clock: Clock) => Promise<WebhookAttempt>;

/** Keeps an error text short enough for the log, whatever the receiver or the network said. */
function shortened(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * POSTs through postOutbound (the host resolved and checked against OUTBOUND_ALLOW_PRIVATE, the
 * connection made to the checked address, no redirects: one could leave the allow-listed host), a
 * timeout on the injected clock, the response body discarded. Any 2xx is a success.
 */
export function outboundWebhookSender(policy: OutboundPolicy, lookup: HostLookup = systemLookup): WebhookSender {
  return async (request, clock) => {
    const started = clock.now();
    const aborted = new AbortController();
    const cancelTimeout = startTimeout(clock, request.timeoutMs, () =>
      aborted.abort(new Error(`no answer within ${request.timeoutMs} ms`)),
    );
    const stop = () => aborted.abort(request.signal!.reason);
    if (request.signal?.aborted) stop();
    else request.signal?.addEventListener('abort', stop, { once: true });
    try {
      const response = await postOutbound(
        request.url,
        { headers: request.headers, body: request.body, signal: aborted.signal },
        policy,
        lookup,
      );
      const ok = response.status >= 200 && response.status <= 299;
      return {
        at: started,
        statusCode: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        durationMs: clock.now() - started,
      };
    } catch (error) {
      const reason = aborted.signal.aborted ? (aborted.signal.reason as Error) : (error as Error);
      return {
        at: started,
        statusCode: null,
        error: shortened(reason.message),
        durationMs: clock.now() - started,
      };
    } finally {
      cancelTimeout();
      request.signal?.removeEventListener('abort', stop);
    }
  };
}
