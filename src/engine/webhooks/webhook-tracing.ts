import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';
import type { AttemptTracing } from '../kernel/steps/attempt-tracing.js';

/**
 * How webhook calls carry the trace context of what they are about, as a W3C `traceparent` header.
 * Handed in by the composition when tracing is on (see insight/webhook-trace-context.ts); absent, no
 * header is sent and nothing is spent on it.
 */
export interface WebhookTracing extends AttemptTracing {
  /** The span an event belongs to: the attempt it reports on, else its handoff's run. */
  ofEvent(event: HandoffEvent): string;
}
