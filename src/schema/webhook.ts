import type { WebhookAttempt, WebhookDelivery } from '../engine/webhooks/webhook-delivery.js';
import type { WebhookWithSecret } from '../engine/webhooks/webhook-service.js';
import type { WebhookSubscription } from '../engine/webhooks/webhook-subscription.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { HandoffEventTypeEnum } from './handoff.js';
import { type Payload, payloadType, UserErrorRef } from './user-error.js';

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a webhook delivery is.',
  values: enumValues(['PENDING', 'DELIVERED', 'FAILED'] as const, {
    PENDING:
      'Not sent yet, or waiting for its next attempt (see nextAttemptAt). Later events of the same handoff wait behind it.',
    DELIVERED: 'The receiver answered 2xx.',
    FAILED: 'Every allowed attempt failed. Later events of its handoff went on; redeliverWebhook queues it again.',
  }),
});

export const WebhookAttemptRef = builder.objectRef<WebhookAttempt>('WebhookDeliveryAttempt').implement({
  description: 'One POST of a delivery.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When it was sent.' }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description: "The receiver's HTTP status; null when none came (connection refused, timeout, host not allowed).",
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed; null when it succeeded.' }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the receiver took.' }),
  }),
});

export const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One handoff event on its way to one webhook subscription, with every attempt made.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The delivery id (pass it to redeliverWebhook).' }),
    eventKey: t.exposeString('eventKey', {
      description:
        "The `Idempotency-Key` header and the body's `id`: `<handoffId>:<seq>`, the same on every attempt. Receivers de-duplicate on it.",
    }),
    handoffId: t.exposeString('handoffId', { description: 'The handoff the event belongs to.' }),
    seq: t.exposeInt('seq', {
      description: "The event's number within its handoff: deliveries of one handoff go out in this order.",
    }),
    eventType: t.field({ type: HandoffEventTypeEnum, description: 'The event type.', resolve: (d) => d.eventType }),
    status: t.field({
      type: WebhookDeliveryStatusEnum,
      description: 'Where the delivery is.',
      resolve: (d) => d.status,
    }),
    attempts: t.field({
      type: [WebhookAttemptRef],
      description: 'Every POST made, oldest first.',
      resolve: (d) => d.attempts,
    }),
    attemptCount: t.int({ description: 'How many POSTs were made.', resolve: (d) => d.attempts.length }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt may go out; null unless PENDING.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the event was queued for this subscription.',
    }),
    payload: t.field({
      type: 'JSON',
      description: 'The JSON body POSTed (the same on every attempt).',
      resolve: (d) => JSON.parse(d.body) as unknown,
    }),
  }),
});

export const WebhookSubscriptionRef = builder.objectRef<WebhookSubscription>('WebhookSubscription');

WebhookSubscriptionRef.implement({
  description:
    'An integrator\'s URL that handoff events are POSTed to, signed with HMAC-SHA256 (header `Handoff-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<raw body>">`). Admins only.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The subscription id.' }),
    url: t.exposeString('url', { description: 'Where events are POSTed (a host in WEBHOOK_ALLOW_HOSTS).' }),
    eventTypes: t.field({
      type: [HandoffEventTypeEnum],
      nullable: true,
      description: 'The event types delivered; null: all of them, including types added later.',
      resolve: (s) => s.eventTypes,
    }),
    includeTestEvents: t.exposeBoolean('includeTestEvents', {
      description: 'Whether events of reliability-test handoffs are delivered too.',
    }),
    enabled: t.exposeBoolean('enabled', {
      description: 'False: nothing is sent; events wait and go out once it is enabled again.',
    }),
    description: t.exposeString('description', { description: 'What it is for, in words.' }),
    version: t.exposeInt('version', {
      description: 'Bumped on every change; pass it as expectedVersion to guard an update.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

export const RegisterWebhookInput = builder.inputType('RegisterWebhookInput', {
  description: 'A new webhook subscription.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'http(s) URL on a host in WEBHOOK_ALLOW_HOSTS.' }),
    eventTypes: t.field({
      type: [HandoffEventTypeEnum],
      required: false,
      description: 'Event types to deliver; omitted or empty: all.',
    }),
    includeTestEvents: t.boolean({
      required: false,
      description: 'Also deliver events of reliability-test handoffs (default false).',
    }),
    description: t.string({ required: false, description: 'What it is for (at most 500 characters).' }),
    secret: t.string({
      required: false,
      description: 'Your own signing secret (24–256 printable characters); omitted: one is generated.',
    }),
  }),
});

export const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'Changes to a webhook subscription; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The subscription id.' }),
    expectedVersion: t.int({
      required: false,
      description: 'Refuse (VERSION_CONFLICT) unless the subscription is still at this version.',
    }),
    url: t.string({ required: false, description: 'A new URL (allow-listed host).' }),
    eventTypes: t.field({ type: [HandoffEventTypeEnum], required: false, description: 'New event types to deliver.' }),
    allEventTypes: t.boolean({
      required: false,
      description: 'True: deliver every event type (eventTypes is ignored).',
    }),
    includeTestEvents: t.boolean({ required: false, description: 'Also deliver events of reliability-test handoffs.' }),
    enabled: t.boolean({
      required: false,
      description: 'False pauses deliveries; true resumes them, with the events committed meanwhile.',
    }),
    description: t.string({ required: false, description: 'What it is for.' }),
  }),
});

export const WebhookIdInput = builder.inputType('WebhookIdInput', {
  description: 'Names one webhook subscription.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The subscription id.' }) }),
});

export const RotateWebhookSecretInput = builder.inputType('RotateWebhookSecretInput', {
  description: 'A new signing secret for a subscription.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The subscription id.' }),
    secret: t.string({
      required: false,
      description: 'Your own new secret (24–256 printable characters); omitted: one is generated.',
    }),
  }),
});

export const RedeliverWebhookInput = builder.inputType('RedeliverWebhookInput', {
  description: 'A FAILED delivery to queue again.',
  fields: (t) => ({ deliveryId: t.id({ required: true, description: 'WebhookDelivery.id.' }) }),
});

export const WebhookDeliveryConnection = connectionType(
  WebhookDeliveryRef,
  'WebhookDelivery',
  'deliveries',
  'A delivery in the log, with its cursor.',
);

/** A subscription with its secret: shown in this payload only. */
export const WebhookSecretPayload = builder.objectRef<Payload<WebhookWithSecret>>('WebhookSecretPayload').implement({
  description: 'A subscription and its signing secret, shown this once: store it with your receiver.',
  fields: (t) => ({
    webhookSubscription: t.field({
      type: WebhookSubscriptionRef,
      nullable: true,
      description: 'The subscription, or null when userErrors is not empty.',
      resolve: (payload) => payload.value?.subscription ?? null,
    }),
    secret: t.string({
      nullable: true,
      description: 'The HMAC-SHA256 signing secret; never shown again (rotateWebhookSecret makes a new one).',
      resolve: (payload) => payload.value?.secret ?? null,
    }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: 'Mistakes in the input; empty on success.',
      resolve: (payload) => payload.userErrors,
    }),
  }),
});

export const WebhookSubscriptionPayload = payloadType<WebhookSubscription>(
  'WebhookSubscription',
  'webhookSubscription',
  WebhookSubscriptionRef,
  'The result of a webhook subscription change.',
);

export const WebhookDeliveryPayload = payloadType<WebhookDelivery>(
  'WebhookDelivery',
  'delivery',
  WebhookDeliveryRef,
  'The result of a redelivery request.',
);
