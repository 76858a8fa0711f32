import { DuplicateKeyError, type Collection, type Database } from './collection.js';

/** One entry of an owner's append-only history. `seq` starts at 1 and has no gaps. */
export interface LoggedEvent<B> {
  owner: string;
  seq: number;
  at: number;
  body: B;
  /** `body` already serialised (it may carry more fields than B), to avoid serialising twice. */
  bodyText?: string;
}

interface EventDocument {
  _id: string;
  owner: string;
  seq: number;
  at: number;
  /** JSON text: event bodies carry free-form data that must never be read as query operators. */
  body: string;
}

interface CounterDocument {
  _id: string;
  seq: number;
}

const SEQ_WIDTH = 12;
const MAX_SEQ = 10 ** SEQ_WIDTH - 1;

/**
 * `owner#000000000042`: ids sort by owner, then by seq, so the primary index alone keeps
 * numbers unique and serves ordered range reads (no second index to maintain per append).
 */
function eventId(owner: string, seq: number): string {
  if (owner.includes('#')) throw new Error(`event log owner must not contain '#': ${owner}`);
  return `${owner}#${String(seq).padStart(SEQ_WIDTH, '0')}`;
}

/** Per-owner append-only event log with gapless sequence numbers, for any adapter. */
export class EventLog<B> {
  private batch: { docs: EventDocument[]; resolve: () => void; reject: (error: unknown) => void }[] = [];

  private constructor(
    private readonly events: Collection<EventDocument>,
    private readonly counters: Collection<CounterDocument>,
  ) {}

  static async open<B>(db: Database, name: string): Promise<EventLog<B>> {
    const events = await db.collection<EventDocument>(`${name}_events`);
    const counters = await db.collection<CounterDocument>(`${name}_event_counters`);
    return new EventLog<B>(events, counters);
  }

  /** Reserves the next `count` numbers for `owner` atomically; returns the first. */
  async reserve(owner: string, count: number): Promise<number> {
    const counter = await this.counters.findOneAndUpdate({ _id: owner }, { $inc: { seq: count } }, { upsert: true });
    return counter!.seq - count + 1;
  }

  /** Appends bodies under fresh numbers; safe under concurrent appends for one owner. */
  async append(owner: string, bodies: B[], at: number): Promise<LoggedEvent<B>[]> {
    if (bodies.length === 0) return [];
    const first = await this.reserve(owner, bodies.length);
    const events = bodies.map((body, index) => ({ owner, seq: first + index, at, body }));
    await this.write(events);
    return events;
  }

  /**
   * Writes events whose numbers were reserved elsewhere (e.g. in the same atomic update as a
   * state change). Idempotent: writing an event twice keeps the first copy.
   */
  write(events: LoggedEvent<B>[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const docs = events.map((event) => ({
      _id: eventId(event.owner, event.seq),
      owner: event.owner,
      seq: event.seq,
      at: event.at,
      body: event.bodyText ?? JSON.stringify(event.body),
    }));
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ docs, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => void this.flush());
    });
  }

  /**
   * Writes every batch requested since the last flush in one insert: many runners finishing
   * transitions in the same turn share one store round trip. If any event already exists
   * (a re-written outbox), each batch is retried alone, event by event, skipping duplicates.
   */
  private async flush(): Promise<void> {
    const batches = this.batch.splice(0);
    try {
      await this.events.insertMany(batches.flatMap((batch) => batch.docs));
      for (const batch of batches) batch.resolve();
    } catch (error) {
      for (const batch of batches) {
        if (!(error instanceof DuplicateKeyError)) {
          batch.reject(error);
          continue;
        }
        this.insertSkippingDuplicates(batch.docs).then(batch.resolve, batch.reject);
      }
    }
  }

  private async insertSkippingDuplicates(docs: EventDocument[]): Promise<void> {
    for (const doc of docs) {
      await this.events.insertOne(doc).catch((error) => {
        if (!(error instanceof DuplicateKeyError)) throw error;
      });
    }
  }

  /** Events of `owner` with seq > afterSeq, oldest first. */
  async after(owner: string, afterSeq: number, limit = 10_000): Promise<LoggedEvent<B>[]> {
    const docs = await this.events.find(
      { _id: { $gt: eventId(owner, afterSeq), $lte: eventId(owner, MAX_SEQ) } },
      { sort: { _id: 1 }, limit },
    );
    return docs.map((doc) => ({ owner: doc.owner, seq: doc.seq, at: doc.at, body: JSON.parse(doc.body) as B }));
  }

  async lastSeq(owner: string): Promise<number> {
    const counter = await this.counters.findOne({ _id: owner });
    return counter?.seq ?? 0;
  }
}
