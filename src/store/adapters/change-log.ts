import type { Db, Collection as DriverCollection } from 'mongodb';
import { StoreUnavailableError } from '../../engine/kernel/ports/store-errors.js';
import type { StoreChange } from '../change-publisher.js';
import type { MirrorChange } from './document-mirror.js';

/** What a record holds: changes the engine follows, and mirrored documents (see DocumentMirror). */
export type LoggedChange = StoreChange | MirrorChange;

import type { DocumentLocks } from './document-locks.js';
import { isDuplicateKey, translateMongoError } from './mongo-errors.js';
import { readEach } from './point-reads.js';
import type { WriteGate } from './write-gate.js';

interface ChangeRecordDocument {
  /** The position, zero-padded (a string id: what FerretDB looks up without reading the collection). */
  _id: string;
  at: number;
  writer: string;
  /** Its writer follows it too: it repeats what another process committed (a repair), which the writer did not see happen. */
  toWriter?: boolean;
  /** LoggedChange[] as JSON text: payloads are free-form and must never be read as operators. */
  changes: string;
}

interface FloorDocument {
  _id: 'floor';
  /** The lowest position that may still exist: everything below was pruned. */
  position: number;
}

/** A record read back: its position, who wrote it, what it holds. */
export interface ChangeRecord {
  position: number;
  /** When it was stored (epoch ms, the writer's clock). */
  at: number;
  writer: string;
  /** Whether its writer follows it too (see ChangeRecordDocument). */
  toWriter: boolean;
  changes: LoggedChange[];
}

/** Who follows a change: processes other than its writer (it told its own listeners), or every process. */
export type Audience = 'others' | 'everyone';

export interface ChangeLogSettings {
  /** This process's name on the records it writes (its own followers skip them). */
  writer: string;
  /** Records older than this are pruned (a follower or webhook cursor further behind misses them). */
  retentionMs: number;
  /** Whether the server reads only a filter on one `_id` without reading the whole collection (FerretDB). */
  pushesDownIdOnly: boolean;
}

const POSITION_WIDTH = 16;
const positionId = (position: number) => String(position).padStart(POSITION_WIDTH, '0');
/** An appender idle this long finds the head again rather than trusting what it knew (records may have been pruned). */
const REFIND_HEAD_AFTER_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 64;
/** How often a follower that finds nothing new checks whether it fell below the floor. */
const FLOOR_CHECK_EVERY_MS = 1_000;
/** Positions tried one after another when taken, before searching for the head. */
const TRIES_BEFORE_HEAD_SEARCH = 3;
/** The most a follower reads in one go when records are there. */
const READ_AHEAD = 32;

/**
 * What every process commits, in one numbered sequence without gaps: the change feed and the
 * webhooks' committed events on a server without change streams (and without multi-document
 * transactions), read by position.
 *
 * Why positions have no gaps and commit order holds, without transactions or an atomic counter:
 * a record is one insert under the id of its position, and a writer only ever inserts at n after
 * it saw n - 1 stored (or n is the first position). An insert is atomic and ids are unique, so n
 * holds one record; and n exists only after n - 1 was committed. A follower that finds n missing
 * therefore knows nothing after it exists yet, and waits at n: it can never step over a record
 * that commits late. A writer that loses n to another takes the next free one after it.
 *
 * Why a document's changes appear in its commit order: a repository appends while it still holds
 * the document's write lock (DocumentLocks), so the next commit of that document, by any process,
 * begins after this record was stored and lands at a higher position. A writer that dies between
 * its commit and its record leaves its lock; whoever takes the lock over appends the record first.
 */
export class ChangeLog {
  private pending: {
    changes: LoggedChange[];
    audience: Audience;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];
  private appending = false;
  private next: number | null = null;
  private lastAppendAt = 0;
  private lastPruneAt = 0;
  private floorCheckedAt = 0;
  /** Positions of records this process appended for the others only: its own feed steps over them unread. */
  private readonly ownForOthers = new Set<number>();

  private constructor(
    private readonly records: DriverCollection<ChangeRecordDocument>,
    private readonly floors: DriverCollection<FloorDocument>,
    private readonly locks: DocumentLocks,
    private readonly writes: WriteGate,
    readonly settings: ChangeLogSettings,
  ) {}

  static async open(db: Db, locks: DocumentLocks, writes: WriteGate, settings: ChangeLogSettings): Promise<ChangeLog> {
    return new ChangeLog(
      db.collection<ChangeRecordDocument>('change_log'),
      db.collection<FloorDocument>('change_log_floor'),
      locks,
      writes,
      settings,
    );
  }

  /**
   * Appends `changes` (resolves once stored). Appends of one turn share a record; one record is
   * in flight at a time, so a process's own records are in the order it appended them.
   */
  append(changes: LoggedChange[], audience: Audience = 'others'): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ changes, audience, resolve, reject });
      if (!this.appending) {
        this.appending = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // One record per audience: what other processes follow, and (rarely) what every process does.
      const audience = this.pending[0]!.audience;
      const batch = this.pending.filter((entry) => entry.audience === audience);
      this.pending = this.pending.filter((entry) => entry.audience !== audience);
      try {
        await this.insertRecord(
          batch.flatMap((entry) => entry.changes),
          audience,
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.appending = false;
    if (Date.now() - this.lastPruneAt > PRUNE_EVERY_MS) {
      this.lastPruneAt = Date.now();
      void this.prune().catch(() => undefined);
    }
  }

  private async insertRecord(changes: LoggedChange[], audience: Audience): Promise<void> {
    const doc = {
      at: Date.now(),
      writer: this.settings.writer,
      ...(audience === 'everyone' ? { toWriter: true } : {}),
      changes: JSON.stringify(changes),
    };
    if (this.next === null || Date.now() - this.lastAppendAt > REFIND_HEAD_AFTER_MS)
      this.next = (await this.head()) + 1;
    for (let taken = 0; ; taken++) {
      try {
        await this.writes.run(() => this.records.insertOne({ _id: positionId(this.next!), ...doc }), 'finish');
        if (audience === 'others') this.ownForOthers.add(this.next);
        this.next++;
        this.lastAppendAt = Date.now();
        return;
      } catch (error) {
        // Whatever else went wrong, the caller committed something it could not announce: the store failed
        // it (StoreUnavailableError), so the caller's write lock is left for a repair (see DocumentLocks).
        if (!isDuplicateKey(error))
          throw error instanceof StoreUnavailableError
            ? error
            : new StoreUnavailableError('append to the change log', error);
      }
      // Taken, so it exists: the next one may be free (another appender or two at once), or, after a few
      // taken in a row, this process is behind and looks for the head (which is at or after `next`).
      this.next = taken < TRIES_BEFORE_HEAD_SEARCH ? this.next + 1 : (await this.headFrom(this.next)) + 1;
    }
  }

  /** The newest stored position (the floor minus one when none is stored). */
  async head(): Promise<number> {
    for (;;) {
      const floor = await this.floor();
      if (await this.exists(floor)) return this.headFrom(floor);
      // Nothing at the floor: empty, unless pruning moved the floor meanwhile.
      if ((await this.floor()) === floor) return floor - 1;
    }
  }

  /** The newest position, searched from `known` (which exists): doubling steps, then halving. */
  private async headFrom(known: number): Promise<number> {
    let found = known;
    let step = 1;
    while (await this.exists(found + step)) {
      found += step;
      step *= 2;
    }
    let missing = found + step;
    while (missing - found > 1) {
      const middle = Math.floor((found + missing) / 2);
      if (await this.exists(middle)) found = middle;
      else missing = middle;
    }
    return found;
  }

  private async exists(position: number): Promise<boolean> {
    const doc = await this.records
      .findOne({ _id: positionId(position) }, { projection: { _id: 1 } })
      .catch((error) => translateMongoError('change_log', error));
    return doc !== null;
  }

  private async floor(): Promise<number> {
    const doc = await this.floors.findOne({ _id: 'floor' }).catch((error) => translateMongoError('change_log', error));
    return doc?.position ?? 1;
  }

  /**
   * Records after `position`, in order, as many as are stored without a gap (at most `limit`).
   * A follower that fell below the floor (it was away longer than the retention) moves up to it.
   * `skipOwn`: this process's records meant for the others are stepped over without reading them.
   * One record is read first (most polls find none); while they are there, twice as many each time.
   */
  async readAfter(
    position: number,
    limit: number,
    options: { skipOwn?: boolean } = {},
  ): Promise<{ records: ChangeRecord[]; position: number }> {
    const records: ChangeRecord[] = [];
    let after = position;
    let ahead = 1;
    while (records.length < limit) {
      if (options.skipOwn) while (this.ownForOthers.delete(after + 1)) after++;
      const batch = await this.readContiguous(after, Math.min(ahead, limit - records.length));
      records.push(...batch);
      if (batch.length === 0) break;
      after = batch.at(-1)!.position;
      ahead = Math.min(ahead * 2, READ_AHEAD);
    }
    if (options.skipOwn) for (const own of this.ownForOthers) if (own <= after) this.ownForOthers.delete(own);
    // Nothing there: this follower may have fallen below the floor (looked at once a second: it is rare).
    if (records.length === 0 && Date.now() - this.floorCheckedAt > FLOOR_CHECK_EVERY_MS) {
      this.floorCheckedAt = Date.now();
      const floor = await this.floor();
      if (floor > position + 1) return { records, position: floor - 1 };
    }
    return { records, position: after };
  }

  /** The records at after+1… after+count that exist, up to the first missing one. */
  private async readContiguous(after: number, count: number): Promise<ChangeRecord[]> {
    const wanted = Array.from({ length: count }, (_, index) => positionId(after + 1 + index));
    const docs = this.settings.pushesDownIdOnly
      ? await readEach(wanted, (id) => this.records.findOne({ _id: id }))
      : await this.records.find({ _id: { $in: wanted } }).toArray();
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    const records: ChangeRecord[] = [];
    for (const id of wanted) {
      const doc = byId.get(id);
      if (!doc) break;
      records.push({
        position: Number(doc._id),
        at: doc.at,
        writer: doc.writer,
        toWriter: doc.toWriter === true,
        changes: JSON.parse(doc.changes),
      });
    }
    return records;
  }

  /** Drops records stored before `cutoff` (default: older than the retention), oldest first; the floor moves up before they go. */
  async prune(cutoff = Date.now() - this.settings.retentionMs): Promise<number> {
    return this.locks.locked('change_log', 'prune', async () => {
      let pruned = 0;
      for (;;) {
        const floor = await this.floor();
        const batch = await this.readContiguous(floor - 1, PRUNE_BATCH);
        // The old ones from the floor up, never the last read: the newest record stays, so a head search has one to start from.
        const prefix: ChangeRecord[] = [];
        for (const record of batch.slice(0, -1)) {
          if (record.at >= cutoff) break;
          prefix.push(record);
        }
        if (prefix.length === 0) return pruned;
        const newFloor = prefix.at(-1)!.position + 1;
        await this.writes.run(() =>
          this.floors.updateOne({ _id: 'floor' }, { $set: { position: newFloor } }, { upsert: true }),
        );
        await readEach(
          prefix.map((record) => positionId(record.position)),
          (id) => this.writes.run(() => this.records.deleteOne({ _id: id })),
        );
        pruned += prefix.length;
      }
    });
  }
}
