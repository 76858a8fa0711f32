import { type Clock, startTimeout } from '../shared/clock.js';
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
 * POSTs with fetch: no redirects (a redirect could leave the allow-listed host), a timeout on the
 * injected clock, the response body discarded. Any 2xx is a success.
 */
export const fetchWebhookSender: WebhookSender = async (request, clock) => {
  const started = clock.now();
  const aborted = new AbortController();
  const cancelTimeout = startTimeout(clock, request.timeoutMs, () =>
    aborted.abort(new Error(`no answer within ${request.timeoutMs} ms`)),
  );
  const stop = () => aborted.abort(request.signal!.reason);
  if (request.signal?.aborted) stop();
  else request.signal?.addEventListener('abort', stop, { once: true });
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'error',
      signal: aborted.signal,
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status <= 299;
    return {
      at: started,
      statusCode: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      durationMs: clock.now() - started,
    };
  } catch (error) {
    const reason = aborted.signal.aborted ? (aborted.signal.reason as Error) : (error as Error);
    const cause = (reason as { cause?: { code?: string } }).cause?.code;
    return {
      at: started,
      statusCode: null,
      error: shortened(cause ? `${reason.message} (${cause})` : reason.message),
      durationMs: clock.now() - started,
    };
  } finally {
    cancelTimeout();
    request.signal?.removeEventListener('abort', stop);
  }
};
