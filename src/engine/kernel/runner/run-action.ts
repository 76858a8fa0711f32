import { type Clock, startTimeout } from '../../shared/clock.js';
import type { Random } from '../../shared/random.js';
import type { Handoff, StepRun } from '../handoff/handoff.js';
import type { Action, Procedure } from '../procedures/procedure.js';
import { type StepKindHandler, type StepOutcome, Suspension, type WaitRequest } from '../steps/step-kind.js';
import { AttemptAbort } from './attempt-abort.js';
import type { AbortSource } from './flight-abort.js';

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

/**
 * The run stopped one attempt itself (the handoff goes on without it): a join no longer needs the step
 * (NOT_NEEDED), or another step's failure rolls the handoff back (ROLLING_BACK). A kind takes back what
 * it started as for a cancel.
 */
export class StepStoppedError extends CancelledError {
  constructor(
    readonly why: 'NOT_NEEDED' | 'ROLLING_BACK',
    readonly reason: string,
  ) {
    super(reason);
    this.message = `stopped: ${reason}`;
    this.name = 'StepStoppedError';
  }
}

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
  | { ok: true; suspended: WaitRequest; durationMs: number }
  | { ok: false; error: Error; durationMs: number };

export interface ActionRun {
  handler: StepKindHandler;
  handoff: Handoff;
  /** The step the attempt belongs to (or whose compensation it is). */
  step: StepRun;
  procedure: Procedure;
  stepId: string;
  action: Action;
  attempt: number;
  /** What is left of the attempt's time (its timeout, less what a suspended attempt used before). */
  timeoutMs: number;
  /** Aborts the attempt from outside (cancel, shutdown); its reason becomes the error. */
  outer: AbortSource;
  /** The payload of a recorded signal, or undefined. */
  recorded(name: string): unknown;
  resumed: { data: Record<string, unknown> | null } | null;
  clock: Clock;
  random: Random;
  /** Faults to inject before a fresh attempt (not when a suspended one goes on). */
  faults: FaultHook | null;
}

/**
 * A listener passing `from`'s abort on to `to`. Made here rather than as a named arrow in place: the build
 * keeps function names (esbuild keepNames), which renames a named arrow with a property write each time one
 * is made, once per attempt here.
 */
function forwarding(from: AbortSource, to: AttemptAbort): () => void {
  return () => to.abort(from.reason);
}

/**
 * Runs one attempt (or one turn of a suspended attempt) of an action under what is left of its
 * timeout. The attempt's AbortSignal fires on timeout or outer abort, and the attempt is abandoned at
 * that moment even if the kind ignores the signal, so no attempt outlives its policy.
 */
export async function runAction(run: ActionRun): Promise<ActionResult> {
  const { clock, handler } = run;
  const started = clock.now();
  const attempt = new AttemptAbort();
  const forwardOuter = forwarding(run.outer, attempt);
  if (run.outer.aborted) forwardOuter();
  else run.outer.addEventListener('abort', forwardOuter, { once: true });
  const cancelTimeout = startTimeout(clock, Math.max(0, run.timeoutMs), () =>
    attempt.abort(new StepTimeoutError(run.action.timeoutMs)),
  );

  try {
    const work = (async (): Promise<StepOutcome> => {
      if (!run.resumed) await run.faults?.beforeAttempt(run.handoff, run.stepId, run.attempt, () => attempt.signal);
      return handler.run({
        handoff: run.handoff,
        step: run.step,
        procedure: run.procedure,
        action: run.action,
        actionId: run.stepId,
        attempt: run.attempt,
        get signal() {
          return attempt.signal;
        },
        clock,
        random: run.random,
        // Methods, not named arrows: the build keeps names (esbuild keepNames), renaming each arrow as it is made.
        recorded(name) {
          return run.recorded(name ?? run.stepId);
        },
        resumed: run.resumed,
        suspend(wait) {
          return new Suspension(wait);
        },
      });
    })();
    work.catch(() => undefined);
    const outcome = await (handler.settlesOnAbort ? work : Promise.race([work, attempt.aborted]));
    const durationMs = clock.now() - started;
    return outcome instanceof Suspension
      ? { ok: true, suspended: outcome.wait, durationMs }
      : { ok: true, output: outcome, durationMs };
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
