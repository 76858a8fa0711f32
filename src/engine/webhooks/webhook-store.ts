import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.js';
import type { WebhookSubscription } from './webhook-subscription.js';

/** Where a subscription's dispatcher stands: held by the caller until `expiresAt`. */
export interface WebhookLease {
  subscription: WebhookSubscription;
  /** Position in CommittedHandoffEvents up to which events were enqueued. */
  cursor: string;
  /** Deliveries enqueued so far: the next one's `order`. */
  enqueued: number;
}

export type LeaseAttempt = { held: true; lease: WebhookLease } | { held: false; holder: string | null };

/**
 * Webhook subscriptions and their deliveries. Only the lease holder of a subscription enqueues
 * and delivers its events, so with several processes on one store each event is still delivered
 * by one of them at a time, in order per handoff.
 */
export interface WebhookStore {
  /** Stores a new subscription reading events after `cursor`; DuplicateKeyError when the id exists. */
  insert(subscription: WebhookSubscription, cursor: string): Promise<void>;
  get(id: string): Promise<WebhookSubscription | null>;
  getMany(ids: readonly string[]): Promise<(WebhookSubscription | null)[]>;
  /** Every subscription, oldest first. */
  list(): Promise<WebhookSubscription[]>;
  /** Replaces the subscription's settings if its stored version is `next.version - 1`; null otherwise (or when it is gone). */
  update(next: WebhookSubscription): Promise<WebhookSubscription | null>;
  /** Removes the subscription and its delivery log; false when unknown. */
  delete(id: string): Promise<boolean>;
  /**
   * Takes (or renews) the lease when it is free, expired, ours, or held by `takeFrom` (an owner
   * known to be gone); an enabled subscription only.
   */
  acquireLease(id: string, owner: string, now: number, leaseMs: number, takeFrom?: string): Promise<LeaseAttempt>;
  releaseLease(id: string, owner: string): Promise<void>;
  /**
   * Stores `deliveries` (skipping any already stored: a retry after a crash) and moves the cursor
   * from `lease.cursor` to `cursor`, counting them; false when the lease was lost meanwhile (the
   * cursor then stays: the new holder enqueues the same events again, stored once).
   */
  enqueue(lease: WebhookLease, owner: string, deliveries: WebhookDelivery[], cursor: string): Promise<boolean>;
  /** PENDING deliveries of the subscription in enqueue order (at most `limit`). */
  pending(subscriptionId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Stores `next` if the stored delivery still has `expectedAttempts` attempts and status `expectedStatus`; false otherwise. */
  save(next: WebhookDelivery, expectedAttempts: number, expectedStatus: WebhookDeliveryStatus): Promise<boolean>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** The delivery log, newest first. */
  deliveries(
    subscriptionId: string,
    status: WebhookDeliveryStatus[] | null,
    request: PageRequest,
  ): Promise<Page<WebhookDelivery>>;
  countDeliveries(subscriptionId: string, status: WebhookDeliveryStatus[] | null): Promise<number>;
  /** Deletes the subscription's DELIVERED and FAILED deliveries created before `before`; returns how many. */
  pruneDeliveries(subscriptionId: string, before: number): Promise<number>;
}
