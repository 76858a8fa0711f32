import { nonNegativeNumber, StepFailure, type StepKindHandler } from './step-kind.js';

export const delayStep: StepKindHandler = {
  kind: 'delay',
  checkParams: (params) => (nonNegativeNumber(params.ms) === null ? ['params.ms must be a number ≥ 0'] : []),
  async run({ action, signal, services }) {
    await services.clock.sleep(nonNegativeNumber(action.params.ms)!, signal);
    return null;
  },
};

/** Takes params.durationMs and fails with probability params.failureProbability. */
export const simulateStep: StepKindHandler = {
  kind: 'simulate',
  checkParams: (params) => {
    const problems: string[] = [];
    if (params.durationMs !== undefined && nonNegativeNumber(params.durationMs) === null)
      problems.push('params.durationMs must be a number ≥ 0');
    const p = params.failureProbability;
    if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1))
      problems.push('params.failureProbability must be between 0 and 1');
    return problems;
  },
  async run({ action, attempt, signal, services }) {
    const duration = nonNegativeNumber(action.params.durationMs) ?? 0;
    if (duration > 0) await services.clock.sleep(duration, signal);
    const failUntil = nonNegativeNumber(action.params.failFirstAttempts) ?? 0;
    if (attempt <= failUntil) throw new StepFailure(`simulated failure on attempt ${attempt}`, { code: 'SIMULATED' });
    const probability = (action.params.failureProbability as number | undefined) ?? 0;
    if (probability > 0 && services.random.next() < probability)
      throw new StepFailure('simulated failure', { code: 'SIMULATED' });
    return null;
  },
};

export const noopStep: StepKindHandler = {
  kind: 'noop',
  checkParams: () => [],
  run: async () => null,
};
