import { type FinalStatus, finish, pause, startRollback } from '../handoff/handoff-transitions.js';
import { duePause, PAUSE_SIGNAL } from '../handoff/pause-request.js';
import type { ActiveRun, RunEnd, RunParts } from './active-run.js';
import { stepsToUndo } from './compensation-plan.js';

/** How a run stops walking the steps: it pauses, finishes, or starts undoing what they did. */

/** The pause request recorded for this handoff and not yet honoured, if any. */
export function pauseDue(run: ActiveRun) {
  return duePause(run.handoff, run.signals.get(PAUSE_SIGNAL));
}

/**
 * Pauses the handoff if a pause is due (true). A recorded cancel refuses the pause: then the cancel
 * is honoured instead (false, with `run.cancelReason` set).
 */
export async function pauseIfAsked(parts: RunParts, run: ActiveRun): Promise<boolean> {
  const request = pauseDue(run);
  if (!request || run.cancelReason !== null) return false;
  return parts.commit(run, (h) => pause(h, request, parts.clock.now()));
}

/**
 * Starts undoing what the steps did (ROLLING_BACK: 'ROLL_BACK'), or, with nothing to undo, finishes the
 * handoff as CANCELLED or FAILED at once.
 */
export async function beginRollback(
  parts: RunParts,
  run: ActiveRun,
  reason: string,
): Promise<'ROLL_BACK' | 'FINISHED'> {
  const toUndo = stepsToUndo(run.handoff, run.procedure);
  if (toUndo.length === 0) {
    const cancelled = run.cancelReason !== null;
    return finishRun(
      parts,
      run,
      cancelled ? 'CANCELLED' : 'FAILED',
      cancelled ? reason : `${reason}; nothing to roll back`,
    );
  }
  await parts.commit(run, (h) =>
    startRollback(
      h,
      reason,
      toUndo.map((i) => h.steps[i].id),
      parts.clock.now(),
    ),
  );
  return 'ROLL_BACK';
}

/** Stores a final status; a cancel recorded since (and acknowledged) turns it into CANCELLED. */
export async function finishRun(
  parts: RunParts,
  run: ActiveRun,
  status: FinalStatus,
  message: string,
): Promise<'FINISHED'> {
  if (await parts.commit(run, (h) => finish(h, status, message, run.cancelReason, parts.clock.now())))
    return 'FINISHED';
  return finishRun(
    parts,
    run,
    'CANCELLED',
    `${status === 'ROLLED_BACK' ? 'cancelled and rolled back' : 'cancelled'}: ${run.cancelReason}`,
  );
}

export type { RunEnd };
