import { INTERRUPTED_CODE } from '../handoff/failure-code.js';
import { suspendAttempt } from '../handoff/handoff-transitions.js';
import { definitionAt } from '../procedures/branch-definition.js';
import { StepFailure } from '../steps/step-kind.js';
import type { ActiveRun, RunParts } from './active-run.js';
import { abandonAttempt } from './attempt.js';
import { INTERRUPTED_BY_RESTART } from './run-action.js';
import { afterFailure, recordOutcome } from './step-outcome.js';

/**
 * An attempt that was running when the last process stopped. Its kind takes back what the attempt may have
 * started outside (a sub-handoff is cancelled, an agent task withdrawn), as for a timeout; when that work had
 * already finished (a child COMPLETED, an agent's answer stored) the attempt succeeds with it, else it counts
 * as failed by the restart.
 */
export async function settleInterruptedAttempt(parts: RunParts, run: ActiveRun, index: number): Promise<void> {
  const definition = definitionAt(run.procedure, run.handoff, index);
  const step = run.handoff.steps[index];
  const interrupted = new StepFailure(INTERRUPTED_BY_RESTART, { code: INTERRUPTED_CODE });
  const outcome = await abandonAttempt(
    parts,
    run,
    {
      index,
      handler: parts.stepKinds[definition.kind],
      action: definition,
      actionId: definition.id,
      attempt: step.attempts,
      startedAt: step.attemptStartedAt ?? step.startedAt ?? parts.clock.now(),
      resumed: step.wait ? { data: step.wait.data } : null,
      outer: AbortSignal.abort(interrupted),
      withFaults: false,
      suspendWith: (wait) => (h) => suspendAttempt(h, wait, index),
    },
    interrupted,
  );
  if ('ok' in outcome && outcome.ok) await recordOutcome(parts, run, index, outcome, null);
  else await afterFailure(parts, run, index, interrupted, 0, false);
}
