import type { StepKindHandler } from './step-kind.js';

/** Waits until signalHandoff names this step; the step timeout bounds the wait. */
export const awaitSignalStep: StepKindHandler = {
  kind: 'await_signal',
  waits: true,
  checkParams: () => [],
  async run({ awaitSignal }) {
    const payload = await awaitSignal();
    return { signal: payload as Record<string, unknown> | null };
  },
};
