import type { DigestOf, InboxStore } from '../../engine/agents/agent-stores.js';
import type { ContextDelivery } from '../../engine/agents/context-delivery.js';
import { type Collection, type Database, DuplicateKeyError } from '../collection.js';
import { keysetPage, type Page, type PageRequest } from '../pagination.js';

interface InboxDocument {
  _id: string;
  agent: string;
  handoffId: string;
  /** key → JSON text of the value (values are free-form). */
  entries: Record<string, string>;
  digest: string;
  /** Absent on deliveries stored before receipts existed: their updatedAt stands in. */
  deliveredAt?: number;
  updatedAt: number;
  acknowledgedAt?: number | null;
  acknowledgedBy?: string | null;
  withdrawnAt?: number | null;
}

function toDelivery(doc: InboxDocument): ContextDelivery {
  return {
    agentId: doc.agent,
    handoffId: doc.handoffId,
    values: decodeEntries(doc.entries),
    digest: doc.digest,
    deliveredAt: doc.deliveredAt ?? doc.updatedAt,
    updatedAt: doc.updatedAt,
    acknowledgedAt: doc.acknowledgedAt ?? null,
    acknowledgedBy: doc.acknowledgedBy ?? null,
    withdrawnAt: doc.withdrawnAt ?? null,
  };
}

const documentId = (agent: string, handoffId: string) => `${agent}#${handoffId}`;

/**
 * What each agent has received from each handoff (written by transfer_context steps), one document
 * per agent and handoff. Every change is a compare-and-set on the stored digest, so a delivery, a
 * withdrawal and an acknowledgement never overwrite each other's view of the values.
 */
export class InboxRepository implements InboxStore {
  private constructor(private readonly inbox: Collection<InboxDocument>) {}

  static async open(db: Database): Promise<InboxRepository> {
    return new InboxRepository(
      await db.collection<InboxDocument>('agent_inbox', [
        { fields: ['agent'] },
        { fields: ['agent', 'deliveredAt'] },
        { fields: ['handoffId'] },
      ]),
    );
  }

  deleteOfHandoffs(handoffIds: readonly string[]): Promise<number> {
    return handoffIds.length === 0
      ? Promise.resolve(0)
      : this.inbox.deleteMany({ handoffId: { $in: [...handoffIds] } });
  }

  deliver(
    agent: string,
    handoffId: string,
    values: Record<string, unknown>,
    at: number,
    digestOf: DigestOf,
  ): Promise<ContextDelivery> {
    return this.change(agent, handoffId, at, digestOf, (entries) => {
      for (const [key, value] of Object.entries(values)) entries[encodeKey(key)] = JSON.stringify(value);
    }) as Promise<ContextDelivery>;
  }

  withdraw(
    agent: string,
    handoffId: string,
    keys: string[],
    at: number,
    digestOf: DigestOf,
  ): Promise<ContextDelivery | null> {
    return this.change(
      agent,
      handoffId,
      at,
      digestOf,
      (entries) => {
        for (const key of keys) delete entries[encodeKey(key)];
      },
      false,
    );
  }

  /** Applies `edit` to the entries and stores them with their digest, retrying when another change came first. */
  private async change(
    agent: string,
    handoffId: string,
    at: number,
    digestOf: DigestOf,
    edit: (entries: Record<string, string>) => void,
    create = true,
  ): Promise<ContextDelivery | null> {
    const id = documentId(agent, handoffId);
    for (;;) {
      const current = await this.inbox.findOne({ _id: id });
      if (!current && !create) return null;
      // Keys are user text: a prototype-free object keeps "__proto__" and the like as data.
      const entries: Record<string, string> = Object.assign(
        Object.create(null) as Record<string, string>,
        current?.entries ?? {},
      );
      edit(entries);
      const digest = digestOf(decodeEntries(entries));
      const fields = {
        agent,
        handoffId,
        entries,
        digest,
        deliveredAt: current?.deliveredAt ?? current?.updatedAt ?? at,
        updatedAt: at,
        withdrawnAt: Object.keys(entries).length === 0 && current ? at : null,
        // An acknowledgement covers the values it was given for, no others.
        ...(digest === current?.digest ? {} : { acknowledgedAt: null, acknowledgedBy: null }),
      };
      if (!current) {
        try {
          const doc: InboxDocument = { _id: id, ...fields, acknowledgedAt: null, acknowledgedBy: null };
          await this.inbox.insertOne(doc);
          return toDelivery(doc);
        } catch (error) {
          if (error instanceof DuplicateKeyError) continue;
          throw error;
        }
      }
      const updated = await this.inbox.findOneAndUpdate({ _id: id, digest: current.digest }, { $set: fields });
      if (updated) return toDelivery(updated);
    }
  }

  async read(agent: string, handoffId: string): Promise<Record<string, unknown> | null> {
    const doc = await this.inbox.findOne({ _id: documentId(agent, handoffId) });
    return doc ? decodeEntries(doc.entries) : null;
  }

  async get(agent: string, handoffId: string): Promise<ContextDelivery | null> {
    const doc = await this.inbox.findOne({ _id: documentId(agent, handoffId) });
    return doc ? toDelivery(doc) : null;
  }

  page(agent: string, request: PageRequest): Promise<Page<ContextDelivery>> {
    return keysetPage(this.inbox, { agent }, 'deliveredAt', request, toDelivery);
  }

  count(agent: string): Promise<number> {
    return this.inbox.count({ agent });
  }

  async acknowledge(
    agent: string,
    handoffId: string,
    digest: string,
    at: number,
    by: string,
  ): Promise<ContextDelivery | null> {
    const updated = await this.inbox.findOneAndUpdate(
      { _id: documentId(agent, handoffId), digest },
      { $set: { acknowledgedAt: at, acknowledgedBy: by } },
    );
    return updated ? toDelivery(updated) : null;
  }
}

// Context keys are user text: keep `$` and `.` out of stored field names.
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E').replace(/\$/g, '%24');
}

function decodeEntries(entries: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [decodeURIComponent(k), JSON.parse(v)]));
}
