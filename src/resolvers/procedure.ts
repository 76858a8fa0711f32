import { rollbackSteps } from '../engine/kernel/procedures/procedure.js';
import type { ProcedureInput } from '../engine/kernel/procedures/procedure-definition.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { CompensationRef, implementProcedureNode, ProcedureConnection, ProcedureRef } from '../schema/procedure.js';
import {
  CreateProcedureInput,
  DeleteProcedureInput,
  ProcedurePayload,
  UpdateProcedureInput,
} from '../schema/procedure-input.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { plainId, plainIds } from './ids.js';
import { toPayload } from './payload.js';

builder.queryFields((t) => ({
  procedures: t.field({
    type: ProcedureConnection,
    description: 'Procedures in id order, a page at a time (first/after).',
    authScopes: { viewer: true },
    args: pageArgs(t.arg),
    resolve: async (_root, args, context) => {
      const connection = await connectionFromPage(
        () => context.engine.procedures.page(pageRequest(args)),
        () => context.engine.procedures.count(),
      );
      for (const edge of connection.edges) context.loaders.procedures.prime(edge.node.id, edge.node);
      return connection;
    },
  }),
  procedure: t.field({
    type: ProcedureRef,
    nullable: true,
    description: 'One procedure by its plain id (e.g. PHASE_TRANSITION_STANDARD) or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.loaders.procedures.load(plainId(String(args.id), 'Procedure')),
  }),
}));

/** A definition whose entity ids (its own, dependencies, required agents) may be global ids, with each made plain. */
function withPlainIds<T extends ProcedureInput>(input: T): T {
  return {
    ...input,
    id: plainId(input.id, 'Procedure'),
    dependencies: plainIds(input.dependencies, 'Procedure'),
    requiredAgents: plainIds(input.requiredAgents, 'Agent'),
  };
}

builder.mutationFields((t) => ({
  createProcedure: t.field({
    type: ProcedurePayload,
    description: 'Defines a new procedure (version 1).',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateProcedureInput, required: true, description: 'The definition.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.procedures.create(withPlainIds(input as ProcedureInput))),
  }),
  updateProcedure: t.field({
    type: ProcedurePayload,
    description: 'Replaces a procedure with a new version; running handoffs keep the version they started with.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateProcedureInput, required: true, description: 'The new definition.' }) },
    resolve: async (_root, { input }, context) => {
      const { expectedVersion, ...definition } = input as ProcedureInput & { expectedVersion?: number | null };
      const outcome = await context.engine.procedures.update(withPlainIds(definition), expectedVersion);
      if (outcome.ok) context.loaders.procedures.clear(outcome.value.id);
      return toPayload(outcome);
    },
  }),
  deleteProcedure: t.field({
    type: ProcedurePayload,
    description: 'Deletes a procedure (returned as it was). Running handoffs finish on their pinned version.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteProcedureInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) => {
      const id = plainId(String(input.id), 'Procedure');
      context.loaders.procedures.clear(id);
      return toPayload(await context.engine.procedures.delete(id));
    },
  }),
}));

implementProcedureNode((ids, context) => context.engine.procedures.getMany(ids));

builder.objectFields(ProcedureRef, (t) => ({
  rollback: t.field({
    type: [CompensationRef],
    description: 'Compensations that undo completed steps, in step order (they run in reverse).',
    resolve: (procedure) => rollbackSteps(procedure),
  }),
}));
