import type { Compensation, Procedure, RetryPolicy, StepDefinition } from '../engine/kernel/procedures/procedure.js';
import { DEFAULT_MAX_PARALLEL_STEPS, DEFAULT_NON_RETRYABLE_CODES } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { SeverityEnum, StepKindEnum } from './enums.js';
import type { LoadNodes } from './load-nodes.js';
import { ForEachRef, JoinRef } from './step-graph.js';

export const RetryPolicyRef = builder.objectRef<RetryPolicy>('RetryPolicy').implement({
  description:
    'How a failed step is retried: attempt n waits min(maxDelayMs, initialDelayMs × multiplier^(n-1)), randomised by ±jitter.',
  fields: (t) => ({
    maxAttempts: t.exposeInt('maxAttempts', { description: 'Attempts in all, the first included.' }),
    initialDelayMs: t.exposeInt('initialDelayMs', { description: 'Wait before the second attempt.' }),
    multiplier: t.exposeFloat('multiplier', { description: 'Growth of the wait from one retry to the next.' }),
    maxDelayMs: t.exposeInt('maxDelayMs', { description: 'Upper bound of any wait.' }),
    jitter: t.exposeFloat('jitter', {
      description: 'Share (0..1) of each wait that is randomised, so retries do not stampede.',
    }),
    nonRetryableCodes: t.stringList({
      description:
        'Failure codes that fail the step at once (HTTP_4XX: every HTTP_4nn but 408 and 429). A Retry-After header on a retried failure sets the next wait, bounded by maxDelayMs.',
      resolve: (r) => r.nonRetryableCodes ?? [...DEFAULT_NON_RETRYABLE_CODES],
    }),
  }),
});

export const CompensationRef = builder.objectRef<Compensation>('RollbackStep').implement({
  description: 'An action that undoes a completed step when a handoff rolls back.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Unique within the procedure.' }),
    name: t.exposeString('name', { description: 'Human-readable name.' }),
    kind: t.field({ type: StepKindEnum, description: 'What the compensation does.', resolve: (c) => c.kind }),
    params: t.expose('params', { type: 'JSON', description: 'Parameters for the kind.' }),
    timeoutMs: t.exposeInt('timeoutMs', { description: 'Time limit of the compensation.' }),
  }),
});

export const StepDefinitionRef = builder.objectRef<StepDefinition>('ProcedureStep').implement({
  description:
    'One step of a procedure: an action with a timeout, a retry policy, rules to check afterwards and its undo.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Unique within the procedure; signals and events name steps by it.' }),
    name: t.exposeString('name', { description: 'Human-readable name.' }),
    kind: t.field({ type: StepKindEnum, description: 'What the step does.', resolve: (s) => s.kind }),
    params: t.expose('params', { type: 'JSON', description: 'Parameters for the kind.' }),
    timeoutMs: t.exposeInt('timeoutMs', {
      description: 'Time limit of one attempt; a late attempt is aborted and counts as failed.',
    }),
    maxAttempts: t.int({ description: 'Shorthand for retry.maxAttempts.', resolve: (s) => s.retry.maxAttempts }),
    retry: t.field({ type: RetryPolicyRef, description: 'Retry policy.', resolve: (s) => s.retry }),
    validateRules: t.exposeStringList('validateRules', { description: 'Rule ids checked after the step succeeds.' }),
    compensation: t.field({
      type: CompensationRef,
      nullable: true,
      description:
        'How the step is undone on rollback; null when it needs no undoing. A SUB_HANDOFF step without one of its own gets one that rolls its child back.',
      resolve: (s) => s.compensation,
    }),
    after: t.stringList({
      nullable: true,
      description: 'Ids of the steps it waits for; null: the step before it in the list (the first: none).',
      resolve: (s) => s.after ?? null,
    }),
    join: t.field({
      type: JoinRef,
      nullable: true,
      description: 'When it may start if it waits for several steps; null: all of them succeeded.',
      resolve: (s) => s.join ?? null,
    }),
    when: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Its condition; null: none (it always runs once it may).',
      resolve: (s) => s.when ?? null,
    }),
    forEach: t.field({
      type: ForEachRef,
      nullable: true,
      description: 'Set when it runs once per item of a list.',
      resolve: (s) => s.forEach ?? null,
    }),
  }),
});

export const ProcedureRef = builder.objectRef<Procedure>('Procedure');

/** Declares Procedure a node (fetchable by global id); the resolvers layer supplies how procedures are loaded. */
export function implementProcedureNode(loadMany: LoadNodes<Procedure>) {
  builder.node(ProcedureRef, {
    description: 'A named, versioned recipe for a handoff: gates, steps and their compensations.',
    id: { resolve: (p) => p.id, description: 'Global id. `procedure(id:)` also accepts the plain `procedureId`.' },
    loadMany,
    isTypeOf: (value) =>
      typeof value === 'object' && value !== null && 'steps' in value && 'requiredContextKeys' in value,
  });
}

builder.objectFields(ProcedureRef, (t) => ({
  procedureId: t.exposeString('id', {
    description: 'The plain id, e.g. PHASE_TRANSITION_STANDARD, as used in inputs.',
  }),
  version: t.exposeInt('version', {
    description: 'Bumped on each update; running handoffs keep the version they started with.',
  }),
  name: t.exposeString('name', { description: 'Human-readable name.' }),
  description: t.exposeString('description', { description: 'What the procedure is for.' }),
  steps: t.field({
    type: [StepDefinitionRef],
    description: 'Steps, in order; each runs once what it waits for (after) has ended as its join asks.',
    resolve: (p) => p.steps,
  }),
  maxParallelSteps: t.int({
    description: 'Step attempts of one handoff under way at once, waits included.',
    resolve: (p) => p.maxParallelSteps ?? DEFAULT_MAX_PARALLEL_STEPS,
  }),
  estimatedDurationMs: t.exposeInt('estimatedDurationMs', { description: 'Expected wall time of a full run.' }),
  deadlineMs: t.int({
    nullable: true,
    description:
      'Overall time limit of its handoffs from creation (time PAUSED excluded); past it a handoff is cancelled and rolled back (DEADLINE_EXCEEDED). Null: none.',
    resolve: (p) => p.deadlineMs ?? null,
  }),
  dependencies: t.exposeStringList('dependencies', {
    description: 'Procedures that must have completed for the same source phase first.',
  }),
  requiredAgents: t.exposeStringList('requiredAgents', {
    description: 'Agents that must be registered for a handoff to start.',
  }),
  requiredContextKeys: t.exposeStringList('requiredContextKeys', {
    description: 'Keys the handoff metadata must carry (checked by VR005).',
  }),
  blockingSeverities: t.field({
    type: [SeverityEnum],
    description: 'Severities whose failures block; lower ones only warn.',
    resolve: (p) => p.blockingSeverities,
  }),
  createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When first stored.' }),
  updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When this version was stored.' }),
}));

export const ProcedureConnection = connectionType(
  ProcedureRef,
  'Procedure',
  'procedures',
  'A procedure in the list, with its cursor.',
);
