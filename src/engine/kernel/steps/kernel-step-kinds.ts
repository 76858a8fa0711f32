import { awaitSignalStep } from './await-signal-step.js';
import type { StepKindHandlers } from './step-kind.js';
import { delayStep, noopStep, simulateStep } from './timing-steps.js';

/** The step kinds the kernel runs itself; modules bring the others (see engine.ts). */
export const KERNEL_STEP_KINDS = {
  await_signal: awaitSignalStep,
  delay: delayStep,
  simulate: simulateStep,
  noop: noopStep,
} as const satisfies Partial<StepKindHandlers>;
