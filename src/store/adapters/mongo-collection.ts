import type { Collection as DriverCollection } from 'mongodb';
import type { Collection, Filter, FindOptions, OperationCounter, StoredDocument, Update } from '../collection.js';
import { DocumentBusyError, type DocumentLocks } from './document-locks.js';
import type { DocumentMirror, MirrorHub } from './document-mirror.js';
import { isDuplicateKey, translateMongoError } from './mongo-errors.js';
import { matches, pinnedId, pinnedIds, readEach, select } from './point-reads.js';
import type { WriteGate } from './write-gate.js';

/** Guarded writes of one updateMany or deleteMany sent at once. */
const GUARDED_WRITES_AT_ONCE = 32;

/** A filter that says nothing but which documents (by `_id`): deleting by it needs no guard. */
function onlyNamesIds(filter: Filter): boolean {
  return Object.keys(filter).length === 1 && pinnedIds(filter) !== null;
}

/**
 * A collection on MongoDB or FerretDB. Reads and inserts go to the server as they are. Every
 * other write is a guarded read-check-write under the document's write lock (DocumentLocks):
 * the document is read by id, the whole filter is checked against it, and the update is sent for
 * that id alone. That is atomic on both servers (FerretDB 1.x's own findAndModify is not), and on
 * FerretDB it is the fast path too: it pushes a filter on one `_id` down to SQLite and reads the
 * whole collection for any other. For the same reason, reads that name their documents by id are
 * point reads there (`pushesDownIdOnly`).
 */
export class MongoCollection<T extends StoredDocument> implements Collection<T> {
  constructor(
    private readonly name: string,
    // biome-ignore lint/suspicious/noExplicitAny: the driver's generic filter types fight a dialect-agnostic interface; documents are plain objects
    private readonly driver: DriverCollection<any>,
    private readonly counter: OperationCounter,
    private readonly locks: DocumentLocks,
    private readonly writes: WriteGate,
    private readonly pushesDownIdOnly: boolean,
    private readonly mirroring: { mirror: DocumentMirror<T> | null; hub: MirrorHub },
  ) {
    if (mirroring.mirror)
      // A writer that died between a write and its announcement: the document is announced again, as it is.
      locks.onAbandoned(name, async (id) => {
        const doc = await this.readById(id);
        await this.mirrored(doc ? [doc] : [], doc ? [] : [id], 'everyone');
      });
  }

  get mirror(): Collection<T> | undefined {
    return this.mirroring.mirror ?? undefined;
  }

  /**
   * Keeps the mirror (if any) up to date with a write of this process, and announces it to the others.
   * Under the document's lock the announcement only has to be stored before the lock is let go: it
   * then shares a change-log record with the events the caller announces next.
   */
  private async mirrored(docs: T[], deleted: string[], audience: 'others' | 'everyone' = 'others'): Promise<void> {
    const { mirror, hub } = this.mirroring;
    if (!mirror || (docs.length === 0 && deleted.length === 0)) return;
    const announced = hub.written(mirror as never, docs, deleted, audience);
    const ids = [...docs.map((doc) => doc._id), ...deleted];
    if (ids.length === 1 && this.locks.beforeRelease(this.name, ids[0]!, announced)) return;
    await announced;
  }

  /**
   * A guarded write that found the document other than its filter expected: this process's mirror
   * takes the document as read under its lock (the latest commit), so a copy it kept stale (an
   * announcement it missed, or an older one it applied after its own write) stops answering the
   * scheduler's questions: a gone holder named at every tick, finished work found due at every tick.
   * Only this process's copy: nothing was written, so nothing is announced. A document not found is
   * left as the mirror has it: its insert (not under the lock) may be landing.
   */
  private correctMirror(id: string, current: T | null): void {
    const { mirror } = this.mirroring;
    if (mirror && current) mirror.put(id, mirror.project(current));
  }

  private fail(error: unknown): never {
    return translateMongoError(this.name, error);
  }

  async insertOne(doc: T): Promise<void> {
    this.counter.writes++;
    await this.writes.run(() => this.driver.insertOne({ ...doc })).catch((error) => this.fail(error));
    await this.mirrored([doc], []);
  }

  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    this.counter.writes++;
    // All or nothing: neither server makes several documents atomic without a transaction, so undo on failure.
    try {
      await this.writes.run(() =>
        this.driver.insertMany(
          docs.map((doc) => ({ ...doc })),
          { ordered: true },
        ),
      );
    } catch (error) {
      const inserted = (error as { insertedIds?: Record<number, string> }).insertedIds ?? {};
      const ids = Object.values(inserted);
      if (ids.length > 0) await this.removeIds(ids).catch(() => undefined);
      this.fail(error);
    }
    await this.mirrored(docs, []);
  }

  async appendMany(docs: T[]): Promise<void> {
    this.counter.writes++;
    let rest = docs;
    while (rest.length > 0) {
      try {
        const batch = rest;
        await this.writes.run(() =>
          this.driver.insertMany(
            batch.map((doc) => ({ ...doc })),
            { ordered: true },
          ),
        );
        rest = [];
      } catch (error) {
        // Ordered: the documents before the first error are in. A duplicate is skipped and the rest sent again.
        const writeErrors = (error as { writeErrors?: { index: number } | { index: number }[] }).writeErrors;
        const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
        if (!isDuplicateKey(error) || first === undefined) this.fail(error);
        rest = rest.slice(first.index + 1);
      }
    }
    await this.mirrored(docs, []);
  }

  async findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    const id = this.pushesDownIdOnly ? pinnedId(filter) : null;
    if (id !== null) {
      const doc = await this.readById(id);
      return doc && matches(filter, doc) ? doc : null;
    }
    return (await this.driver.findOne(filter).catch((error) => this.fail(error))) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.counter.reads++;
    const ids = this.pushesDownIdOnly ? pinnedIds(filter) : null;
    if (ids !== null) return select(await readEach(ids, (id) => this.readById(id)), filter, options);
    let cursor = this.driver.find(filter);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return (await cursor.toArray().catch((error) => this.fail(error))) as T[];
  }

  async count(filter: Filter): Promise<number> {
    this.counter.reads++;
    return this.driver.countDocuments(filter).catch((error) => this.fail(error));
  }

  async findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: { upsert?: boolean; unlessBusy?: boolean } = {},
  ): Promise<T | null> {
    this.counter.writes++;
    const id = pinnedId(filter);
    if (id === null) throw new Error(`${this.name}: a guarded update names its document's _id`);
    try {
      return await this.updateGuarded(id, filter, update, options.upsert ?? false, !options.unlessBusy);
    } catch (error) {
      if (error instanceof DocumentBusyError) return null;
      throw error;
    }
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    const ids = await this.idsMatching(filter);
    const updated = await this.eachGuarded(ids, (id) => this.updateGuarded(id, filter, update, false));
    // matched, not modified: the same count the SQLite adapter gives
    return updated.filter((doc) => doc !== null).length;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    const id = pinnedId(filter);
    if (id !== null) return this.deleteGuarded(id, filter);
    for (const candidate of await this.idsMatching(filter))
      if (await this.deleteGuarded(candidate, filter)) return true;
    return false;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    // Deleting by id alone needs no lock: a guarded write racing it finds the document gone, as if it came first.
    if (onlyNamesIds(filter)) return this.removeIds(pinnedIds(filter)!);
    const ids = await this.idsMatching(filter);
    return (await this.eachGuarded(ids, (id) => this.deleteGuarded(id, filter))).filter(Boolean).length;
  }

  private async readById(id: string): Promise<T | null> {
    return (await this.driver.findOne({ _id: id }).catch((error) => this.fail(error))) as T | null;
  }

  /** Under the lock: read by id, check the whole filter, then update that id (upsert: as the server would). */
  private updateGuarded(id: string, filter: Filter, update: Update, upsert: boolean, wait = true): Promise<T | null> {
    return this.locks.locked(
      this.name,
      id,
      async () => {
        const current = await this.readById(id);
        const applies = current !== null && matches(filter, current);
        if (!applies && !upsert) {
          this.correctMirror(id, current);
          return null;
        }
        this.locks.assertHeld(this.name, id);
        // An upsert that inserts builds the new document from the filter's equalities, so the server gets it whole.
        const target = applies ? { _id: id } : filter;
        try {
          const updated = (await this.writes.run(() =>
            this.driver.findOneAndUpdate(target, update, { returnDocument: 'after', upsert }),
          )) as T | null;
          if (updated) await this.mirrored([updated], []);
          return updated;
        } catch (error) {
          return this.fail(error);
        }
      },
      { wait },
    );
  }

  private deleteGuarded(id: string, filter: Filter): Promise<boolean> {
    return this.locks.locked(this.name, id, async () => {
      const current = await this.readById(id);
      if (!current || !matches(filter, current)) {
        this.correctMirror(id, current);
        return false;
      }
      this.locks.assertHeld(this.name, id);
      const deleted = await this.writes
        .run(() => this.driver.deleteOne({ _id: id }))
        .catch((error) => this.fail(error));
      await this.mirrored([], [id]);
      return deleted.deletedCount > 0;
    });
  }

  /** Ids of the documents matching now (each is checked again under its lock). */
  private async idsMatching(filter: Filter): Promise<string[]> {
    const ids = pinnedIds(filter);
    if (ids !== null && this.pushesDownIdOnly) return ids;
    const docs = await this.driver
      .find(filter, { projection: { _id: 1 } })
      .toArray()
      .catch((error) => this.fail(error));
    return docs.map((doc) => doc._id as string);
  }

  /** Deletes by id: one point delete each on FerretDB (it reads the whole collection for `$in`), one query on MongoDB. */
  private async removeIds(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    if (!this.pushesDownIdOnly)
      return (
        await this.writes.run(() => this.driver.deleteMany({ _id: { $in: ids } })).catch((error) => this.fail(error))
      ).deletedCount;
    const deleted = await readEach(ids, async (id) => {
      const result = await this.writes.run(() => this.driver.deleteOne({ _id: id })).catch((error) => this.fail(error));
      return result.deletedCount > 0 ? id : null;
    });
    await this.mirrored([], deleted);
    return deleted.length;
  }

  private async eachGuarded<R>(ids: string[], write: (id: string) => Promise<R>): Promise<R[]> {
    const results: R[] = [];
    for (let start = 0; start < ids.length; start += GUARDED_WRITES_AT_ONCE)
      results.push(...(await Promise.all(ids.slice(start, start + GUARDED_WRITES_AT_ONCE).map(write))));
    return results;
  }
}
