import type { RuleResult, ValidationRule } from '../engine/validation/rule.js';
import {
  RESULT_STATUSES,
  type ResultStatus,
  SESSION_OUTCOMES,
  SESSION_STATUSES,
  type SessionOutcome,
  type SessionStatus,
} from '../engine/validation/rule.js';
import type { RuleReference } from '../engine/validation/rule-references.js';
import type { ValidationProgressEvent, ValidationSession } from '../engine/validation/session.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { SeverityEnum } from './enums.js';
import type { LoadNodes } from './load-nodes.js';
import { type Payload, payloadType, UserErrorRef } from './user-error.js';

export const ResultStatusEnum = builder.enumType('ValidationResultStatus', {
  description: "One rule's verdict in a session.",
  values: enumValues<ResultStatus>(RESULT_STATUSES, {
    PASSED: 'The subject matched the condition.',
    FAILED: 'The subject did not match; the message says what was expected and what was found.',
    ERROR: 'The rule could not be decided: it threw, timed out, or does not exist. Counts like a failure.',
    SKIPPED: 'The rule is disabled and was not run.',
  }),
});

export const SessionOutcomeEnum = builder.enumType('ValidationOutcome', {
  description: 'The verdict of a whole session.',
  values: enumValues<SessionOutcome>(SESSION_OUTCOMES, {
    PASSED: 'Every rule passed (or was skipped).',
    PASSED_WITH_WARNINGS: 'Only rules of non-blocking severities failed or errored.',
    FAILED: 'A rule of a blocking severity (CRITICAL unless the procedure says otherwise) failed or errored.',
  }),
});

export const SessionStatusEnum = builder.enumType('ValidationSessionStatus', {
  description: 'Whether a session is still running its rules.',
  values: enumValues<SessionStatus>(SESSION_STATUSES, {
    RUNNING: 'Rules are still being evaluated; follow them with the validationProgress subscription.',
    COMPLETED: 'Every rule has a result and the outcome is final.',
  }),
});

export const ValidationRuleRef = builder.objectRef<ValidationRule>('ValidationRule').implement({
  description:
    'A rule as data: a condition in the MongoDB query language tested against the validation subject (handoff, context, source/target agent facts, outputs of succeeded steps, derived facts). `id` is the plain rule id, e.g. VR001.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The plain rule id, e.g. VR001, as procedures and ruleIds name it.' }),
    name: t.exposeString('name', { description: 'Human-readable name.' }),
    description: t.exposeString('description', { description: 'What the rule checks, in words.' }),
    severity: t.field({ type: SeverityEnum, description: 'How much a failure matters.', resolve: (r) => r.severity }),
    condition: t.expose('condition', {
      type: 'JSON',
      description:
        'MongoDB query over the subject { handoff, context, source, target, procedure, outputs, derived }, e.g. { "context.phaseComplete": true } or { "outputs.review.approved": true } (the output of step review).',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Disabled rules are reported SKIPPED and do not count.' }),
    timeoutMs: t.exposeInt('timeoutMs', { description: 'A rule that takes longer is an ERROR.' }),
    version: t.exposeInt('version', { description: 'Bumped on every update.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the rule was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the rule last changed.' }),
  }),
});

export const RuleResultRef = builder.objectRef<RuleResult>('ValidationRuleResult').implement({
  description: "One rule's result within a session.",
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', { description: 'The plain rule id (kept when the rule is deleted).' }),
    ruleName: t.exposeString('ruleName', {
      description: 'The rule name when it ran (kept when the rule is renamed or deleted).',
    }),
    severity: t.field({
      type: SeverityEnum,
      description: 'The rule severity when it ran.',
      resolve: (r) => r.severity,
    }),
    status: t.field({ type: ResultStatusEnum, description: 'The verdict.', resolve: (r) => r.status }),
    message: t.exposeString('message', {
      description:
        "A sentence for people: the rule's name and verdict, what it asks for (its description, when it failed) and the values found in the fields it reads; or why the rule could not run. Its wording may change: tools read `detail`.",
    }),
    detail: t.string({
      nullable: true,
      description:
        'For tools: the condition as JSON and the values it read, `Expected <condition>; found <path> = <JSON value>, …` (what `message` said before results were sentences). Null when the condition did not run (ERROR, SKIPPED).',
      resolve: (r) => r.detail ?? null,
    }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the rule took.' }),
    seq: t.exposeInt('seq', { description: '1, 2, 3… in the order results completed.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the result was recorded.' }),
  }),
});

export const ValidationSessionRef = builder.objectRef<ValidationSession>('ValidationSession');

/** Declares ValidationSession a node (fetchable by global id); the resolvers layer supplies how validation sessions are loaded. */
export function implementValidationSessionNode(loadMany: LoadNodes<ValidationSession>) {
  builder.node(ValidationSessionRef, {
    description: 'One run of a rule set against one validation subject, with a result per rule and an outcome.',
    id: {
      resolve: (s) => s.id,
      description: 'Global id. `validationSession(id:)` also accepts the plain `sessionId`.',
    },
    loadMany,
    isTypeOf: (value) =>
      typeof value === 'object' && value !== null && 'blockingSeverities' in value && 'subject' in value,
  });
}

builder.objectFields(ValidationSessionRef, (t) => ({
  sessionId: t.exposeString('id', { description: 'The plain session id, as validationProgress events carry it.' }),
  status: t.field({
    type: SessionStatusEnum,
    description: 'RUNNING until every rule has a result.',
    resolve: (s) => s.status,
  }),
  outcome: t.field({
    type: SessionOutcomeEnum,
    nullable: true,
    description: 'The verdict; null while RUNNING.',
    resolve: (s) => s.outcome,
  }),
  handoffId: t.exposeString('handoffId', { nullable: true, description: 'The handoff validated, if any.' }),
  procedureId: t.exposeString('procedureId', {
    nullable: true,
    description: 'The procedure whose rules and required keys were used, if any.',
  }),
  ruleIds: t.exposeStringList('ruleIds', { description: 'The rules run.' }),
  blockingSeverities: t.field({
    type: [SeverityEnum],
    description: 'Severities whose failures fail the session.',
    resolve: (s) => s.blockingSeverities,
  }),
  subject: t.field({
    type: 'JSON',
    description:
      'What the rules were tested against: { handoff, context, source, target, procedure, outputs, derived }.',
    resolve: (s) => s.subject,
  }),
  startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the session started.' }),
  finishedAt: t.expose('finishedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When the outcome was decided; null while RUNNING.',
  }),
  durationMs: t.exposeInt('durationMs', { nullable: true, description: 'finishedAt − startedAt; null while RUNNING.' }),
}));

export const ValidationProgressEventRef = builder
  .objectRef<ValidationProgressEvent>('ValidationProgressEvent')
  .implement({
    description: "One step of a session's progress: a rule result (ruleId set) or, last, the outcome (outcome set).",
    fields: (t) => ({
      sessionId: t.exposeString('sessionId', { description: 'The plain session id.' }),
      seq: t.exposeInt('seq', { description: '1..n for results in completion order, n+1 for the outcome.' }),
      ruleId: t.exposeString('ruleId', {
        nullable: true,
        description: 'The rule of this result; null on the outcome event.',
      }),
      severity: t.field({
        type: SeverityEnum,
        nullable: true,
        description: 'The rule severity; null on the outcome event.',
        resolve: (e) => e.severity,
      }),
      status: t.field({
        type: ResultStatusEnum,
        nullable: true,
        description: 'The rule verdict; null on the outcome event.',
        resolve: (e) => e.status,
      }),
      message: t.exposeString('message', {
        nullable: true,
        description: "The result's sentence (see ValidationRuleResult.message), or a summary (outcome).",
      }),
      detail: t.string({
        nullable: true,
        description:
          "The result's condition and values for tools (see ValidationRuleResult.detail); null on the outcome event.",
        resolve: (e) => e.detail ?? null,
      }),
      durationMs: t.exposeInt('durationMs', {
        nullable: true,
        description: 'Duration of the rule, or of the whole session on the outcome event.',
      }),
      outcome: t.field({
        type: SessionOutcomeEnum,
        nullable: true,
        description: 'The session verdict: set only on the last event.',
        resolve: (e) => e.outcome,
      }),
      at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    }),
  });

export const StartValidationSessionInput = builder.inputType('StartValidationSessionInput', {
  description:
    "What to validate. Rules run: `ruleIds` when given (exactly those), else the procedure's gate rules, else every enabled rule. The procedure also supplies required context keys (VR005) and blocking severities.",
  fields: (t) => ({
    handoffId: t.id({
      required: false,
      description:
        'The handoff being validated. When it exists, its procedure, agents, phases and metadata fill what the input leaves out; otherwise the id is only recorded.',
    }),
    procedureId: t.id({ required: false, description: 'Plain or global procedure id.' }),
    ruleIds: t.idList({ required: false, description: 'Run exactly these rules (unknown ids are refused).' }),
    context: t.field({
      type: 'JSON',
      required: false,
      description:
        "The metadata to check (a JSON object): phaseComplete, resources, checksums, payload… Defaults to the handoff's metadata.",
    }),
    sourceAgent: t.id({ required: false, description: 'The agent handing off (plain or global id).' }),
    targetAgent: t.id({ required: false, description: 'The agent taking over (plain or global id).' }),
    sourcePhase: t.string({ required: false, description: 'Phase work moves from.' }),
    targetPhase: t.string({ required: false, description: 'Phase work moves to.' }),
    blockingSeverities: t.field({
      type: [SeverityEnum],
      required: false,
      description: "Severities whose failures fail the session; default the procedure's, else CRITICAL.",
    }),
  }),
});

export const CreateValidationRuleInput = builder.inputType('CreateValidationRuleInput', {
  description:
    'A new rule. It runs in sessions that list it in ruleIds, sessions with neither procedure nor ruleIds, and procedures that name it.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'Plain rule id (1–64 letters, digits or _ . : -), unique.' }),
    name: t.string({ required: true, description: 'Human-readable name.' }),
    description: t.string({ required: false, description: 'What the rule checks, in words.' }),
    severity: t.field({ type: SeverityEnum, required: true, description: 'How much a failure matters.' }),
    condition: t.field({
      type: 'JSON',
      required: true,
      description: 'MongoDB query over the validation subject; unknown operators and bad shapes are refused.',
    }),
    enabled: t.boolean({ required: false, description: 'Default true.' }),
    timeoutMs: t.int({ required: false, description: 'Default 5000; 1 to 60000.' }),
  }),
});

export const UpdateValidationRuleInput = builder.inputType('UpdateValidationRuleInput', {
  description: 'Changes the given fields of a rule; omitted ones stay.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The rule to change.' }),
    name: t.string({ required: false, description: 'New name.' }),
    description: t.string({ required: false, description: 'New description.' }),
    severity: t.field({ type: SeverityEnum, required: false, description: 'New severity.' }),
    condition: t.field({ type: 'JSON', required: false, description: 'New condition (checked like on creation).' }),
    enabled: t.boolean({ required: false, description: 'Enable or disable.' }),
    timeoutMs: t.int({ required: false, description: 'New timeout, 1 to 60000.' }),
  }),
});

export const ValidationRuleReferenceRef = builder.objectRef<RuleReference>('ValidationRuleReference').implement({
  description: 'A procedure whose current definition names a rule, and where it does.',
  fields: (t) => ({
    procedureId: t.exposeString('procedureId', { description: 'The plain procedure id.' }),
    procedureName: t.exposeString('procedureName', { description: "The procedure's name." }),
    gate: t.exposeBoolean('gate', {
      description: "The procedure's gates (validationRules, checked before the first step) name the rule.",
    }),
    afterSteps: t.exposeStringList('afterSteps', {
      description: 'Ids of steps whose validateRules (checked after the step succeeds) name the rule.',
    }),
    validateSteps: t.exposeStringList('validateSteps', {
      description: 'Ids of VALIDATE steps or compensations whose params.rules name the rule.',
    }),
  }),
});

/** deleteValidationRule's answer: the usual payload, plus the references that refused it. */
export interface DeleteValidationRuleResult extends Payload<ValidationRule> {
  referencedBy: RuleReference[];
}

export const DeleteValidationRulePayload = builder
  .objectRef<DeleteValidationRuleResult>('DeleteValidationRulePayload')
  .implement({
    description:
      'The rule deleted, or userErrors; a RULE_IN_USE refusal also lists in referencedBy the procedures that name the rule.',
    fields: (t) => ({
      rule: t.field({
        type: ValidationRuleRef,
        nullable: true,
        description: 'The rule as it was before it was deleted; null when userErrors is not empty.',
        resolve: (payload) => payload.value,
      }),
      referencedBy: t.field({
        type: [ValidationRuleReferenceRef],
        description:
          'With a RULE_IN_USE error, the procedures that still name the rule (update them first, or disable the rule instead); otherwise empty.',
        resolve: (payload) => payload.referencedBy,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: 'Mistakes in the input; empty on success.',
        resolve: (payload) => payload.userErrors,
      }),
    }),
  });

export const ValidationRuleIdInput = builder.inputType('ValidationRuleIdInput', {
  description: 'Names one rule.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The plain rule id.' }) }),
});

export const ValidationSessionFilterInput = builder.inputType('ValidationSessionFilter', {
  description: 'Narrows the sessions list; all given conditions must hold.',
  fields: (t) => ({
    handoffId: t.id({ required: false, description: 'Sessions of this handoff (handoffId or global id).' }),
    procedureId: t.id({ required: false, description: 'Sessions that used this procedure (plain or global id).' }),
    status: t.field({ type: [SessionStatusEnum], required: false, description: 'Only these statuses.' }),
    outcome: t.field({ type: [SessionOutcomeEnum], required: false, description: 'Only these outcomes.' }),
  }),
});

export const ValidationRuleConnection = connectionType(
  ValidationRuleRef,
  'ValidationRule',
  'validation rules',
  'A rule in the list, with its cursor.',
);

export const ValidationSessionConnection = connectionType(
  ValidationSessionRef,
  'ValidationSession',
  'validation sessions',
  'A session in the list, with its cursor.',
);

export const ValidationSessionPayload = payloadType(
  'StartValidationSession',
  'session',
  ValidationSessionRef,
  'The session started (usually RUNNING), or userErrors.',
);
export const ValidationRulePayload = payloadType(
  'ValidationRule',
  'rule',
  ValidationRuleRef,
  'The rule created or changed, or userErrors.',
);
