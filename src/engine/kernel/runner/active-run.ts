import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Random } from '../../shared/random.js';
import type { Handoff, StepWait } from '../handoff/handoff.js';
import type { TransitionResult } from '../handoff/handoff-transitions.js';
import type { Procedure } from '../procedures/procedure.js';
import type { ConditionEvaluator } from '../procedures/step-condition.js';
import type { StepKindHandlers, WaitingFor, WaitRequest } from '../steps/step-kind.js';
import type { Nudge } from './nudge.js';
import type { RecordedSignals } from './recorded-signals.js';
import type { FaultHook } from './run-action.js';

/** A handoff this process is executing right now. */
export interface ActiveRun {
  handoff: Handoff;
  procedure: Procedure;
  signals: RecordedSignals;
  cancelReason: string | null;
  /**
   * Steps whose attempt this run stored as started and has not run yet (the gates or the step before
   * started them with their own transition); any other attempt found started was left by a run that
   * stopped.
   */
  startedHere: Set<number>;
  /**
   * Steps a success's follow-up is storing as started: marked when the transition is computed, so a plan the
   * walk makes before that write's caller resumes counts them as this run's (not as attempts a stopped process
   * left running), and cleared once the write is stored (then they are in startedHere) or dropped.
   */
  starting: Set<number>;
  /** Steps with an attempt (or a compensation attempt) under way in this run now. */
  flying: Set<number>;
  /** The run's changes are stored one at a time, each computed from the state the one before left. */
  commits: Promise<unknown>;
  /** Set once a transition handed the handoff back: this run stores nothing more. */
  rested: boolean;
  /**
   * Whether, with the handoff in state `h`, this run has nothing to do until something arrives or a
   * time comes (set by the phase running: the walk over the steps, or the rollback). See RunParts.suspend.
   */
  idle(h: Handoff): boolean;
  /** Wakes the run's loop when a signal or cancel arrives while its attempts are under way. */
  nudge: Nudge;
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

/**
 * A transition computed from the state as it is when stored (a run's attempts store their outcomes one at
 * a time); null: nothing to store after all (what it was for was done meanwhile).
 */
export type Change = (h: Handoff) => TransitionResult | null;

/** What storing a wait did: handed the handoff back, kept it (other work goes on), or found news to look at. */
export type Parked = 'RESTED' | 'KEPT' | 'LOOK_AGAIN';

/** What the parts of a run (its steps, its compensations) use of the runner. */
export interface RunParts {
  clock: Clock;
  random: Random;
  logger: Logger;
  faults: FaultHook | null;
  stepKinds: StepKindHandlers;
  waitingFor: WaitingFor;
  checks: HandoffChecks;
  /** Evaluates steps' conditions (`when`). */
  conditions: ConditionEvaluator;
  /**
   * Stores a transition as one compare-and-set, keeping the lease (a final or PAUSED status hands it
   * back). False when a recorded cancel refused it (then `run.cancelReason` is set); a lost guard throws.
   */
  commit(run: ActiveRun, change: Change): Promise<boolean>;
  /**
   * Stores a transition and hands the handoff back until it is due (dueAtOf), unless a signal or
   * cancel was recorded since the run last read them: then those are taken in, the lease is kept (a
   * transition with events is stored anyway, one without is dropped) and it resolves false, for the
   * caller to look again.
   */
  rest(run: ActiveRun, change: Change): Promise<boolean>;
  /**
   * Stores a transition that leaves step `index` waiting (a suspended attempt, a retry's back-off): as
   * `rest` when nothing else in the run goes on (no other attempt under way, `run.idle` after it), else
   * as `commit`, keeping the handoff for the rest of the run (KEPT).
   */
  suspend(run: ActiveRun, index: number, change: Change): Promise<Parked>;
  /** The wait an attempt asked for, bounded by its timeout (counted from when the attempt started). */
  boundedWait(request: WaitRequest, attemptStartedAt: number, timeoutMs: number): StepWait;
}
