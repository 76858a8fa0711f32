import { BULK_ACTION_NAMES } from '../engine/bulk/bulk-actions.js';
import { BULK_OPERATION_STATUSES, type BulkOperation } from '../engine/bulk/bulk-operation.js';
import { ActorRef } from './actor.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { HandoffFilterInput } from './handoff.js';
import type { LoadNodes } from './load-nodes.js';
import { payloadType } from './user-error.js';

export const BulkActionEnum = builder.enumType('BulkAction', {
  description: 'What a bulk operation does to each handoff it matched.',
  values: enumValues(BULK_ACTION_NAMES, {
    CANCEL:
      'cancelHandoff on each: done when the cancel is recorded; skipped when a cancel was already recorded by someone else (or it is CANCELLED); refused when it is finished or rolling back.',
    RETRY:
      'retryHandoff on each (a new run from the default restart point, as without fromStep): done when this operation redrove it (its HANDOFF_REDRIVEN event carries the reason with the operation id; a handoff it redrove that failed again is not retried twice); skipped when it is already going (PENDING, RUNNING, WAITING or PAUSED, e.g. retried by someone else); refused when it is COMPLETED, CANCELLED, ROLLING_BACK or was cancelled before it failed.',
    PAUSE:
      "pauseHandoff on each, with the reason and the operation id: done when this operation's pause is recorded (taken or still to be taken before the next step); skipped when it is PAUSED already or someone else asked for a pause; refused when it is finished, rolling back or being cancelled.",
    RESUME:
      'resumeHandoff on each (a PAUSED one goes on; a pause asked for but not yet taken is withdrawn): done when this operation resumed it (its HANDOFF_RESUMED event, or the withdrawal, carries the operation id); skipped when it is going with no pause to undo; refused when it is finished or rolling back.',
  }),
});

export const BulkOperationStatusEnum = builder.enumType('BulkOperationStatus', {
  description: 'Where a bulk operation is.',
  values: enumValues(BULK_OPERATION_STATUSES, {
    RUNNING:
      'Acting on the matched handoffs, a batch at a time (after a restart, it goes on from the last stored batch).',
    COMPLETED: 'Every matched handoff was done, skipped or refused. Final.',
    FAILED: 'Stopped on an unexpected error (see error); the counts say what was done before. Final.',
    CANCELLED:
      'Stopped by cancelBulkOperation; the counts say what was done before (handoffs acted on stay as they are). Final.',
  }),
});

export const BulkOperationRef = builder.objectRef<BulkOperation>('BulkOperation');

/** Declares BulkOperation a node (fetchable by global id); the resolvers layer supplies how operations are loaded. */
export function implementBulkOperationNode(loadMany: LoadNodes<BulkOperation>) {
  builder.node(BulkOperationRef, {
    description:
      'One action over every handoff a filter matched when it started (handoffs created later are left out), in batches whose progress is stored: a restart loses nothing and acts on no handoff twice.',
    id: {
      resolve: (operation) => operation.id,
      description: 'Global id. `bulkOperation(id:)` also accepts the plain bulkOperationId.',
    },
    loadMany,
    isTypeOf: (value) => typeof value === 'object' && value !== null && 'action' in value && 'skipped' in value,
  });
}

builder.objectFields(BulkOperationRef, (t) => ({
  bulkOperationId: t.exposeString('id', { description: 'The plain id.' }),
  action: t.field({
    type: BulkActionEnum,
    description: 'What it does to each handoff.',
    resolve: (operation) => operation.action,
  }),
  status: t.field({
    type: BulkOperationStatusEnum,
    description: 'Where it is.',
    resolve: (operation) => operation.status,
  }),
  filter: t.field({
    type: 'JSON',
    description: 'The filter (a HandoffFilter) as it was given.',
    resolve: (operation) => operation.filterAsGiven,
  }),
  reason: t.exposeString('reason', { description: 'Recorded on each handoff acted on, with the operation id.' }),
  metadataPatch: t.field({
    type: 'JSON',
    nullable: true,
    description: "A RETRY's metadata patch, as given.",
    resolve: (operation) => operation.metadataPatch ?? null,
  }),
  total: t.exposeInt('total', {
    description:
      'Handoffs matching when it started. One that stops matching before its turn (it finished meanwhile) is not counted below.',
  }),
  done: t.exposeInt('done', { description: 'Handoffs the action was applied to.' }),
  skipped: t.exposeInt('skipped', {
    description:
      'Handoffs already where the action would take them (e.g. a cancel already recorded, already PAUSED, already running again): see BulkAction.',
  }),
  refused: t.exposeInt('refused', {
    description: 'Handoffs whose state does not allow the action (e.g. already finished): see BulkAction.',
  }),
  requestedBy: t.field({
    type: ActorRef,
    nullable: true,
    description: 'Who started it.',
    resolve: (operation) => operation.requestedBy,
  }),
  startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started (and fixed the matching set).' }),
  finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it completed or failed.' }),
  error: t.exposeString('error', { nullable: true, description: 'Why it failed.' }),
}));

export const BulkOperationConnection = connectionType(
  BulkOperationRef,
  'BulkOperation',
  'bulk operations',
  'A bulk operation in the list, with its cursor.',
);

export const StartBulkOperationInput = builder.inputType('StartBulkOperationInput', {
  description: 'An action and the handoffs to apply it to.',
  fields: (t) => ({
    action: t.field({ type: BulkActionEnum, required: true, description: 'What to do to each handoff.' }),
    filter: t.field({
      type: HandoffFilterInput,
      required: true,
      description:
        'Which handoffs, as for the handoffs query (reliability-test traffic left out unless includeTests or testId). An empty filter matches every handoff.',
    }),
    reason: t.string({
      required: false,
      description: 'Why (at most 300 characters): recorded on each handoff with the operation id.',
    }),
    metadataPatch: t.field({
      type: 'JSON',
      required: false,
      description:
        'RETRY only (INVALID_VALUE otherwise): top-level metadata keys set on each handoff before its new run, as retryHandoff does (a null value removes its key); at most 64 KiB. A handoff whose metadata would pass 64 KiB is refused.',
    }),
  }),
});

export const CancelBulkOperationInput = builder.inputType('CancelBulkOperationInput', {
  description: 'Which bulk operation to stop.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'bulkOperationId or global id.' }),
  }),
});

export const BulkOperationPayload = payloadType<BulkOperation>(
  'BulkOperation',
  'bulkOperation',
  BulkOperationRef,
  'The bulk operation started or cancelled.',
);
