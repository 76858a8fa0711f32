import { GraphQLError } from 'graphql';
import { BULK_ACTIONS } from '../engine/bulk/bulk-actions.js';
import type { BulkOperation } from '../engine/bulk/bulk-operation.js';
import { builder } from '../schema/builder.js';
import {
  BulkOperationConnection,
  BulkOperationPayload,
  BulkOperationRef,
  CancelBulkOperationInput,
  implementBulkOperationNode,
  StartBulkOperationInput,
} from '../schema/bulk-operation.js';
import { pageArgs } from '../schema/connection.js';
import '../schema/subscription-root.js';
import { actorOf } from './actor.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { toHandoffQuery } from './handoff-list.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

implementBulkOperationNode((ids, context) => Promise.all(ids.map((id) => context.engine.bulk.get(id))));

builder.queryFields((t) => ({
  bulkOperation: t.field({
    type: BulkOperationRef,
    nullable: true,
    description: 'One bulk operation by its bulkOperationId or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'bulkOperationId or global id.' }) },
    resolve: (_root, args, context) => context.engine.bulk.get(plainId(String(args.id), 'BulkOperation')),
  }),
  bulkOperations: t.field({
    type: BulkOperationConnection,
    description: 'Bulk operations, newest first.',
    authScopes: { viewer: true },
    args: pageArgs(t.arg),
    resolve: (_root, args, context) =>
      connectionFromPage(
        () => context.engine.bulk.page(pageRequest(args)),
        () => context.engine.bulk.count(),
      ),
  }),
}));

builder.mutationFields((t) => ({
  startBulkOperation: t.field({
    type: BulkOperationPayload,
    description:
      'Applies an action to every handoff the filter matches now, in batches, in the background; returns at once (RUNNING, or COMPLETED when nothing matched). Follow it with bulkOperationProgress. Needs the role of the single action (operator).',
    // The role of the single action, from the registry.
    authScopes: (_root, { input }) => ({ [BULK_ACTIONS[input.action].role]: true }),
    args: {
      input: t.arg({ type: StartBulkOperationInput, required: true, description: 'The action and the filter.' }),
    },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.bulk.start(
          input.action,
          toHandoffQuery(input.filter),
          input.reason ?? null,
          actorOf(context),
          input.filter,
          {
            metadataPatch: input.metadataPatch,
          },
        ),
      ),
  }),
}));

builder.mutationFields((t) => ({
  cancelBulkOperation: t.field({
    type: BulkOperationPayload,
    description:
      'Stops a RUNNING bulk operation: no further batch starts, and a batch under way stops after its current handoff (on another server sharing the store, after its batch); what was done is counted. Handoffs already acted on stay as they are. INVALID_STATE once it is finished.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: CancelBulkOperationInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.bulk.cancel(plainId(String(input.id), 'BulkOperation'))),
  }),
}));

builder.subscriptionFields((t) => ({
  bulkOperationProgress: t.field({
    type: BulkOperationRef,
    description: 'The operation now, then each time a batch is stored (counts only grow), ending with its final state.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'bulkOperationId or global id.' }) },
    subscribe: async (_root, args, context) => {
      const id = plainId(String(args.id), 'BulkOperation');
      if (!(await context.engine.bulk.get(id)))
        throw new GraphQLError(`No bulk operation with id "${id}"`, { extensions: { code: 'NOT_FOUND' } });
      return context.engine.bulk.progress(id);
    },
    resolve: (operation: BulkOperation) => operation,
  }),
}));
