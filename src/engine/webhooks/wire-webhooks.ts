import type { EngineModule } from '../kernel/engine-module.js';
import type { KernelBase } from '../kernel/kernel-base.js';
import type { StepKindHandlers } from '../kernel/steps/step-kind.js';
import type { OutboundPolicy } from '../shared/outbound-url.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { outboundWebhookSender, type WebhookSender } from './webhook-sender.js';
import { secureWebhookSecrets, type WebhookSecretSource, WebhookService } from './webhook-service.js';
import { webhookStep } from './webhook-step.js';
import type { WebhookStore } from './webhook-store.js';
import type { WebhookTracing } from './webhook-tracing.js';

export interface WebhookSettings {
  webhookAllowList: string[];
  /** Which allow-listed hosts may resolve to loopback, private or link-local addresses (default: none). */
  outboundAllowPrivate?: boolean | string[];
  /** WEBHOOK_STEP_SECRET: webhook step calls are signed with it (Handoff-Signature); null or absent: unsigned. */
  webhookStepSecret?: string | null;
  /** Attempts before FAILED (default 8). */
  webhookMaxAttempts?: number;
  /** Wait before a delivery's second attempt (default 1 s); it triples per attempt, up to an hour. */
  webhookRetryInitialMs?: number;
  /** How long a receiver has to answer (default 5 s; at most a third of the lease). */
  webhookTimeoutMs?: number;
  /** How often subscriptions are served (default 250 ms). */
  webhookPollMs?: number;
  /** How long finished deliveries stay in the log (default 7 days). */
  webhookLogRetentionMs?: number;
}

export interface WebhookModule extends EngineModule {
  /** Outbound webhook subscriptions and their delivery logs. */
  service: WebhookService;
  stepKinds: Pick<StepKindHandlers, 'webhook'>;
}

/**
 * The webhook service the API uses, the dispatcher that delivers in the background (none where the
 * store keeps no commit order of events), and the webhook step kind.
 */
export function wireWebhooks(
  base: KernelBase<unknown>,
  store: WebhookStore,
  settings: WebhookSettings,
  options: { secrets?: WebhookSecretSource; sender?: WebhookSender; tracing?: WebhookTracing | null } = {},
): WebhookModule {
  const { clock, random, logger, leases } = base;
  const events = base.stores.committedEvents;
  // One policy for both kinds of call: subscriptions' deliveries and webhook steps.
  const outbound: OutboundPolicy = {
    allowHosts: settings.webhookAllowList,
    allowPrivate: settings.outboundAllowPrivate ?? false,
  };
  const service = new WebhookService({
    store,
    events,
    clock,
    random,
    secrets: options.secrets ?? secureWebhookSecrets,
    allowList: settings.webhookAllowList,
  });
  const dispatcher = events
    ? new WebhookDispatcher({
        store,
        events,
        clock,
        random,
        logger,
        leases,
        allowList: settings.webhookAllowList,
        policy: {
          maxAttempts: settings.webhookMaxAttempts ?? 8,
          initialDelayMs: settings.webhookRetryInitialMs ?? 1_000,
          multiplier: 3,
          maxDelayMs: 3_600_000,
          jitter: 0.1,
        },
        // A POST never outlives the subscription's lease, so no other process can start the same delivery meanwhile.
        timeoutMs: Math.min(settings.webhookTimeoutMs ?? 5_000, leases.renewEveryMs),
        logRetentionMs: settings.webhookLogRetentionMs ?? 7 * 24 * 3_600_000,
        send: options.sender ?? outboundWebhookSender(outbound),
        tracing: options.tracing ?? null,
      })
    : null;
  return {
    name: 'webhooks',
    service,
    stepKinds: { webhook: webhookStep(outbound, settings.webhookStepSecret ?? null, options.tracing ?? null) },
    start: async () => dispatcher?.start(settings.webhookPollMs ?? 250) ?? (async () => undefined),
  };
}
