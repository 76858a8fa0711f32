import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Random } from '../../shared/random.js';
import type { Handoff, StepWait } from '../handoff/handoff.js';
import type { TransitionResult } from '../handoff/handoff-transitions.js';
import type { Procedure } from '../procedures/procedure.js';
import type { StepKindHandlers, WaitingFor, WaitRequest } from '../steps/step-kind.js';
import type { RecordedSignals } from './recorded-signals.js';
import type { FaultHook } from './run-action.js';

/** A handoff this process is executing right now. */
export interface ActiveRun {
  handoff: Handoff;
  procedure: Procedure;
  signals: RecordedSignals;
  cancelReason: string | null;
  /**
   * The step whose attempt this run stored as started and has not run yet (the gates or the step
   * before started it with their own transition); any other attempt found started was left by a
   * run that stopped.
   */
  startedHere: number | null;
  /** Aborted by cancel or shutdown; the running attempt follows it. */
  abort: AbortController;
  /** Aborted by shutdown only: compensations, which a cancel must not stop, follow it. */
  shutdown: AbortController;
  /** Aborted when the run ends: its deadline timer stops. */
  ended: AbortController;
}

/** A verdict of validation rules: the ids of those whose failure blocks (empty: pass). */
export interface Verdict {
  blocking: string[];
  summary: string;
}

/** The validation a run needs, brought by the validation module (see KernelExtensions). */
export interface HandoffChecks {
  /** The procedure's gates, before the first step. */
  gates(handoff: Handoff, procedure: Procedure): Promise<Verdict>;
  /** A step's own rules after it succeeded (or a validate step's), with the context keys transferred so far. */
  afterStep(handoff: Handoff, procedure: Procedure, ruleIds: string[], transferredKeys: string[]): Promise<Verdict>;
}

/** How a run of a handoff in this process ended. */
export type RunEnd =
  /** It reached a final status. */
  | 'FINISHED'
  /** It paused (or stays PAUSED). */
  | 'PAUSED'
  /** It waits, holding no slot, until it is due again (a signal, a retry, a wait's end). */
  | 'WAITING'
  /** Shutdown or a lost lease stopped it unrecorded: another run resumes it. */
  | 'STOPPED'
  /** Someone else holds it, or it is final: nothing was done. */
  | 'NOT_TAKEN'
  /** An unexpected error (a store that went away) stopped it: it is tried again later. */
  | 'FAILED';

/** What the parts of a run (its steps, its compensations) use of the runner. */
export interface RunParts {
  clock: Clock;
  random: Random;
  logger: Logger;
  faults: FaultHook | null;
  stepKinds: StepKindHandlers;
  waitingFor: WaitingFor;
  checks: HandoffChecks;
  /**
   * Stores a transition as one compare-and-set, keeping the lease (a final or PAUSED status hands it
   * back). False when a recorded cancel refused it (then `run.cancelReason` is set); a lost guard throws.
   */
  commit(run: ActiveRun, transition: TransitionResult): Promise<boolean>;
  /**
   * Stores a transition and hands the handoff back until it is due (dueAtOf), unless a signal or
   * cancel was recorded since the run last read them: then those are taken in, the lease is kept (a
   * transition with events is stored anyway, one without is dropped) and it resolves false, for the
   * caller to look again.
   */
  rest(run: ActiveRun, transition: TransitionResult): Promise<boolean>;
  /** The wait an attempt asked for, bounded by its timeout (counted from when the attempt started). */
  boundedWait(request: WaitRequest, attemptStartedAt: number, timeoutMs: number): StepWait;
}
