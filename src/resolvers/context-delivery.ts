import { builder } from '../schema/builder.js';
import { AcknowledgeDeliveryInput, ContextDeliveryPayload, ContextDeliveryRef } from '../schema/context-delivery.js';
import { HandoffRef } from '../schema/handoff.js';
import { actorOf } from './actor.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

builder.objectFields(ContextDeliveryRef, (t) => ({
  handoff: t.field({
    type: HandoffRef,
    nullable: true,
    description: 'The handoff that delivered it; null if it was deleted.',
    resolve: (delivery, _args, context) => context.loaders.handoffs.load(delivery.handoffId),
  }),
}));

builder.mutationFields((t) => ({
  acknowledgeDelivery: t.field({
    type: ContextDeliveryPayload,
    description:
      'Acknowledges what a handoff delivered to an agent, with the digest computed from what was read. A TRANSFER_CONTEXT step with params.awaitReceipt waits for it, and VR005 checks it where the procedure requires a receipt.',
    authScopes: (_root, args) => ({ operator: true, actingAgent: plainId(String(args.input.agentId), 'Agent') }),
    args: { input: t.arg({ type: AcknowledgeDeliveryInput, required: true, description: 'The receipt.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.deliveries.acknowledge(
          plainId(String(input.agentId), 'Agent'),
          plainId(String(input.handoffId), 'Handoff'),
          input.digest,
          actorOf(context),
        ),
      ),
  }),
}));
