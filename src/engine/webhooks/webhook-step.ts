import { runOf } from '../kernel/handoff/handoff.js';
import { StepFailure, type StepKindHandler } from '../kernel/steps/step-kind.js';
import { OutboundRefused, postOutbound } from '../shared/outbound-post.js';
import { checkOutboundUrl, type OutboundPolicy } from '../shared/outbound-url.js';
import { retryAfterMs } from './retry-after.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';
import type { WebhookTracing } from './webhook-tracing.js';

function allowedUrl(raw: unknown, allowList: string[]): { url?: URL; problem?: string } {
  return checkOutboundUrl(raw, allowList, 'params.url');
}

/**
 * What a receiver de-duplicates on: one key per handoff, step (or compensation: its id differs from
 * every step's), run and attempt. A retry of the same attempt never happens (attempts are stored before
 * they run), so a repeated key is a repeated delivery. A redrive restarts attempts at 1, so runs after
 * the first name theirs (`<run>.<attempt>`); the first run's keys read as they always did. Step ids
 * hold no `:`, so the key reads back unambiguously from the right even when the handoff id has colons.
 */
export function idempotencyKey(handoffId: string, actionId: string, attempt: number, run = 1): string {
  return `${handoffId}:${actionId}:${run > 1 ? `${run}.` : ''}${attempt}`;
}

/**
 * POSTs the handoff as JSON to an allow-listed URL (the list as it is at each attempt); any 2xx succeeds.
 * The host is resolved and the call connects to the address checked against OUTBOUND_ALLOW_PRIVATE
 * (postOutbound); with a step secret (WEBHOOK_STEP_SECRET) the call is signed as webhook subscription
 * deliveries are: Handoff-Signature over the exact body. With tracing on, the call carries the attempt's
 * span as `traceparent`.
 */
export function webhookStep(
  policy: OutboundPolicy,
  stepSecret: string | null,
  tracing: WebhookTracing | null = null,
): StepKindHandler {
  return {
    checkParams: (params, settings) => {
      const { problem } = allowedUrl(params.url, settings.webhookAllowList);
      return problem ? [problem] : [];
    },
    async run({ handoff, procedure, action, actionId, attempt, signal, clock }) {
      const { url, problem } = allowedUrl(action.params.url, [...policy.allowHosts]);
      if (!url) throw new StepFailure(problem!, { code: 'WEBHOOK_NOT_ALLOWED', retryable: false });
      const body = JSON.stringify({
        handoffId: handoff.id,
        step: actionId,
        procedureId: handoff.procedureId,
        sourceAgent: handoff.sourceAgent,
        targetAgent: handoff.targetAgent,
        attempt,
        run: runOf(handoff),
        payload: action.params.body ?? null,
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey(handoff.id, actionId, attempt, runOf(handoff)),
      };
      if (tracing) headers.traceparent = tracing.ofAttempt(handoff, procedure, actionId, attempt);
      if (stepSecret !== null) headers[SIGNATURE_HEADER] = signatureHeader(stepSecret, clock.now(), body);
      const response = await postOutbound(url, { headers, body, signal }, policy).catch((error: unknown) => {
        if (error instanceof OutboundRefused)
          throw new StepFailure(error.message, { code: 'WEBHOOK_NOT_ALLOWED', retryable: false });
        throw error;
      });
      if (response.status < 200 || response.status > 299) {
        // The code decides whether another attempt may help (see the step's retryPolicy.nonRetryableCodes).
        const retryAfter = response.headers['retry-after'];
        throw new StepFailure(`webhook answered HTTP ${response.status}`, {
          code: `HTTP_${response.status}`,
          retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : null, clock.now()),
          data: { httpStatus: response.status },
        });
      }
      return { status: response.status };
    },
  };
}
