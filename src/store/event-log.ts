import type { Collection, Database } from './collection.js';

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
  /** The process that wrote it: another instance's change stream skips its own. */
  writer?: string;
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

/** An event as the log stores it: for fixtures that write many at once (benchmarks), not for the write path. */
export function eventDocument(owner: string, seq: number, at: number, bodyText: string, writer?: string) {
  return { _id: eventId(owner, seq), owner, seq, at, body: bodyText, ...(writer ? { writer } : {}) };
}

/**
 * Per-owner append-only event log, for any adapter. The caller numbers the events: an owner's
 * next seq lives in its own document and advances in the same compare-and-set as its state, so
 * numbers are gapless without a counter here.
 */
export class EventLog<B> {
  private batch: { docs: EventDocument[]; resolve: () => void; reject: (error: unknown) => void }[] = [];

  private constructor(
    private readonly events: Collection<EventDocument>,
    private readonly writer: string | undefined,
  ) {}

  static async open<B>(db: Database, name: string, writer?: string): Promise<EventLog<B>> {
    return new EventLog<B>(await db.collection<EventDocument>(`${name}_events`), writer);
  }

  /** Writes numbered events. Idempotent: writing an event twice keeps the first copy. */
  write(events: LoggedEvent<B>[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const docs = events.map((event) => ({
      _id: eventId(event.owner, event.seq),
      owner: event.owner,
      seq: event.seq,
      at: event.at,
      body: event.bodyText ?? JSON.stringify(event.body),
      ...(this.writer ? { writer: this.writer } : {}),
    }));
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ docs, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => void this.flush());
    });
  }

  /**
   * Writes every batch requested since the last flush in one append: many runners finishing
   * transitions in the same turn share one store round trip. An event already stored (a re-written
   * outbox) is skipped, and nothing is undone on a failure: a reader never sees an event vanish again.
   */
  private async flush(): Promise<void> {
    const batches = this.batch.splice(0);
    try {
      await this.events.appendMany(batches.flatMap((batch) => batch.docs));
      for (const batch of batches) batch.resolve();
    } catch (error) {
      for (const batch of batches) batch.reject(error);
    }
  }

  /** Deletes every event of the owners: one ranged delete on the primary index per owner, in one call. */
  async deleteOwners(owners: readonly string[]): Promise<number> {
    if (owners.length === 0) return 0;
    return this.events.deleteMany({
      $or: owners.map((owner) => ({ _id: { $gt: eventId(owner, 0), $lte: eventId(owner, MAX_SEQ) } })),
    });
  }

  /** Whether the event `seq` of `owner` is stored. */
  async has(owner: string, seq: number): Promise<boolean> {
    return (await this.events.findOne({ _id: eventId(owner, seq) })) !== null;
  }

  /**
   * Events of `owner` with afterSeq < seq <= upToSeq, oldest first, named by id: an index lookup
   * on MongoDB, point reads on FerretDB (which reads the whole collection for an id range).
   */
  async between(owner: string, afterSeq: number, upToSeq: number): Promise<LoggedEvent<B>[]> {
    if (upToSeq <= afterSeq) return [];
    const ids = Array.from({ length: upToSeq - afterSeq }, (_, index) => eventId(owner, afterSeq + 1 + index));
    const docs = await this.events.find({ _id: { $in: ids } }, { sort: { _id: 1 } });
    // Point reads are not one snapshot: one can miss an event whose append was under way while a later read
    // found the next one. Appends are in order, so a missing event before one found is there now.
    const found = new Set(docs.map((doc) => doc._id));
    const lastFound = docs.at(-1)?._id;
    const missed = ids.filter((id) => lastFound !== undefined && id < lastFound && !found.has(id));
    if (missed.length > 0) {
      docs.push(...(await this.events.find({ _id: { $in: missed } })));
      docs.sort((a, b) => (a._id < b._id ? -1 : 1));
    }
    return docs.map((doc) => ({ owner: doc.owner, seq: doc.seq, at: doc.at, body: JSON.parse(doc.body) as B }));
  }

  /** Events of `owner` with seq > afterSeq, oldest first. */
  async after(owner: string, afterSeq: number, limit = 10_000): Promise<LoggedEvent<B>[]> {
    const docs = await this.events.find(
      { _id: { $gt: eventId(owner, afterSeq), $lte: eventId(owner, MAX_SEQ) } },
      { sort: { _id: 1 }, limit },
    );
    return docs.map((doc) => ({ owner: doc.owner, seq: doc.seq, at: doc.at, body: JSON.parse(doc.body) as B }));
  }
}
