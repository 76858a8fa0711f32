import { GraphQLError } from 'graphql';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { SeverityEnum } from '../schema/enums.js';
import { ProcedureRef } from '../schema/procedure.js';
import '../schema/subscription-root.js';
import { isJsonObject } from '../engine/shared/json-object.js';
import { fail } from '../engine/shared/user-error.js';
import type { ValidationRule } from '../engine/validation/rule.js';
import {
  CreateValidationRuleInput,
  DeleteValidationRulePayload,
  implementValidationSessionNode,
  RuleResultRef,
  StartValidationSessionInput,
  UpdateValidationRuleInput,
  ValidationProgressEventRef,
  ValidationRuleConnection,
  ValidationRuleIdInput,
  ValidationRulePayload,
  ValidationRuleRef,
  ValidationSessionConnection,
  ValidationSessionFilterInput,
  ValidationSessionPayload,
  ValidationSessionRef,
} from '../schema/validation.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { streamStart, withEventId } from './event-ids.js';
import { optionalPlainId, plainId } from './ids.js';
import { toPayload } from './payload.js';

builder.objectFields(ProcedureRef, (t) => ({
  validationRules: t.field({
    type: [ValidationRuleRef],
    description: 'Gate rules checked before the first step (ids that name no rule are left out).',
    resolve: async (procedure, _args, context) => {
      const rules = await context.loaders.validationRules.loadMany(procedure.validationRules);
      return rules.filter((rule): rule is ValidationRule => rule !== null && !(rule instanceof Error));
    },
  }),
}));

builder.queryFields((t) => ({
  validationRules: t.field({
    type: ValidationRuleConnection,
    description:
      'Validation rules in id order, a page at a time (first/after): the eight seeds (VR001–VR008) and any created through the API.',
    authScopes: { viewer: true },
    args: {
      ...pageArgs(t.arg),
      enabled: t.arg.boolean({ required: false, description: 'Only enabled (true) or disabled (false) rules.' }),
      severity: t.arg({ type: [SeverityEnum], required: false, description: 'Only these severities.' }),
    },
    resolve: async (_root, args, context) => {
      const filter = { enabled: args.enabled ?? undefined, severities: args.severity ?? undefined };
      const connection = await connectionFromPage(
        () => context.engine.validationRules.page(filter, pageRequest(args)),
        () => context.engine.validationRules.count(filter),
      );
      for (const edge of connection.edges) context.loaders.validationRules.prime(edge.node.id, edge.node);
      return connection;
    },
  }),
  validationRule: t.field({
    type: ValidationRuleRef,
    nullable: true,
    description: 'One rule by its plain id (e.g. VR001); null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'The plain rule id.' }) },
    resolve: (_root, args, context) => context.loaders.validationRules.load(args.id),
  }),
  validationSession: t.field({
    type: ValidationSessionRef,
    nullable: true,
    description: 'One session by its plain or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.engine.validation.get(plainId(String(args.id), 'ValidationSession')),
  }),
  validationSessions: t.field({
    type: ValidationSessionConnection,
    description: 'Validation sessions, newest first.',
    authScopes: { viewer: true },
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: ValidationSessionFilterInput, required: false, description: 'Narrow the list.' }),
    },
    resolve: (_root, args, context) => {
      const filter = {
        handoffId: optionalPlainId(args.filter?.handoffId, 'Handoff') ?? undefined,
        procedureId: args.filter?.procedureId ? plainId(args.filter.procedureId, 'Procedure') : undefined,
        statuses: args.filter?.status ?? undefined,
        outcomes: args.filter?.outcome ?? undefined,
      };
      return connectionFromPage(
        () => context.engine.validation.page(filter, pageRequest(args)),
        () => context.engine.validation.count(filter),
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  startValidationSession: t.field({
    type: ValidationSessionPayload,
    description:
      'Starts a session and returns it at once, usually RUNNING: rules run in parallel in the background. Follow it with validationProgress or read validationSession.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: StartValidationSessionInput, required: true, description: 'What to validate.' }) },
    resolve: async (_root, { input }, context) => {
      if (input.context !== undefined && input.context !== null && !isJsonObject(input.context)) {
        return toPayload(fail('INVALID_VALUE', 'context must be a JSON object', ['input', 'context']));
      }
      return toPayload(
        await context.engine.validation.start({
          ...input,
          handoffId: optionalPlainId(input.handoffId, 'Handoff'),
          procedureId: input.procedureId ? plainId(input.procedureId, 'Procedure') : null,
          sourceAgent: optionalPlainId(input.sourceAgent, 'Agent'),
          targetAgent: optionalPlainId(input.targetAgent, 'Agent'),
          context: (input.context as Record<string, unknown> | null | undefined) ?? null,
        }),
      );
    },
  }),
  createValidationRule: t.field({
    type: ValidationRulePayload,
    description:
      'Defines a rule. A condition with an unknown operator or a bad shape is refused with a userErrors entry at ["input","condition"].',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateValidationRuleInput, required: true, description: 'The rule.' }) },
    resolve: async (_root, { input }, context) => toPayload(await context.engine.validationRules.create(input)),
  }),
  updateValidationRule: t.field({
    type: ValidationRulePayload,
    description: 'Changes a rule (seed rules included); sessions already run keep their results.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateValidationRuleInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, context) => {
      const { condition, ...rest } = input;
      const outcome = await context.engine.validationRules.update(
        condition === undefined ? rest : { ...rest, condition },
      );
      context.loaders.validationRules.clear(input.id);
      return toPayload(outcome);
    },
  }),
  enableValidationRule: t.field({
    type: ValidationRulePayload,
    description: 'Enables a rule: it runs again in sessions that include it.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: ValidationRuleIdInput, required: true, description: 'Which rule.' }) },
    resolve: async (_root, { input }, context) => {
      context.loaders.validationRules.clear(input.id);
      return toPayload(await context.engine.validationRules.setEnabled(input.id, true));
    },
  }),
  deleteValidationRule: t.field({
    type: DeleteValidationRulePayload,
    description:
      "Deletes a rule (returned as it was) that no procedure names: one a procedure's gates, a step's validateRules or a VALIDATE step still names is refused with RULE_IN_USE and the procedures in referencedBy. Sessions already run keep its results (id, name and severity as they were). A deleted seed rule (VR001–VR008) is not seeded again.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ValidationRuleIdInput, required: true, description: 'Which rule.' }) },
    resolve: async (_root, { input }, context) => {
      const { outcome, referencedBy } = await context.engine.validationRules.delete(input.id);
      context.loaders.validationRules.clear(input.id);
      return { ...toPayload(outcome), referencedBy };
    },
  }),
  disableValidationRule: t.field({
    type: ValidationRulePayload,
    description: 'Disables a rule: sessions that include it report it SKIPPED and it does not count.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: ValidationRuleIdInput, required: true, description: 'Which rule.' }) },
    resolve: async (_root, { input }, context) => {
      context.loaders.validationRules.clear(input.id);
      return toPayload(await context.engine.validationRules.setEnabled(input.id, false));
    },
  }),
}));

builder.subscriptionFields((t) => ({
  validationProgress: t.field({
    type: ValidationProgressEventRef,
    description:
      "A session's progress: the results already stored, then live ones (each rule once), then one event with the outcome; then the stream completes.",
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global session id.' }) },
    subscribe: async (_root, args, context) => {
      const id = plainId(String(args.id), 'ValidationSession');
      const events = await context.engine.validation.progress(id, streamStart(null, context));
      if (!events) throw new GraphQLError(`No validation session "${id}"`, { extensions: { code: 'NOT_FOUND' } });
      return events;
    },
    resolve: (event, _args, context) => withEventId(context, event.seq, event),
  }),
}));

implementValidationSessionNode((ids, context) => context.engine.validation.getMany(ids));

builder.objectFields(RuleResultRef, (t) => ({
  rule: t.field({
    type: ValidationRuleRef,
    nullable: true,
    description:
      'The rule as it is now; null when no rule has this id any more (it was deleted) or never had (the result is then an ERROR). ruleId, ruleName and severity say what ran.',
    resolve: (result, _args, context) => context.loaders.validationRules.load(result.ruleId),
  }),
}));

builder.objectFields(ValidationSessionRef, (t) => ({
  results: t.field({
    type: [RuleResultRef],
    description: 'Results so far, in completion order.',
    resolve: (session, _args, context) => context.loaders.validationResults.load(session.id),
  }),
}));
