import { revertContextStep, transferContextStep } from '../../agents/context-steps.js';
import { agentTaskStep } from '../../tasks/agent-task-step.js';
import { validateStep } from '../../validation/validate-step.js';
import { webhookStep } from '../../webhooks/webhook-step.js';
import type { StepKind } from '../procedures/procedure.js';
import { awaitSignalStep } from './await-signal-step.js';
import type { StepKindHandler } from './step-kind.js';
import { delayStep, noopStep, simulateStep } from './timing-steps.js';

/** Every step kind the engine knows, by name. */
export const STEP_KIND_REGISTRY: ReadonlyMap<StepKind, StepKindHandler> = new Map(
  [
    validateStep,
    transferContextStep,
    revertContextStep,
    awaitSignalStep,
    agentTaskStep,
    webhookStep,
    delayStep,
    simulateStep,
    noopStep,
  ].map((handler) => [handler.kind, handler]),
);
