import type { Procedure } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { SeverityEnum, StepKindEnum } from './enums.js';
import { ProcedureRef } from './procedure.js';
import { ForEachInput, JoinInput } from './step-graph.js';
import { payloadType } from './user-error.js';

export const RetryPolicyInput = builder.inputType('RetryPolicyInput', {
  description:
    'Retry policy; omitted fields take the defaults (3 attempts, 200 ms initial delay, ×2, max 5 s, jitter 0.2).',
  fields: (t) => ({
    maxAttempts: t.int({ required: false, description: 'Attempts in all, 1–100.' }),
    initialDelayMs: t.int({ required: false, description: 'Wait before the second attempt.' }),
    multiplier: t.float({ required: false, description: 'Growth of the wait, 1–10.' }),
    maxDelayMs: t.int({ required: false, description: 'Upper bound of any wait.' }),
    jitter: t.float({ required: false, description: 'Randomised share of each wait, 0–1.' }),
    nonRetryableCodes: t.stringList({
      required: false,
      description:
        'Failure codes (see HandoffStep.errorCode) that fail the step at once, whatever attempts are left. HTTP_4XX stands for every HTTP_4nn but HTTP_408 and HTTP_429. Default [HTTP_4XX, VALIDATION_FAILED]; [] retries every failure.',
    }),
  }),
});

export const CompensationInput = builder.inputType('RollbackStepInput', {
  description: 'How a step is undone on rollback.',
  fields: (t) => ({
    id: t.string({ required: true, description: 'Unique within the procedure.' }),
    name: t.string({ required: true, description: 'Human-readable name.' }),
    kind: t.field({ type: StepKindEnum, required: true, description: 'What it does.' }),
    params: t.field({ type: 'JSON', required: false, description: 'Parameters for the kind.' }),
    timeoutMs: t.int({ required: true, description: 'Time limit of one attempt.' }),
  }),
});

export const StepInput = builder.inputType('ProcedureStepInput', {
  description: 'One step of a procedure definition.',
  fields: (t) => ({
    id: t.string({ required: true, description: 'Unique within the procedure (letters, digits, _ and -).' }),
    name: t.string({ required: true, description: 'Human-readable name.' }),
    kind: t.field({ type: StepKindEnum, required: true, description: 'What the step does.' }),
    params: t.field({ type: 'JSON', required: false, description: 'Parameters for the kind (see StepKind).' }),
    timeoutMs: t.int({ required: true, description: 'Time limit of one attempt, > 0.' }),
    retry: t.field({ type: RetryPolicyInput, required: false, description: 'Retry policy.' }),
    validateRules: t.idList({ required: false, description: 'Rule ids checked after the step succeeds.' }),
    compensation: t.field({ type: CompensationInput, required: false, description: 'How to undo the step.' }),
    after: t.stringList({
      required: false,
      description:
        'Ids of the steps this one waits for. Omitted: the step before it in the list (so a list without after is a chain). []: none, it starts with the handoff. Unknown ids, cycles and steps that could never run are refused.',
    }),
    join: t.field({
      type: JoinInput,
      required: false,
      description: 'When it may start, if it waits for several steps (default: all succeeded).',
    }),
    when: t.field({
      type: 'JSON',
      required: false,
      description:
        'A condition in the validation rules\' query language over { context, outputs, handoff }, checked when the step could start: false skips it (SKIPPED). E.g. { "context.urgent": true }. It may read outputs only of steps it waits for.',
    }),
    forEach: t.field({
      type: ForEachInput,
      required: false,
      description: 'Run the step once per item of a list (a fan-out), with a join over the branches.',
    }),
  }),
});

// biome-ignore lint/suspicious/noExplicitAny: a Pothos input field builder shared by two input types
const definitionFields = (t: any) => ({
  id: t.id({
    required: true,
    description: 'Plain id, e.g. MY_PROCEDURE (a global id of the procedure also names it).',
  }),
  name: t.string({ required: true, description: 'Human-readable name.' }),
  description: t.string({ required: false, description: 'What the procedure is for.' }),
  steps: t.field({
    type: [StepInput],
    required: true,
    description: 'Steps: in order, unless they say what they wait for (after).',
  }),
  maxParallelSteps: t.int({
    required: false,
    description: 'Step attempts of one handoff under way at once, waits included (1–100, default 10).',
  }),
  validationRules: t.idList({ required: false, description: 'Gate rule ids checked before the first step.' }),
  estimatedDurationMs: t.int({ required: false, description: 'Expected wall time (default: sum of step timeouts).' }),
  deadlineMs: t.int({
    required: false,
    description:
      'Overall time limit of each handoff from its creation, time PAUSED excluded (at most 30 days): past it the handoff is cancelled and rolled back with errorCode DEADLINE_EXCEEDED. A handoff may set its own (initiateHandoff deadlineMs). Default: none.',
  }),
  dependencies: t.idList({ required: false, description: 'Procedures this one depends on (plain or global ids).' }),
  requiredAgents: t.idList({ required: false, description: 'Agents that must be registered (plain or global ids).' }),
  requiredContextKeys: t.stringList({ required: false, description: 'Keys the handoff metadata must carry (VR005).' }),
  blockingSeverities: t.field({
    type: [SeverityEnum],
    required: false,
    description: 'Severities that block (default [CRITICAL]).',
  }),
});

export const CreateProcedureInput = builder.inputType('CreateProcedureInput', {
  description: 'A new procedure definition. Checked on write: problems come back as userErrors naming the field.',
  fields: (t) => definitionFields(t),
});

export const UpdateProcedureInput = builder.inputType('UpdateProcedureInput', {
  description: 'A full replacement definition, stored as the next version. Running handoffs keep their version.',
  fields: (t) => ({
    ...definitionFields(t),
    expectedVersion: t.int({
      required: false,
      description: 'Refuse (VERSION_CONFLICT) unless the stored version is this one.',
    }),
  }),
});

export const DeleteProcedureInput = builder.inputType('DeleteProcedureInput', {
  description: 'Which procedure to delete.',
  fields: (t) => ({ id: t.id({ required: true, description: 'Plain or global id.' }) }),
});

export const ProcedurePayload = payloadType<Procedure>(
  'Procedure',
  'procedure',
  ProcedureRef,
  'The result of a procedure definition change.',
);
