import type { HandoffEventType } from '../engine/kernel/handoff/handoff-event.js';
import type { WebhookDeliveryStatus } from '../engine/webhooks/webhook-delivery.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import {
  RedeliverWebhookInput,
  RegisterWebhookInput,
  RotateWebhookSecretInput,
  UpdateWebhookInput,
  WebhookDeliveryConnection,
  WebhookDeliveryPayload,
  WebhookDeliveryStatusEnum,
  WebhookIdInput,
  WebhookSecretPayload,
  WebhookSubscriptionPayload,
  WebhookSubscriptionRef,
} from '../schema/webhook.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { toPayload } from './payload.js';

builder.objectFields(WebhookSubscriptionRef, (t) => ({
  deliveries: t.field({
    type: WebhookDeliveryConnection,
    description: 'The delivery log: one entry per event sent (or to be sent) here, newest first, with every attempt.',
    authScopes: { admin: true },
    args: {
      ...pageArgs(t.arg),
      status: t.arg({
        type: [WebhookDeliveryStatusEnum],
        required: false,
        description: 'Only deliveries in these statuses.',
      }),
    },
    resolve: (subscription, args, context) => {
      const status = args.status?.length ? (args.status as WebhookDeliveryStatus[]) : null;
      return connectionFromPage(
        () => context.engine.webhooks.deliveries(subscription.id, status, pageRequest(args)),
        () => context.engine.webhooks.countDeliveries(subscription.id, status),
      );
    },
  }),
}));

builder.queryFields((t) => ({
  webhookSubscriptions: t.field({
    type: [WebhookSubscriptionRef],
    description: 'Every webhook subscription, oldest first. Admins only.',
    authScopes: { admin: true },
    resolve: (_root, _args, context) => context.engine.webhooks.list(),
  }),
  webhookSubscription: t.field({
    type: WebhookSubscriptionRef,
    nullable: true,
    description: 'One webhook subscription; null when unknown. Admins only.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true, description: 'The subscription id.' }) },
    resolve: (_root, args, context) => context.engine.webhooks.get(String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  registerWebhook: t.field({
    type: WebhookSecretPayload,
    description:
      'Registers a URL for handoff events (those committed from now on). The payload carries the signing secret, once. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RegisterWebhookInput, required: true, description: 'The subscription.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.webhooks.register({
          url: input.url,
          eventTypes: input.eventTypes as HandoffEventType[] | null | undefined,
          includeTestEvents: input.includeTestEvents,
          description: input.description,
          secret: input.secret,
        }),
      ),
  }),
  updateWebhook: t.field({
    type: WebhookSubscriptionPayload,
    description: 'Changes a subscription: URL, event types, enabled (pause/resume), description. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateWebhookInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.webhooks.update({
          ...input,
          id: String(input.id),
          eventTypes: input.eventTypes as HandoffEventType[] | null | undefined,
        }),
      ),
  }),
  rotateWebhookSecret: t.field({
    type: WebhookSecretPayload,
    description: 'Replaces the signing secret; attempts from now on are signed with the new one only. Admins only.',
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: RotateWebhookSecretInput,
        required: true,
        description: 'Which subscription, and optionally your own secret.',
      }),
    },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.webhooks.rotateSecret(String(input.id), input.secret)),
  }),
  deleteWebhook: t.field({
    type: WebhookSubscriptionPayload,
    description: 'Deletes a subscription and its delivery log (returned as it was). Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: WebhookIdInput, required: true, description: 'Which one.' }) },
    resolve: async (_root, { input }, context) => toPayload(await context.engine.webhooks.delete(String(input.id))),
  }),
  redeliverWebhook: t.field({
    type: WebhookDeliveryPayload,
    description: 'Queues a FAILED delivery again, due at once, with a fresh allowance of attempts. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RedeliverWebhookInput, required: true, description: 'Which delivery.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.webhooks.redeliver(String(input.deliveryId))),
  }),
}));
