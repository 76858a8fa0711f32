import type { Random } from '../../shared/random.js';
import { nonNegativeNumber, StepFailure, type StepKindHandler } from './step-kind.js';

/** Waits params.ms inside the attempt (work that takes time, not a wait for someone: it holds its slot). */
export const delayStep: StepKindHandler = {
  checkParams: (params) => (nonNegativeNumber(params.ms) === null ? ['params.ms must be a number ≥ 0'] : []),
  async run({ action, signal, clock }) {
    await clock.sleep(nonNegativeNumber(action.params.ms)!, signal);
    return null;
  },
};

/** A standard normal draw (Box–Muller) from the injected random: simulated durations that vary like real ones. */
function normalDraw(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/**
 * Takes params.durationMs (plus normal noise of standard deviation params.durationJitterMs, never
 * below 0) and fails with probability params.failureProbability.
 */
export const simulateStep: StepKindHandler = {
  checkParams: (params) => {
    const problems: string[] = [];
    if (params.durationMs !== undefined && nonNegativeNumber(params.durationMs) === null)
      problems.push('params.durationMs must be a number ≥ 0');
    if (params.durationJitterMs !== undefined && nonNegativeNumber(params.durationJitterMs) === null)
      problems.push('params.durationJitterMs must be a number ≥ 0');
    const p = params.failureProbability;
    if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1))
      problems.push('params.failureProbability must be between 0 and 1');
    return problems;
  },
  async run({ action, attempt, signal, clock, random }) {
    const jitter = nonNegativeNumber(action.params.durationJitterMs) ?? 0;
    const duration = Math.max(0, (nonNegativeNumber(action.params.durationMs) ?? 0) + jitter * normalDraw(random));
    if (duration > 0) await clock.sleep(duration, signal);
    const failUntil = nonNegativeNumber(action.params.failFirstAttempts) ?? 0;
    if (attempt <= failUntil) throw new StepFailure(`simulated failure on attempt ${attempt}`, { code: 'SIMULATED' });
    const probability = (action.params.failureProbability as number | undefined) ?? 0;
    if (probability > 0 && random.next() < probability)
      throw new StepFailure('simulated failure', { code: 'SIMULATED' });
    return null;
  },
};

export const noopStep: StepKindHandler = {
  checkParams: () => [],
  run: async () => null,
};
