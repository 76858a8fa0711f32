import { inexactNumber, isJsonObject, jsonBytes } from '../shared/json-object.js';
import type { UserError } from '../shared/user-error.js';
import type { Handoff, HandoffParent, HandoffType, Priority, TestTag } from './handoff/handoff.js';
import type { Procedure } from './procedures/procedure.js';
import { MAX_DEADLINE_MS } from './procedures/procedure-definition.js';

export interface InitiateHandoffInput {
  /** Client idempotency key; generated when absent. */
  handoffId?: string | null;
  procedureId: string;
  sourcePhase?: string | null;
  targetPhase?: string | null;
  sourceAgent?: string | null;
  targetAgent?: string | null;
  handoffType?: HandoffType | null;
  priority?: Priority | null;
  metadata?: Record<string, unknown> | null;
  /** Overall time limit from now (overrides the procedure's deadlineMs). */
  deadlineMs?: number | null;
  test?: TestTag | null;
  /** Set when a sub_handoff step starts it (never from the API). */
  parent?: HandoffParent | null;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const NAME_LIMIT = 200;
/** Metadata (and a signal's payload) is stored and copied into events: keep it bounded. */
export const METADATA_LIMIT_BYTES = 64 * 1024;

/** What is wrong with an initiateHandoff input on its own (before any procedure or agent is looked up). */
export function checkInput(input: InitiateHandoffInput): UserError[] {
  const errors: UserError[] = [];
  if (input.handoffId != null && !ID_PATTERN.test(input.handoffId)) {
    errors.push({
      field: ['input', 'handoffId'],
      code: 'INVALID_VALUE',
      message: 'handoffId must be 1–128 characters of letters, digits, _ . : - and start with a letter or digit',
    });
  }
  for (const field of ['sourcePhase', 'targetPhase', 'sourceAgent', 'targetAgent'] as const) {
    const value = input[field];
    if (value != null && (value.length === 0 || value.length > NAME_LIMIT)) {
      errors.push({
        field: ['input', field],
        code: 'INVALID_VALUE',
        message: `${field} must be 1–${NAME_LIMIT} characters`,
      });
    }
  }
  if (
    input.deadlineMs != null &&
    (!Number.isInteger(input.deadlineMs) || input.deadlineMs <= 0 || input.deadlineMs > MAX_DEADLINE_MS)
  ) {
    errors.push({
      field: ['input', 'deadlineMs'],
      code: 'INVALID_VALUE',
      message: `deadlineMs must be a positive whole number up to ${MAX_DEADLINE_MS}`,
    });
  }
  if (input.metadata != null) {
    if (!isJsonObject(input.metadata)) {
      errors.push({ field: ['input', 'metadata'], code: 'INVALID_VALUE', message: 'metadata must be a JSON object' });
    } else if (jsonBytes(input.metadata) > METADATA_LIMIT_BYTES) {
      errors.push({
        field: ['input', 'metadata'],
        code: 'TOO_LARGE',
        message: `metadata must be at most ${METADATA_LIMIT_BYTES} bytes as JSON`,
      });
    } else {
      const inexact = inexactNumber(input.metadata, 'metadata');
      if (inexact) errors.push({ field: ['input', 'metadata'], code: 'INVALID_VALUE', message: inexact });
    }
  }
  return errors;
}

/** The handoff `input` starts: PENDING, pinned to the procedure's current version, nothing run yet. */
export function newHandoff(id: string, procedure: Procedure, input: InitiateHandoffInput, now: number): Handoff {
  const deadlineMs = input.deadlineMs ?? procedure.deadlineMs ?? null;
  return {
    id,
    procedureId: procedure.id,
    procedureVersion: procedure.version,
    type: input.handoffType ?? (procedure.id.startsWith('AGENT') ? 'AGENT_HANDOFF' : 'PHASE_TRANSITION'),
    priority: input.priority ?? 'MEDIUM',
    sourcePhase: input.sourcePhase ?? null,
    targetPhase: input.targetPhase ?? null,
    sourceAgent: input.sourceAgent ?? null,
    targetAgent: input.targetAgent ?? null,
    metadata: input.metadata ?? {},
    status: 'PENDING',
    steps: procedure.steps.map((step) => ({
      id: step.id,
      name: step.name,
      kind: step.kind,
      status: 'PENDING',
      attempts: 0,
      compensationAttempts: 0,
      startedAt: null,
      finishedAt: null,
      error: null,
      output: null,
      retryAt: null,
    })),
    currentStep: 0,
    error: null,
    errorCode: null,
    cancelReason: null,
    run: 1,
    deadlineMs,
    deadlineAt: deadlineMs !== null ? now + deadlineMs : null,
    pause: null,
    pausesHonoured: 0,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    version: 1,
    seq: 0,
    test: input.test ?? null,
    ...(input.parent ? { parent: input.parent } : {}),
  };
}
