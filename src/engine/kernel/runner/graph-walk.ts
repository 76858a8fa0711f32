import { type Handoff, isFinal } from '../handoff/handoff.js';
import { completeHandoff, handBack } from '../handoff/handoff-transitions.js';
import type { ActiveRun, RunEnd, RunParts } from './active-run.js';
import { Flights } from './flights.js';
import { settleDecisions, skipOrCancel, startSteps } from './graph-moves.js';
import { type GraphPlan, planGraph } from './graph-plan.js';
import { settleInterruptedAttempt } from './interrupted-attempt.js';
import { CancelledError, StepStoppedError } from './run-action.js';
import { beginRollback, pauseDue, pauseIfAsked } from './run-ending.js';
import { busyBesides } from './step-outcome.js';

/**
 * Walks a handoff's steps as a graph until it completes, waits, pauses or must roll back. Each turn plans
 * from the stored state what to do (graph-plan.ts), stores it (graph-moves.ts) and takes up the attempts
 * that may run (flights.ts): several attempts of one handoff run at once under its one lease, their
 * outcomes stored one at a time. The handoff is handed back only when nothing of it is under way here. A
 * chain (any procedure written without `after`) walks as it always did: one step at a time, the same
 * events in the same order. Returns how the run ends here, or null when a rollback (ROLLING_BACK) is next.
 */
export async function walkGraph(parts: RunParts, run: ActiveRun): Promise<RunEnd | null> {
  const flights = new Flights(parts, run);
  run.idle = (h) => isIdle(parts, run, h);
  // A cancel recorded before this run began: attempts it takes up are cut short at once.
  if (run.cancelReason !== null && !run.abort.signal.aborted) run.abort.abort(new CancelledError(run.cancelReason));
  try {
    for (;;) {
      flights.rethrow();
      if (run.rested) return 'WAITING';
      for (const index of [...run.startedHere]) flights.launch(index, 'start');
      const planned = run.handoff.version;
      const plan = planGraph(run.handoff, run.procedure, planContext(parts, run));
      const end = await turn(parts, run, flights, plan);
      if (end === 'AGAIN') continue;
      if (end !== 'IDLE') return end;
      if (flights.size > 0) {
        await flights.next(nextDueAt(run));
        continue;
      }
      // An attempt that ended during the turn stored its outcome: plan again on it before letting go.
      if (run.handoff.version !== planned) continue;
      // Nothing under way here and nothing to do now: hand it back until it is due.
      if (await parts.rest(run, (h) => handBack(h))) return 'WAITING';
    }
  } finally {
    await flights.abandon();
  }
}

function planContext(parts: RunParts, run: ActiveRun) {
  return {
    now: parts.clock.now(),
    busy: busyBesides(run, null),
    signalled: run.signals.has,
    mayStart: pauseDue(run) === null,
  };
}

/** Whether, in state `h`, the walk has nothing to do until something arrives (see ActiveRun.idle). */
function isIdle(parts: RunParts, run: ActiveRun, h: Handoff): boolean {
  if (run.startedHere.size > 0 || run.cancelReason !== null) return false;
  // A pause due does not keep the handoff: it is taken when the run comes back to it.
  const plan = planGraph(h, run.procedure, { ...planContext(parts, run), mayStart: true });
  return (
    plan.doomed === null &&
    !plan.complete &&
    [plan.skip, plan.settle, plan.cancel, plan.start, plan.retry, plan.resume, plan.interrupted].every(
      (list) => list.length === 0,
    )
  );
}

/** The earliest time a step not under way here must be looked at again (a retry, a wait's end), or null. */
function nextDueAt(run: ActiveRun): number | null {
  let due: number | null = null;
  run.handoff.steps.forEach((step, index) => {
    if (run.flying.has(index)) return;
    const at =
      step.status === 'PENDING' && step.attempts > 0
        ? step.retryAt
        : step.status === 'WAITING'
          ? step.wait?.until
          : null;
    if (at != null && (due === null || at < due)) due = at;
  });
  return due;
}

/** How a turn ended: the run ends (or, null, rolls back), it stored or took up something (AGAIN), or had nothing to do now. */
type TurnEnd = RunEnd | 'AGAIN' | 'IDLE' | null;

async function turn(parts: RunParts, run: ActiveRun, flights: Flights, plan: GraphPlan): Promise<TurnEnd> {
  if (plan.interrupted.length > 0) {
    // The attempts that were running when the last process stopped: taken back, and counted as failed.
    for (const index of plan.interrupted) await settleInterruptedAttempt(parts, run, index);
    return 'AGAIN';
  }
  if (run.cancelReason !== null) return stopAll(parts, run, flights, null);
  if (plan.settle.length > 0) {
    await settleDecisions(parts, run, plan.settle);
    return 'AGAIN';
  }
  if (plan.doomed !== null) return stopAll(parts, run, flights, plan.doomed);
  // Most turns of a chain have nothing to skip, cancel or start: no call (and no promise) for those.
  const moved = plan.skip.length + plan.cancel.length > 0 && (await skipOrCancel(parts, run, flights, plan));
  for (const index of plan.resume) flights.launch(index, 'resume');
  const quiet = flights.size === 0 && run.startedHere.size === 0;
  if (plan.complete && quiet) {
    // The last success may have completed the handoff in its own write while this turn planned (its follow-up
    // is COMPLETE): then there is nothing left to store.
    const complete = (h: Handoff) => (isFinal(h.status) ? null : completeHandoff(h, parts.clock.now()));
    if (await parts.commit(run, complete)) return 'FINISHED';
    return rollBackFor(parts, run, `cancelled: ${run.cancelReason}`);
  }
  // Between attempts (none under way), where a pause stops the handoff.
  if (quiet && pauseDue(run)) return (await pauseIfAsked(parts, run)) ? 'PAUSED' : 'AGAIN';
  const started = plan.start.length + plan.retry.length > 0 && (await startSteps(parts, run, flights, plan));
  return moved || started || plan.resume.length > 0 ? 'AGAIN' : 'IDLE';
}

async function rollBackFor(parts: RunParts, run: ActiveRun, reason: string): Promise<TurnEnd> {
  return (await beginRollback(parts, run, reason)) === 'ROLL_BACK' ? null : 'FINISHED';
}

/**
 * A cancel (`doomed` null), or a failure nothing contains: attempts under way here stop, waiting ones are
 * taken back (their kinds withdraw tasks, cancel sub-handoffs), each outcome is recorded; then the
 * rollback begins.
 */
async function stopAll(parts: RunParts, run: ActiveRun, flights: Flights, doomed: string | null): Promise<TurnEnd> {
  const stop = doomed !== null ? new StepStoppedError('ROLLING_BACK', `the handoff rolls back (${doomed})`) : null;
  if (stop) flights.stopEvery(stop);
  run.handoff.steps.forEach((step, index) => {
    if (step.status === 'WAITING' && !step.fanOut && !run.flying.has(index)) flights.launch(index, 'resume', stop);
  });
  for (const index of [...run.startedHere]) flights.launch(index, 'start', stop);
  if (flights.size > 0) {
    await flights.drain();
    return 'AGAIN';
  }
  const reason = run.cancelReason !== null ? `cancelled: ${run.cancelReason}` : (run.handoff.error ?? doomed!);
  return rollBackFor(parts, run, reason);
}
