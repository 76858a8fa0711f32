import { type Handoff, runOf } from '../engine/kernel/handoff/handoff.js';
import { childHandoffId } from '../engine/kernel/steps/sub-handoff-step.js';
import { builder } from '../schema/builder.js';
import { HandoffRef } from '../schema/handoff.js';
import { HandoffParentRef } from '../schema/step-graph.js';

/** The links between a handoff and the sub-handoffs its SUB_HANDOFF steps started, both ways. */

/** The ids of the children a handoff's steps started in its current run (one per attempt; ids are deterministic). */
function childIdsOf(handoff: Handoff): string[] {
  return handoff.steps.flatMap((step) =>
    step.kind === 'sub_handoff' && !step.fanOut
      ? Array.from({ length: step.attempts }, (_, at) => childHandoffId(handoff.id, step.id, runOf(handoff), at + 1))
      : [],
  );
}

builder.objectFields(HandoffParentRef, (t) => ({
  handoff: t.field({
    type: HandoffRef,
    nullable: true,
    description: 'The parent handoff (null if it was deleted).',
    resolve: (parent, _args, context) => context.loaders.handoffs.load(parent.handoffId),
  }),
}));

builder.objectFields(HandoffRef, (t) => ({
  children: t.field({
    type: [HandoffRef],
    description:
      'The sub-handoffs its SUB_HANDOFF steps started in its current run, in step order (each attempt starts its own).',
    resolve: async (handoff, _args, context) => {
      const ids = childIdsOf(handoff);
      if (ids.length === 0) return [];
      const found = await context.loaders.handoffs.loadMany(ids);
      return found.filter(
        (child): child is Handoff =>
          child !== null && !(child instanceof Error) && child.parent?.handoffId === handoff.id,
      );
    },
  }),
}));
