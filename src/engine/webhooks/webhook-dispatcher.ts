import { setMaxListeners } from 'node:events';
import type { LeasedWork, LeaseKind } from '../kernel/leases/leased-work.js';
import type { CommittedHandoffEvents } from '../kernel/ports/committed-events.js';
import { type Clock, repeatEvery } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { checkOutboundUrl } from '../shared/outbound-url.js';
import type { Random } from '../shared/random.js';
import { afterAttempt, newDelivery, type WebhookDelivery, type WebhookRetryPolicy } from './webhook-delivery.js';
import type { WebhookSender } from './webhook-sender.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';
import type { WebhookLease, WebhookStore } from './webhook-store.js';
import { type WebhookSubscription, wantsEvent } from './webhook-subscription.js';
import type { WebhookTracing } from './webhook-tracing.js';

/** Events read from the log per store round trip, and at most this many rounds per subscription per tick. */
const EVENT_BATCH = 500;
const EVENT_BATCHES_PER_TICK = 4;
/** Pending deliveries looked at per tick: the heads of the handoffs among them go out. */
const PENDING_WINDOW = 1_000;
/** Handoffs whose deliveries go out at the same time, per subscription. */
const PARALLEL_HANDOFFS = 32;
/**
 * A cursor that moved past no event (a MongoDB resume token advances while nothing happens) is
 * stored at most this often: often enough to stay within the oplog, rarely enough to cost nothing.
 */
const IDLE_CURSOR_SAVE_MS = 60_000;
/** How often the holder of a subscription deletes its log entries older than the retention. */
const PRUNE_EVERY_MS = 3_600_000;

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  events: CommittedHandoffEvents;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** This process's leases: subscriptions it serves are renewed with the rest. */
  leases: LeasedWork;
  allowList: readonly string[];
  policy: WebhookRetryPolicy;
  timeoutMs: number;
  /** Finished deliveries (DELIVERED, FAILED) older than this leave the log. */
  logRetentionMs: number;
  send: WebhookSender;
  /** The trace context each delivery carries; null: none (tracing off). */
  tracing: WebhookTracing | null;
}

interface HeldLease {
  lease: WebhookLease;
  expiresAt: number;
  /** When the cursor was last stored. */
  cursorSavedAt: number;
  /** When the log was last pruned (0: not yet by this process). */
  prunedAt: number;
}

/**
 * Delivers handoff events to webhook subscriptions, in the background on the clock. Per
 * subscription, under its lease: events committed after the stored cursor become PENDING
 * deliveries (and the cursor moves, in the same guarded write), then each handoff's deliveries go
 * out oldest first — a delivery waiting for a retry holds back the later ones of its handoff only.
 * Everything is in the store before and after each POST, so a restart resumes where it stopped: at
 * least once, in order per handoff.
 */
export class WebhookDispatcher {
  private readonly held = new Map<string, HeldLease>();
  private ticking: Promise<void> = Promise.resolve();
  /** Aborts POSTs in flight when the server stops: they stay PENDING, unrecorded, and go out again after the restart. */
  private readonly stopping = new AbortController();
  private readonly leases: LeaseKind;

  constructor(private readonly options: WebhookDispatcherOptions) {
    const { store, leases, clock } = options;
    // Each POST in flight (PARALLEL_HANDOFFS per subscription) listens for the stop: not a leak.
    setMaxListeners(0, this.stopping.signal);
    // Taking the lease again as its holder extends it; one another process holds now is lost.
    this.leases = leases.kind('webhook subscriptions', {
      renew: async (ids, expiresAt) => {
        const lost: string[] = [];
        for (const id of ids) {
          const attempt = await store.acquireLease(id, leases.owner, clock.now(), leases.leaseMs);
          if (!attempt.held) lost.push(id);
          // The deadline for new POSTs follows the lease: without this, a subscription held longer than one
          // lease sent nothing more (its deadline stayed where the first lease ended).
          else {
            const held = this.held.get(id);
            if (held) held.expiresAt = Math.max(held.expiresAt, expiresAt);
          }
        }
        return lost;
      },
    });
  }

  /** Polls every `pollMs` until the returned stop is awaited (which also hands the leases back). */
  start(pollMs: number): () => Promise<void> {
    const stopRepeating = repeatEvery(this.options.clock, pollMs, () => (this.ticking = this.tick()));
    return async () => {
      stopRepeating();
      this.stopping.abort(new Error('the server is stopping'));
      await this.ticking;
      await this.releaseAll();
    };
  }

  /** One round over every enabled subscription. Failures are logged; the next tick tries again. */
  async tick(): Promise<void> {
    try {
      const subscriptions = await this.options.store.list();
      const known = new Set(subscriptions.map((subscription) => subscription.id));
      for (const id of this.held.keys())
        if (!known.has(id)) {
          this.held.delete(id);
          this.leases.release(id);
        }
      // Side by side: a slow receiver holds back its own subscription only.
      await Promise.all(
        subscriptions
          .filter((subscription) => subscription.enabled)
          .map((subscription) =>
            this.serve(subscription).catch((error) =>
              this.options.logger.warn(
                { err: error, subscription: subscription.id },
                'webhook dispatch failed; retrying on the next poll',
              ),
            ),
          ),
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'webhook subscriptions could not be read');
    }
  }

  private async serve(subscription: WebhookSubscription): Promise<void> {
    const held = await this.lease(subscription.id);
    if (!held) return;
    const started = this.options.clock.now();
    if (!(await this.enqueueNew(subscription, held))) return;
    // Stop starting POSTs well before the lease could run out under them.
    const deadline = Math.min(held.expiresAt, started + this.options.leases.leaseMs) - this.options.timeoutMs;
    await this.deliverDue(subscription, deadline);
    await this.pruneLog(subscription.id, held);
  }

  /** Keeps the delivery log within the retention: at most once an hour per subscription. */
  private async pruneLog(id: string, held: HeldLease): Promise<void> {
    const now = this.options.clock.now();
    if (now - held.prunedAt < PRUNE_EVERY_MS) return;
    held.prunedAt = now;
    const pruned = await this.options.store.pruneDeliveries(id, now - this.options.logRetentionMs);
    if (pruned > 0)
      this.options.logger.info(
        { subscription: id, pruned },
        'webhook deliveries past the retention removed from the log',
      );
  }

  /** The subscription's lease: kept (LeasedWork renews it) while held, else taken when free or its holder is gone. */
  private async lease(id: string): Promise<HeldLease | null> {
    const { store, clock, leases } = this.options;
    const now = clock.now();
    const current = this.held.get(id);
    if (current && this.leases.holds(id)) return current;
    let attempt = await store.acquireLease(id, leases.owner, now, leases.leaseMs);
    if (!attempt.held && attempt.holder && leases.mayTakeOver(attempt.holder)) {
      attempt = await store.acquireLease(id, leases.owner, now, leases.leaseMs, attempt.holder);
    }
    if (!attempt.held) {
      this.held.delete(id);
      return null;
    }
    this.leases.hold(id, () => this.held.delete(id));
    const held = {
      lease: attempt.lease,
      expiresAt: leases.expiresAt(now),
      cursorSavedAt: current?.cursorSavedAt ?? now,
      prunedAt: current?.prunedAt ?? 0,
    };
    this.held.set(id, held);
    return held;
  }

  /** Turns newly committed events into deliveries; false when the lease was lost meanwhile. */
  private async enqueueNew(subscription: WebhookSubscription, held: HeldLease): Promise<boolean> {
    const { store, events, clock } = this.options;
    const { owner } = this.options.leases;
    for (let round = 0; round < EVENT_BATCHES_PER_TICK; round++) {
      const read = await events.read(held.lease.cursor, EVENT_BATCH);
      if (read.position === held.lease.cursor) return true;
      const now = clock.now();
      if (read.events.length === 0 && now - held.cursorSavedAt < IDLE_CURSOR_SAVE_MS) return true;
      const wanted = read.events.filter((event) => wantsEvent(subscription, event));
      const { tracing } = this.options;
      const deliveries = wanted.map((event, index) => {
        const delivery = newDelivery(subscription.id, event, held.lease.enqueued + index, now);
        return tracing ? { ...delivery, traceparent: tracing.ofEvent(event) } : delivery;
      });
      if (!(await store.enqueue(held.lease, owner, deliveries, read.position))) {
        this.held.delete(subscription.id);
        this.leases.release(subscription.id);
        return false;
      }
      held.lease = { ...held.lease, cursor: read.position, enqueued: held.lease.enqueued + deliveries.length };
      held.cursorSavedAt = now;
      if (read.events.length < EVENT_BATCH) return true;
    }
    return true;
  }

  /** Sends what is due, each handoff's deliveries in order, several handoffs at once. */
  private async deliverDue(subscription: WebhookSubscription, deadline: number): Promise<void> {
    const pending = await this.options.store.pending(subscription.id, PENDING_WINDOW);
    const byHandoff = new Map<string, WebhookDelivery[]>();
    for (const delivery of pending) {
      const queue = byHandoff.get(delivery.handoffId);
      if (queue) queue.push(delivery);
      else byHandoff.set(delivery.handoffId, [delivery]);
    }
    const queues = [...byHandoff.values()];
    const workers = Array.from({ length: Math.min(PARALLEL_HANDOFFS, queues.length) }, async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift())
        await this.deliverInOrder(subscription, queue, deadline);
    });
    await Promise.all(workers);
  }

  /** One handoff's deliveries, oldest first, until one is not due or must wait for a retry. */
  private async deliverInOrder(
    subscription: WebhookSubscription,
    queue: WebhookDelivery[],
    deadline: number,
  ): Promise<void> {
    for (const delivery of queue) {
      const now = this.options.clock.now();
      if (this.stopping.signal.aborted) return;
      if (now > deadline || delivery.nextAttemptAt === null || delivery.nextAttemptAt > now) return;
      const next = await this.attempt(subscription, delivery);
      if (next.status === 'PENDING') return;
    }
  }

  /** POSTs one delivery and records the attempt (guarded: a delivery another process recorded meanwhile is left as it is). */
  private async attempt(subscription: WebhookSubscription, delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const { clock, logger } = this.options;
    // The allow-list is checked again at each attempt: a host removed from it since registration gets nothing.
    const { url, problem } = checkOutboundUrl(subscription.url, this.options.allowList, 'url');
    const attempt = url
      ? await this.options.send(
          {
            url,
            body: delivery.body,
            timeoutMs: this.options.timeoutMs,
            signal: this.stopping.signal,
            headers: {
              'content-type': 'application/json',
              'idempotency-key': delivery.eventKey,
              'handoff-event-type': delivery.eventType,
              'handoff-subscription-id': subscription.id,
              [SIGNATURE_HEADER]: signatureHeader(subscription.secret, clock.now(), delivery.body),
              ...(delivery.traceparent ? { traceparent: delivery.traceparent } : {}),
            },
          },
          clock,
        )
      : { at: clock.now(), statusCode: null, error: problem!, durationMs: 0 };
    if (this.stopping.signal.aborted) return { ...delivery, status: 'PENDING' };
    const next = afterAttempt(delivery, attempt, this.options.policy, this.options.random);
    const saved = await this.options.store.save(next, delivery.attempts.length, 'PENDING');
    if (!saved) return { ...next, status: 'PENDING' };
    if (next.status === 'FAILED') {
      logger.warn(
        { subscription: subscription.id, delivery: delivery.id, attempts: next.attempts.length, error: attempt.error },
        'webhook delivery failed for good',
      );
    }
    return next;
  }

  private async releaseAll(): Promise<void> {
    for (const id of [...this.held.keys()]) {
      this.held.delete(id);
      this.leases.release(id);
      await this.options.store
        .releaseLease(id, this.options.leases.owner)
        .catch((error) => this.options.logger.warn({ err: error, subscription: id }, 'webhook lease release failed'));
    }
  }
}
