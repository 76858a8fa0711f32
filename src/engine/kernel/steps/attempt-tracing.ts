import type { Handoff } from '../handoff/handoff.js';
import type { Procedure } from '../procedures/procedure.js';

/**
 * The trace context of a step or compensation attempt, as the W3C `traceparent` of its span: what a
 * call made for the attempt (a webhook step's POST, an A2A agent's messages) carries, so the callee's
 * work shows up inside the handoff's trace. Handed in by the composition when tracing is on (the
 * insight module derives the ids, see insight/trace-ids.ts); absent, nothing is sent or spent.
 */
export interface AttemptTracing {
  /** The span of the attempt `attempt` of step or compensation `actionId` (a compensation by its own id). */
  ofAttempt(handoff: Handoff, procedure: Procedure, actionId: string, attempt: number): string;
}
