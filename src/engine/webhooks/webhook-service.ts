import { randomBytes } from 'node:crypto';
import { HANDOFF_EVENT_TYPES, type HandoffEventType } from '../kernel/handoff/handoff-event.js';
import type { CommittedHandoffEvents } from '../kernel/ports/committed-events.js';
import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Clock } from '../shared/clock.js';
import { checkOutboundUrl } from '../shared/outbound-url.js';
import { type Random, randomUuid } from '../shared/random.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import { redeliver, type WebhookDelivery, type WebhookDeliveryStatus } from './webhook-delivery.js';
import type { WebhookStore } from './webhook-store.js';
import type { WebhookSubscription } from './webhook-subscription.js';

/** Makes a subscription's signing secret. */
export type WebhookSecretSource = () => string;

/**
 * 256 bits from the OS CSPRNG: a signing secret must not be guessable from anything else the
 * server hands out (the engine's Random is predictable), so it never comes from there.
 */
export const secureWebhookSecrets: WebhookSecretSource = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** A supplied secret: long enough to resist guessing, printable so it can be pasted into a receiver's settings. */
const SECRET_PATTERN = /^[\x21-\x7e]{24,256}$/;
const MAX_DESCRIPTION = 500;
const MAX_URL = 2_000;

export interface RegisterWebhookInput {
  url: string;
  eventTypes?: HandoffEventType[] | null;
  includeTestEvents?: boolean | null;
  description?: string | null;
  secret?: string | null;
}

export interface UpdateWebhookInput {
  id: string;
  expectedVersion?: number | null;
  url?: string | null;
  eventTypes?: HandoffEventType[] | null;
  /** True: deliver every event type again (eventTypes is then ignored). */
  allEventTypes?: boolean | null;
  includeTestEvents?: boolean | null;
  enabled?: boolean | null;
  description?: string | null;
}

/** A subscription with its secret in clear: returned once, when it is made or rotated. */
export interface WebhookWithSecret {
  subscription: WebhookSubscription;
  secret: string;
}

export interface WebhookServiceOptions {
  store: WebhookStore;
  /** Null where the store keeps no commit order of events: subscriptions cannot be registered. */
  events: CommittedHandoffEvents | null;
  clock: Clock;
  random: Random;
  secrets: WebhookSecretSource;
  allowList: readonly string[];
}

/** Webhook subscriptions as the API manages them (admins only, enforced by the API layer). */
export class WebhookService {
  constructor(private readonly options: WebhookServiceOptions) {}

  async register(input: RegisterWebhookInput): Promise<Outcome<WebhookWithSecret>> {
    const problems = [
      ...this.checkUrl(input.url),
      ...checkEventTypes(input.eventTypes),
      ...checkDescription(input.description),
    ];
    if (input.secret != null && !SECRET_PATTERN.test(input.secret)) {
      problems.push({
        code: 'INVALID_VALUE',
        message: 'secret must be 24 to 256 printable ASCII characters without spaces',
        field: ['input', 'secret'],
      });
    }
    if (problems.length > 0) return failAll(problems);
    const { events, clock } = this.options;
    if (!events)
      return fail(
        'INVALID_STATE',
        'This store keeps no ordered event log: webhooks need the embedded (SQLite), memory or MongoDB store',
      );
    const now = clock.now();
    const secret = input.secret ?? this.options.secrets();
    const subscription: WebhookSubscription = {
      id: randomUuid(this.options.random),
      url: input.url,
      eventTypes: input.eventTypes?.length ? [...new Set(input.eventTypes)] : null,
      includeTestEvents: input.includeTestEvents ?? false,
      enabled: true,
      description: input.description ?? '',
      secret,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Events committed from now on: a new subscription does not replay history.
    await this.options.store.insert(subscription, await events.head());
    return ok({ subscription, secret });
  }

  async update(input: UpdateWebhookInput): Promise<Outcome<WebhookSubscription>> {
    const current = await this.options.store.get(input.id);
    if (!current) return fail('NOT_FOUND', `No webhook subscription with id "${input.id}"`, ['input', 'id']);
    if (input.expectedVersion != null && input.expectedVersion !== current.version) {
      return fail(
        'VERSION_CONFLICT',
        `The subscription is at version ${current.version}, not ${input.expectedVersion}`,
        ['input', 'expectedVersion'],
      );
    }
    const problems = [
      ...(input.url != null ? this.checkUrl(input.url) : []),
      ...checkEventTypes(input.eventTypes),
      ...checkDescription(input.description),
    ];
    if (problems.length > 0) return failAll(problems);
    const eventTypes = input.allEventTypes
      ? null
      : input.eventTypes?.length
        ? [...new Set(input.eventTypes)]
        : current.eventTypes;
    return this.store({
      ...current,
      url: input.url ?? current.url,
      eventTypes,
      includeTestEvents: input.includeTestEvents ?? current.includeTestEvents,
      enabled: input.enabled ?? current.enabled,
      description: input.description ?? current.description,
    });
  }

  /** A new secret (generated, or supplied), effective for the next attempt; the old one stops working at once. */
  async rotateSecret(id: string, supplied?: string | null): Promise<Outcome<WebhookWithSecret>> {
    if (supplied != null && !SECRET_PATTERN.test(supplied)) {
      return fail('INVALID_VALUE', 'secret must be 24 to 256 printable ASCII characters without spaces', [
        'input',
        'secret',
      ]);
    }
    const current = await this.options.store.get(id);
    if (!current) return fail('NOT_FOUND', `No webhook subscription with id "${id}"`, ['input', 'id']);
    const secret = supplied ?? this.options.secrets();
    const stored = await this.store({ ...current, secret });
    return stored.ok ? ok({ subscription: stored.value, secret }) : stored;
  }

  async delete(id: string): Promise<Outcome<WebhookSubscription>> {
    const current = await this.options.store.get(id);
    if (!current) return fail('NOT_FOUND', `No webhook subscription with id "${id}"`, ['input', 'id']);
    await this.options.store.delete(id);
    return ok(current);
  }

  /** Queues a FAILED delivery again, due at once, with a fresh allowance of attempts. */
  async redeliver(deliveryId: string): Promise<Outcome<WebhookDelivery>> {
    const current = await this.options.store.getDelivery(deliveryId);
    if (!current) return fail('NOT_FOUND', `No webhook delivery with id "${deliveryId}"`, ['input', 'deliveryId']);
    if (current.status !== 'FAILED')
      return fail('INVALID_STATE', `Only a FAILED delivery can be redelivered; this one is ${current.status}`, [
        'input',
        'deliveryId',
      ]);
    const next = redeliver(current, this.options.clock.now());
    if (!(await this.options.store.save(next, current.attempts.length, 'FAILED'))) {
      return fail('VERSION_CONFLICT', 'The delivery changed meanwhile; read it again and retry', [
        'input',
        'deliveryId',
      ]);
    }
    return ok(next);
  }

  get(id: string): Promise<WebhookSubscription | null> {
    return this.options.store.get(id);
  }

  getMany(ids: readonly string[]): Promise<(WebhookSubscription | null)[]> {
    return this.options.store.getMany(ids);
  }

  list(): Promise<WebhookSubscription[]> {
    return this.options.store.list();
  }

  deliveries(
    subscriptionId: string,
    status: WebhookDeliveryStatus[] | null,
    request: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    return this.options.store.deliveries(subscriptionId, status, request);
  }

  countDeliveries(subscriptionId: string, status: WebhookDeliveryStatus[] | null): Promise<number> {
    return this.options.store.countDeliveries(subscriptionId, status);
  }

  private async store(
    next: Omit<WebhookSubscription, 'version' | 'updatedAt'> & { version: number },
  ): Promise<Outcome<WebhookSubscription>> {
    const stored = await this.options.store.update({
      ...next,
      version: next.version + 1,
      updatedAt: this.options.clock.now(),
    });
    return stored
      ? ok(stored)
      : fail('VERSION_CONFLICT', 'The subscription was changed concurrently; read it again and retry', ['input', 'id']);
  }

  private checkUrl(url: string): UserError[] {
    if (url.length > MAX_URL)
      return [{ code: 'TOO_LARGE', message: `url must be at most ${MAX_URL} characters`, field: ['input', 'url'] }];
    const { problem, hostRefused } = checkOutboundUrl(url, this.options.allowList, 'url');
    if (!problem) return [];
    const code = hostRefused ? 'HOST_NOT_ALLOWED' : 'INVALID_VALUE';
    return [{ code, message: problem, field: ['input', 'url'] }];
  }
}

function checkEventTypes(types: readonly string[] | null | undefined): UserError[] {
  const unknown = (types ?? []).filter((type) => !(HANDOFF_EVENT_TYPES as readonly string[]).includes(type));
  return unknown.length > 0
    ? [{ code: 'INVALID_VALUE', message: `Unknown event types: ${unknown.join(', ')}`, field: ['input', 'eventTypes'] }]
    : [];
}

function checkDescription(description: string | null | undefined): UserError[] {
  return description != null && description.length > MAX_DESCRIPTION
    ? [
        {
          code: 'TOO_LARGE',
          message: `description must be at most ${MAX_DESCRIPTION} characters`,
          field: ['input', 'description'],
        },
      ]
    : [];
}
