import { describeActor } from '../../shared/actor.js';
import { readSignal } from '../handoff/step-signal.js';
import { StepFailure, type StepKindHandler } from './step-kind.js';

/**
 * Waits until signalHandoff names this step, holding no execution slot; the step timeout bounds the
 * wait. An approval succeeds with the signal's payload; a rejection fails the step for good (no
 * retry), so the handoff rolls back.
 */
export const awaitSignalStep: StepKindHandler = {
  waitingFor: () => 'signalHandoff',
  checkParams: () => [],
  async run(execution) {
    const recorded = execution.recorded();
    if (recorded === undefined) return execution.suspend({ on: execution.actionId });
    const signal = readSignal(recorded);
    if (signal.outcome === 'REJECT') {
      throw new StepFailure(`rejected by ${describeActor(signal.actor)}${signal.reason ? `: ${signal.reason}` : ''}`, {
        retryable: false,
        code: 'REJECTED',
        data: { outcome: 'REJECT', reason: signal.reason, actor: signal.actor },
      });
    }
    return { signal: signal.payload as Record<string, unknown> | null, outcome: 'APPROVE', signalledBy: signal.actor };
  },
};
