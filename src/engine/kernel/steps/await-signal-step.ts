import { describeActor } from '../../shared/actor.js';
import { readSignal } from '../handoff/step-signal.js';
import { StepFailure, type StepKindHandler } from './step-kind.js';

/**
 * Waits until signalHandoff names this step; the step timeout bounds the wait. An approval succeeds
 * with the signal's payload; a rejection fails the step for good (no retry), so the handoff rolls back.
 */
export const awaitSignalStep: StepKindHandler = {
  kind: 'await_signal',
  waits: true,
  checkParams: () => [],
  async run({ awaitSignal }) {
    const signal = readSignal(await awaitSignal());
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
