import type { Collection, Database } from '../collection.js';
import type { InboxStore } from '../../engine/ports/registry-stores.js';

interface InboxDocument {
  _id: string;
  agent: string;
  handoffId: string;
  /** key → JSON text of the value (values are free-form). */
  entries: Record<string, string>;
  digest: string;
  updatedAt: number;
}

/** What each agent has received from each handoff (written by transfer_context steps). */
export class InboxRepository implements InboxStore {
  private constructor(private readonly inbox: Collection<InboxDocument>) {}

  static async open(db: Database): Promise<InboxRepository> {
    return new InboxRepository(await db.collection<InboxDocument>('agent_inbox', [{ fields: ['agent'] }]));
  }

  /** Adds values to the agent's inbox for this handoff; `digest(all)` fingerprints everything now there. */
  async deliver(
    agent: string,
    handoffId: string,
    values: Record<string, unknown>,
    at: number,
    digestOf: (all: Record<string, unknown>) => string,
  ): Promise<string> {
    const id = `${agent}#${handoffId}`;
    const current = await this.inbox.findOne({ _id: id });
    // Keys are user text: gathered in a Map (assigning "__proto__" to an object would set its prototype).
    const merged = new Map(Object.entries(current?.entries ?? {}));
    for (const [key, value] of Object.entries(values)) merged.set(encodeKey(key), JSON.stringify(value));
    const entries = Object.fromEntries(merged);
    const digest = digestOf(decodeEntries(entries));
    await this.inbox.findOneAndUpdate({ _id: id }, { $set: { agent, handoffId, entries, digest, updatedAt: at } }, { upsert: true });
    return digest;
  }

  async withdraw(agent: string, handoffId: string, keys: string[], at: number, digestOf: (all: Record<string, unknown>) => string): Promise<void> {
    const id = `${agent}#${handoffId}`;
    const current = await this.inbox.findOne({ _id: id });
    if (!current) return;
    const kept = new Map(Object.entries(current.entries));
    for (const key of keys) kept.delete(encodeKey(key));
    const entries = Object.fromEntries(kept);
    await this.inbox.findOneAndUpdate({ _id: id }, { $set: { entries, digest: digestOf(decodeEntries(entries)), updatedAt: at } });
  }

  async read(agent: string, handoffId: string): Promise<Record<string, unknown> | null> {
    const doc = await this.inbox.findOne({ _id: `${agent}#${handoffId}` });
    return doc ? decodeEntries(doc.entries) : null;
  }
}

// Context keys are user text: keep `$` and `.` out of stored field names.
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E').replace(/\$/g, '%24');
}

function decodeEntries(entries: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [decodeURIComponent(k), JSON.parse(v)]));
}
