import type { HandoffEvent, HandoffEventType } from '../kernel/handoff/handoff-event.js';
import { retryDelayMs } from '../kernel/handoff/retry-delay.js';
import type { RetryPolicy } from '../kernel/procedures/procedure.js';
import type { Random } from '../shared/random.js';

/**
 * PENDING → DELIVERED (a 2xx answer) or PENDING → FAILED (the last allowed attempt failed);
 * FAILED → PENDING when an admin asks for it again (redeliver). Nothing else moves a delivery.
 */
export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One POST of a delivery, as the log shows it. */
export interface WebhookAttempt {
  at: number;
  /** The receiver's HTTP status; null when none came (refused connection, timeout, host no longer allowed). */
  statusCode: number | null;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
  durationMs: number;
}

/** One event on its way to one subscription. */
export interface WebhookDelivery {
  /** `<subscriptionId>/<eventKey>`: enqueuing the same event twice (after a crash) stores it once. */
  id: string;
  subscriptionId: string;
  /** The idempotency key receivers de-duplicate on: `<handoffId>:<seq>`, the same for every attempt. */
  eventKey: string;
  handoffId: string;
  seq: number;
  eventType: HandoffEventType;
  /** Enqueue order within the subscription (commit order of the events): deliveries of a handoff go out in this order. */
  order: number;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttempt[];
  /** Where the current round of attempts starts in `attempts` (a redelivery starts a new round). */
  roundStart: number;
  /** When the next attempt may go out (PENDING only). */
  nextAttemptAt: number | null;
  createdAt: number;
  /** The exact JSON body POSTed on every attempt. */
  body: string;
  /** The W3C trace context sent with it (the span of what the event reports), when tracing was on as it was queued. */
  traceparent?: string | null;
}

/** How failed deliveries are retried: bounded attempts with capped exponential back-off. */
export type WebhookRetryPolicy = RetryPolicy;

/** `<handoffId>:<seq>`: seq is a number, so the key reads back from the right even when the handoff id has colons. */
export function eventKey(event: Pick<HandoffEvent, 'handoffId' | 'seq'>): string {
  return `${event.handoffId}:${event.seq}`;
}

/** What a receiver gets: the event, named by its idempotency key. */
export function deliveryBody(event: HandoffEvent): string {
  return JSON.stringify({
    id: eventKey(event),
    type: event.type,
    handoffId: event.handoffId,
    seq: event.seq,
    status: event.status,
    at: new Date(event.at).toISOString(),
    step: event.step,
    message: event.message,
    attempt: event.attempt ?? null,
    durationMs: event.durationMs ?? null,
    data: event.data ?? null,
    test: event.testId !== null,
  });
}

/** A new PENDING delivery of `event`, due at once. */
export function newDelivery(subscriptionId: string, event: HandoffEvent, order: number, now: number): WebhookDelivery {
  const key = eventKey(event);
  return {
    id: `${subscriptionId}/${key}`,
    subscriptionId,
    eventKey: key,
    handoffId: event.handoffId,
    seq: event.seq,
    eventType: event.type,
    order,
    status: 'PENDING',
    attempts: [],
    roundStart: 0,
    nextAttemptAt: now,
    createdAt: now,
    body: deliveryBody(event),
  };
}

/** The delivery after `attempt`: DELIVERED on a 2xx, FAILED after the last allowed attempt, else PENDING again after a back-off. */
export function afterAttempt(
  delivery: WebhookDelivery,
  attempt: WebhookAttempt,
  policy: WebhookRetryPolicy,
  random: Random,
): WebhookDelivery {
  const attempts = [...delivery.attempts, attempt];
  if (attempt.error === null) return { ...delivery, attempts, status: 'DELIVERED', nextAttemptAt: null };
  const round = attempts.length - delivery.roundStart;
  if (round >= policy.maxAttempts) return { ...delivery, attempts, status: 'FAILED', nextAttemptAt: null };
  return {
    ...delivery,
    attempts,
    status: 'PENDING',
    nextAttemptAt: attempt.at + retryDelayMs(round + 1, policy, random),
  };
}

/** A FAILED delivery queued again, due at once, with a fresh allowance of attempts (its log is kept). */
export function redeliver(delivery: WebhookDelivery, now: number): WebhookDelivery {
  return { ...delivery, status: 'PENDING', roundStart: delivery.attempts.length, nextAttemptAt: now };
}
