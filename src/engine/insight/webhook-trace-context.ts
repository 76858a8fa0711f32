import { runOf } from '../kernel/handoff/handoff.js';
import type { WebhookTracing } from '../webhooks/webhook-tracing.js';
import { attemptSpan, compensationSpan, ROLLBACK_SPAN, RUN_SPAN, traceparent } from './trace-ids.js';

const ROLLBACK_EVENTS = new Set(['ROLLBACK_STARTED', 'HANDOFF_ROLLED_BACK', 'HANDOFF_ROLLBACK_FAILED']);

/**
 * The traceparent of the span a webhook call (or any call made for an attempt: an agent task's, see
 * AttemptTracing) belongs to, by the ids every process derives alike (trace-ids.ts).
 */
export const webhookTraceContext: WebhookTracing = {
  ofEvent(event) {
    const run = event.run ?? 1;
    if (event.step && event.attempt !== undefined) {
      if (event.type.startsWith('STEP_'))
        return traceparent(event.handoffId, run, attemptSpan(event.step, event.attempt));
      if (event.type.startsWith('COMPENSATION_'))
        return traceparent(event.handoffId, run, compensationSpan(event.step, event.attempt));
    }
    return traceparent(event.handoffId, run, ROLLBACK_EVENTS.has(event.type) ? ROLLBACK_SPAN : RUN_SPAN);
  },
  ofAttempt(handoff, procedure, actionId, attempt) {
    const run = runOf(handoff);
    if (procedure.steps.some((step) => step.id === actionId))
      return traceparent(handoff.id, run, attemptSpan(actionId, attempt));
    const undone = procedure.steps.find((step) => step.compensation?.id === actionId);
    return traceparent(handoff.id, run, undone ? compensationSpan(undone.id, attempt) : RUN_SPAN);
  },
};
