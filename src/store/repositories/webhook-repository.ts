import type { Page, PageRequest } from '../../engine/kernel/ports/page.js';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../../engine/webhooks/webhook-delivery.js';
import type { LeaseAttempt, WebhookLease, WebhookStore } from '../../engine/webhooks/webhook-store.js';
import type { WebhookSubscription } from '../../engine/webhooks/webhook-subscription.js';
import { type Collection, type Database, DuplicateKeyError, type Filter } from '../collection.js';
import { findManyInOrder, keysetPage } from '../pagination.js';

type SubscriptionDocument = Omit<WebhookSubscription, 'id'> & {
  _id: string;
  cursor: string;
  enqueued: number;
  leaseOwner: string | null;
  leaseExpiresAt: number;
};

type DeliveryDocument = Omit<WebhookDelivery, 'id'> & { _id: string; attemptCount: number };

function toSubscription(doc: SubscriptionDocument): WebhookSubscription {
  const { _id, cursor: _cursor, enqueued: _enqueued, leaseOwner: _owner, leaseExpiresAt: _expires, ...rest } = doc;
  return { id: _id, ...rest };
}

function toDelivery(doc: DeliveryDocument): WebhookDelivery {
  const { _id, attemptCount: _count, ...rest } = doc;
  return { id: _id, ...rest };
}

function toDeliveryDocument(delivery: WebhookDelivery): DeliveryDocument {
  const { id, ...rest } = delivery;
  return { _id: id, ...rest, attemptCount: delivery.attempts.length };
}

/** What an API change may set: never the cursor or the lease, which belong to the dispatcher. */
function settingsOf(subscription: WebhookSubscription): Omit<WebhookSubscription, 'id' | 'createdAt'> {
  const { id: _id, createdAt: _createdAt, ...settings } = subscription;
  return settings;
}

/**
 * Webhook subscriptions and their deliveries as documents, for every adapter. Each change is one
 * compare-and-set on the document: settings on `version`, the cursor on the lease and its
 * expected position, a delivery on its attempt count and status.
 */
export class WebhookRepository implements WebhookStore {
  private constructor(
    private readonly subscriptions: Collection<SubscriptionDocument>,
    private readonly log: Collection<DeliveryDocument>,
  ) {}

  static async open(db: Database): Promise<WebhookRepository> {
    return new WebhookRepository(
      await db.collection<SubscriptionDocument>('webhook_subscriptions', [{ fields: ['createdAt'] }]),
      await db.collection<DeliveryDocument>('webhook_deliveries', [
        { fields: ['subscriptionId', 'status', 'order'] },
        { fields: ['subscriptionId', 'order'] },
      ]),
    );
  }

  async insert(subscription: WebhookSubscription, cursor: string): Promise<void> {
    const { id, ...rest } = subscription;
    await this.subscriptions.insertOne({ _id: id, ...rest, cursor, enqueued: 0, leaseOwner: null, leaseExpiresAt: 0 });
  }

  async get(id: string): Promise<WebhookSubscription | null> {
    const doc = await this.subscriptions.findOne({ _id: id });
    return doc ? toSubscription(doc) : null;
  }

  getMany(ids: readonly string[]): Promise<(WebhookSubscription | null)[]> {
    return findManyInOrder(this.subscriptions, ids, toSubscription);
  }

  async list(): Promise<WebhookSubscription[]> {
    return (await this.subscriptions.find({}, { sort: { createdAt: 1, _id: 1 } })).map(toSubscription);
  }

  async update(next: WebhookSubscription): Promise<WebhookSubscription | null> {
    const doc = await this.subscriptions.findOneAndUpdate(
      { _id: next.id, version: next.version - 1 },
      { $set: settingsOf(next) },
    );
    return doc ? toSubscription(doc) : null;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.subscriptions.deleteOne({ _id: id });
    // The log goes too, even when the subscription was already gone (a delete interrupted half-way).
    await this.log.deleteMany({ subscriptionId: id });
    return deleted;
  }

  async acquireLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    takeFrom?: string,
  ): Promise<LeaseAttempt> {
    const holders: Filter[] = [{ leaseOwner: owner }, { leaseOwner: null }, { leaseExpiresAt: { $lte: now } }];
    if (takeFrom) holders.push({ leaseOwner: takeFrom });
    const doc = await this.subscriptions.findOneAndUpdate(
      { _id: id, enabled: true, $or: holders },
      { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs } },
    );
    if (doc)
      return { held: true, lease: { subscription: toSubscription(doc), cursor: doc.cursor, enqueued: doc.enqueued } };
    const current = await this.subscriptions.findOne({ _id: id });
    return { held: false, holder: current?.leaseOwner ?? null };
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.subscriptions.findOneAndUpdate(
      { _id: id, leaseOwner: owner },
      { $set: { leaseOwner: null, leaseExpiresAt: 0 } },
    );
  }

  async enqueue(lease: WebhookLease, owner: string, deliveries: WebhookDelivery[], cursor: string): Promise<boolean> {
    await this.insertSkippingDuplicates(deliveries.map(toDeliveryDocument));
    const moved = await this.subscriptions.findOneAndUpdate(
      { _id: lease.subscription.id, leaseOwner: owner, cursor: lease.cursor, enqueued: lease.enqueued },
      { $set: { cursor }, $inc: { enqueued: deliveries.length } },
    );
    return moved !== null;
  }

  private async insertSkippingDuplicates(docs: DeliveryDocument[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await this.log.insertMany(docs);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // Some were stored before a crash: store the rest one by one.
      for (const doc of docs) {
        await this.log.insertOne(doc).catch((failure) => {
          if (!(failure instanceof DuplicateKeyError)) throw failure;
        });
      }
    }
  }

  async pending(subscriptionId: string, limit: number): Promise<WebhookDelivery[]> {
    return (await this.log.find({ subscriptionId, status: 'PENDING' }, { sort: { order: 1 }, limit })).map(toDelivery);
  }

  async save(next: WebhookDelivery, expectedAttempts: number, expectedStatus: WebhookDeliveryStatus): Promise<boolean> {
    const { _id, ...fields } = toDeliveryDocument(next);
    const doc = await this.log.findOneAndUpdate(
      { _id, attemptCount: expectedAttempts, status: expectedStatus },
      { $set: fields },
    );
    return doc !== null;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const doc = await this.log.findOne({ _id: id });
    return doc ? toDelivery(doc) : null;
  }

  deliveries(
    subscriptionId: string,
    status: WebhookDeliveryStatus[] | null,
    request: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    return keysetPage(this.log, deliveryFilter(subscriptionId, status), 'order', request, toDelivery);
  }

  countDeliveries(subscriptionId: string, status: WebhookDeliveryStatus[] | null): Promise<number> {
    return this.log.count(deliveryFilter(subscriptionId, status));
  }

  pruneDeliveries(subscriptionId: string, before: number): Promise<number> {
    return this.log.deleteMany({
      subscriptionId,
      status: { $in: ['DELIVERED', 'FAILED'] },
      createdAt: { $lt: before },
    });
  }
}

function deliveryFilter(subscriptionId: string, status: WebhookDeliveryStatus[] | null): Filter {
  return status ? { subscriptionId, status: { $in: status } } : { subscriptionId };
}
