import { createHash } from 'node:crypto';

/**
 * The trace of a handoff run and the spans in it have ids derived from what they are (the handoff,
 * its run, the step and attempt), not drawn at random: any process, before or after a restart, names
 * the same span the same way. So an attempt's span is known while it runs (a webhook step sends it as
 * `traceparent`) and is recorded when it ends, by whichever process ends it, with nothing stored.
 */

function hexDigest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The trace of run `run` of a handoff (32 hex digits). */
export function traceIdOf(handoffId: string, run: number): string {
  return hexDigest(`handoff-trace\u0000${handoffId}\u0000${run}`, 32);
}

/** A span of that trace (16 hex digits); `part` names which: see the helpers below. */
export function spanIdOf(handoffId: string, run: number, part: string): string {
  return hexDigest(`handoff-span\u0000${handoffId}\u0000${run}\u0000${part}`, 16);
}

/** The run itself: the trace's root span. */
export const RUN_SPAN = 'run';
/** The rollback, parent of the compensations. */
export const ROLLBACK_SPAN = 'rollback';

export function attemptSpan(stepId: string, attempt: number): string {
  return `step:${stepId}#${attempt}`;
}

/** An attempt of the compensation that undoes step `stepId`. */
export function compensationSpan(stepId: string, attempt: number): string {
  return `undo:${stepId}#${attempt}`;
}

/** The W3C trace context header of a span (sampled). */
export function traceparent(handoffId: string, run: number, part: string): string {
  return `00-${traceIdOf(handoffId, run)}-${spanIdOf(handoffId, run, part)}-01`;
}
