import type { EngineStores } from '../engine-stores.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Random } from '../shared/random.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { fetchWebhookSender, type WebhookSender } from './webhook-sender.js';
import { secureWebhookSecrets, type WebhookSecretSource, WebhookService } from './webhook-service.js';

export interface WebhookSettings {
  webhookAllowList: string[];
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

export interface WebhookWiring {
  stores: EngineStores;
  settings: WebhookSettings;
  clock: Clock;
  random: Random;
  logger: Logger;
  owner: string;
  leaseMs: number;
  isOwnerGone?: (owner: string) => boolean;
  secrets?: WebhookSecretSource;
  sender?: WebhookSender;
}

/**
 * The webhook service the API uses, and the dispatcher that delivers in the background (none where
 * the store keeps no commit order of events). `start` returns the (awaited) stop.
 */
export function wireWebhooks(wiring: WebhookWiring): { service: WebhookService; start(): () => Promise<void> } {
  const { stores, settings, clock, random, logger, leaseMs } = wiring;
  const service = new WebhookService({
    store: stores.webhooks,
    events: stores.committedEvents,
    clock,
    random,
    secrets: wiring.secrets ?? secureWebhookSecrets,
    allowList: settings.webhookAllowList,
  });
  const dispatcher = stores.committedEvents
    ? new WebhookDispatcher({
        store: stores.webhooks,
        events: stores.committedEvents,
        clock,
        random,
        logger,
        owner: wiring.owner,
        leaseMs,
        exclusiveStore: stores.sharing === 'exclusive',
        isOwnerGone: wiring.isOwnerGone,
        allowList: settings.webhookAllowList,
        policy: {
          maxAttempts: settings.webhookMaxAttempts ?? 8,
          initialDelayMs: settings.webhookRetryInitialMs ?? 1_000,
          multiplier: 3,
          maxDelayMs: 3_600_000,
          jitter: 0.1,
        },
        // A POST never outlives the subscription's lease, so no other process can start the same delivery meanwhile.
        timeoutMs: Math.min(settings.webhookTimeoutMs ?? 5_000, Math.floor(leaseMs / 3)),
        logRetentionMs: settings.webhookLogRetentionMs ?? 7 * 24 * 3_600_000,
        send: wiring.sender ?? fetchWebhookSender,
      })
    : null;
  return { service, start: () => dispatcher?.start(settings.webhookPollMs ?? 250) ?? (async () => undefined) };
}
