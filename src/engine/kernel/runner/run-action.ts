import { type Clock, startTimeout } from '../../shared/clock.js';
import type { Handoff } from '../handoff/handoff.js';
import type { Action } from '../procedures/procedure.js';
import { STEP_KIND_REGISTRY } from '../steps/registry.js';
import type { StepServices } from '../steps/step-kind.js';
import { AttemptAbort } from './attempt-abort.js';

/** What a step's error says when its attempt was running as the process stopped (it counts as failed). */
export const INTERRUPTED_BY_RESTART = 'interrupted by a restart';

/** Why an attempt was cut short. */
export class StepTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'StepTimeoutError';
  }
}

export class CancelledError extends Error {
  constructor(reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'CancelledError';
  }
}

/** The process is stopping: the attempt is abandoned unrecorded and resumes after restart. */
/** A run stops without recording anything, for another run (here or elsewhere) to resume. */
export class ShutdownError extends Error {
  constructor(reason = 'server shutting down') {
    super(reason);
    this.name = 'ShutdownError';
  }
}

/** A hook that may fail, hang or slow an attempt before it runs: how reliability tests inject faults. */
export interface FaultHook {
  /** `signal` gives the attempt's AbortSignal: call it only when needed (it is made on first use). */
  beforeAttempt(handoff: Handoff, stepId: string, attempt: number, signal: () => AbortSignal): Promise<void>;
}

export type ActionResult =
  | { ok: true; output: Record<string, unknown> | null; durationMs: number }
  | { ok: false; error: Error; durationMs: number };

export interface ActionRun {
  handoff: Handoff;
  stepId: string;
  action: Action;
  attempt: number;
  /** Aborts the attempt from outside (cancel, shutdown); its reason becomes the error. */
  outer: AbortSignal;
  /** Waits for the signal `name` (default: this step's); gives up when `attemptSignal` aborts (timeout, cancel, shutdown). */
  awaitSignal: (attemptSignal: AbortSignal, name?: string) => Promise<unknown>;
}

/**
 * Runs one attempt of an action under its timeout. The attempt's AbortSignal fires on
 * timeout or outer abort, and the attempt is abandoned at that moment even if the kind
 * ignores the signal, so no attempt outlives its policy.
 */
export async function runAction(
  run: ActionRun,
  services: StepServices,
  clock: Clock,
  faults: FaultHook | null,
): Promise<ActionResult> {
  const started = clock.now();
  const handler = STEP_KIND_REGISTRY.get(run.action.kind);
  if (!handler) return { ok: false, error: new Error(`unknown step kind ${run.action.kind}`), durationMs: 0 };

  const attempt = new AttemptAbort();
  const forwardOuter = () => attempt.abort(run.outer.reason);
  if (run.outer.aborted) forwardOuter();
  else run.outer.addEventListener('abort', forwardOuter, { once: true });
  const cancelTimeout = startTimeout(clock, run.action.timeoutMs, () =>
    attempt.abort(new StepTimeoutError(run.action.timeoutMs)),
  );

  try {
    const work = (async () => {
      await faults?.beforeAttempt(run.handoff, run.stepId, run.attempt, () => attempt.signal);
      return handler.run({
        handoff: run.handoff,
        action: run.action,
        actionId: run.stepId,
        attempt: run.attempt,
        get signal() {
          return attempt.signal;
        },
        awaitSignal: (name, until) =>
          run.awaitSignal(until ? AbortSignal.any([attempt.signal, until]) : attempt.signal, name),
        services,
      });
    })();
    work.catch(() => undefined);
    const output = await (handler.settlesOnAbort ? work : Promise.race([work, attempt.aborted]));
    return { ok: true, output, durationMs: clock.now() - started };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
      durationMs: clock.now() - started,
    };
  } finally {
    cancelTimeout();
    run.outer.removeEventListener('abort', forwardOuter);
  }
}
