import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Db, Collection as DriverCollection } from 'mongodb';
import { StoreUnavailableError } from '../../engine/kernel/ports/store-errors.js';
import { isDuplicateKey, translateMongoError } from './mongo-errors.js';
import type { WriteGate } from './write-gate.js';

interface LockDocument {
  /** A new token per acquisition: releasing or breaking a lock removes that very lock, never a later one. */
  _id: string;
  /** `collection/documentId`: unique, so one holder at a time. */
  key: string;
  owner: string;
  expiresAt: number;
}

export interface LockSettings {
  /** How long a lock lives: a holder that died leaves it, and it is taken from it after this. */
  lockMs: number;
  /** Who holds the locks this process takes (shown in messages). */
  owner: string;
  /** Whether a holder is known to be gone (a dead process on this machine): its locks are taken at once. */
  isOwnerGone?: (owner: string) => boolean;
  /** A lock that could not be released (it expires by itself); logged by the caller. */
  onReleaseFailure?: (key: string, error: unknown) => void;
}

/** How often locks left by dead processes are looked for (a writer that meets one takes it over at once anyway). */
const SWEEP_EVERY_MS = 5_000;

/** Keys held in the current async context: when each was taken, and writes to finish before it is let go. */
interface HeldLock {
  takenAt: number;
  beforeRelease: Promise<unknown>[];
  /** Set when its critical section ends: contexts copied from it while it ran may outlive it. */
  released?: boolean;
}
type HeldLocks = Map<string, HeldLock>;

/** Thrown by `locked` with `wait: false` when another process holds the lock. */
export class DocumentBusyError extends Error {
  constructor(readonly key: string) {
    super(`${key} is being written by another process`);
    this.name = 'DocumentBusyError';
  }
}

/**
 * One writer at a time per document, across every process on the database: the way to make a
 * read-check-write atomic on a server whose single-document updates are not (FerretDB 1.x reads,
 * then rewrites the whole document, unguarded), and what orders a document's commits with their
 * copies in the change log.
 *
 * A lock is a document inserted under a unique key: inserting is atomic on every server. A holder
 * that dies leaves its lock; the next writer (or the sweep every second) removes that very lock
 * once it expired and runs the repair registered for its collection before anything else, so
 * what the dead holder committed but did not finish (its change-log copy) is finished.
 *
 * Within one process, writers of one document queue locally (no store round trip to find a lock
 * taken), and work run under a lock that writes the same document again does not lock twice.
 *
 * The limit, said plainly: a holder that stalls longer than `lockMs` between its read and its
 * write (a process paused by the OS) could write after the lock was taken from it. A write checks
 * that less than half the lock's life has gone by before it starts, which leaves that margin.
 */
export class DocumentLocks {
  private readonly held = new AsyncLocalStorage<HeldLocks>();
  private readonly queued = new Map<string, Promise<unknown>>();
  private readonly repairs = new Map<string, ((id: string) => Promise<void>)[]>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly locks: DriverCollection<LockDocument>,
    private readonly writes: WriteGate,
    private readonly settings: LockSettings,
  ) {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  static async open(db: Db, writes: WriteGate, settings: LockSettings): Promise<DocumentLocks> {
    const locks = db.collection<LockDocument>('write_locks');
    await locks.createIndex({ key: 1 }, { unique: true });
    await locks.createIndex({ expiresAt: 1 });
    return new DocumentLocks(locks, writes, settings);
  }

  /** What to run for a document of `collection` whose writer died holding its lock (each in order). */
  onAbandoned(collection: string, repair: (id: string) => Promise<void>): void {
    this.repairs.set(collection, [...(this.repairs.get(collection) ?? []), repair]);
  }

  /**
   * Runs `work` holding the lock of one document (at once when this context holds it already).
   * `wait: false`: when another process holds it, throws DocumentBusyError instead of waiting
   * (for writes that are as well left to whoever is at the document, such as taking a lease).
   */
  locked<T>(collection: string, id: string, work: () => Promise<T>, options: { wait?: boolean } = {}): Promise<T> {
    const key = `${collection}/${id}`;
    // Held by this context: nested work under the lock. A context that copied the entry of a critical
    // section since ended (work spawned from inside it that outlived it) holds nothing.
    const inherited = this.held.getStore()?.get(key);
    if (inherited && !inherited.released) return work();
    const wait = options.wait ?? true;
    const previous = this.queued.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.acquireAndRun(collection, id, key, work, wait),
      () => this.acquireAndRun(collection, id, key, work, wait),
    );
    this.queued.set(key, run);
    const forget = () => {
      if (this.queued.get(key) === run) this.queued.delete(key);
    };
    run.then(forget, forget);
    return run;
  }

  /**
   * Has `write` (under way) finish before the lock of the document, held in this context, is let go;
   * false (nothing done) when this context does not hold it. Lets writes of one critical section
   * share a round trip (a change-log record) instead of waiting for each other.
   */
  beforeRelease(collection: string, id: string, write: Promise<unknown>): boolean {
    const entry = this.held.getStore()?.get(`${collection}/${id}`);
    if (!entry) return false;
    // Awaited at release; handled now, so a failure meanwhile is not an unhandled rejection.
    write.catch(() => undefined);
    entry.beforeRelease.push(write);
    return true;
  }

  /**
   * Throws StoreUnavailableError unless this context holds the document's lock with more than half
   * of its life left: a write made under it cannot land after the lock was taken from it.
   */
  assertHeld(collection: string, id: string): void {
    const takenAt = this.held.getStore()?.get(`${collection}/${id}`)?.takenAt;
    if (takenAt === undefined) throw new Error(`write to ${collection}/${id} without its lock`);
    if (Date.now() - takenAt > this.settings.lockMs / 2)
      throw new StoreUnavailableError(
        `write to ${collection}`,
        new Error(`the write lock of ${id} was held too long to write safely; try again`),
      );
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private async acquireAndRun<T>(
    collection: string,
    id: string,
    key: string,
    work: () => Promise<T>,
    wait: boolean,
  ): Promise<T> {
    const { token, abandoned } = await this.acquire(key, wait);
    const held: HeldLocks = new Map(this.held.getStore() ?? []);
    const entry: HeldLock = { takenAt: Date.now(), beforeRelease: [] };
    held.set(key, entry);
    let release = true;
    try {
      const result = await this.held.run(held, async () => {
        if (abandoned) for (const repair of this.repairs.get(collection) ?? []) await repair(id);
        return work();
      });
      await Promise.all(entry.beforeRelease);
      return result;
    } catch (error) {
      // Writes still under way finish (or fail) before the lock is let go or left.
      await Promise.allSettled(entry.beforeRelease);
      // The store failed part-way: what was committed before may lack its change-log copy. The lock is
      // left to expire, and whoever takes it over then runs the repair (the store is back by then, or it waits).
      if (error instanceof StoreUnavailableError) release = false;
      throw error;
    } finally {
      entry.released = true;
      held.delete(key);
      if (release)
        await this.writes
          .run(() => this.locks.deleteOne({ _id: token }), 'finish')
          .catch((error) => this.settings.onReleaseFailure?.(key, error));
    }
  }

  /**
   * Inserts the lock; while another holds it, waits for it (looking, not trying to insert, until it
   * is gone: one read per look), and removes it once it expired.
   */
  private async acquire(key: string, wait: boolean): Promise<{ token: string; abandoned: boolean }> {
    const giveUpAt = Date.now() + this.settings.lockMs * 2;
    let abandoned = false;
    let pauseMs = 2;
    for (;;) {
      const token = randomUUID();
      try {
        await this.writes.run(
          () =>
            this.locks.insertOne({
              _id: token,
              key,
              owner: this.settings.owner,
              expiresAt: Date.now() + this.settings.lockMs,
            }),
          'start',
        );
        return { token, abandoned };
      } catch (error) {
        if (!isDuplicateKey(error)) translateMongoError('write_locks', error);
      }
      for (;;) {
        const holder = await this.locks.findOne({ key }).catch((error) => translateMongoError('write_locks', error));
        if (!holder) break;
        if (holder.expiresAt < Date.now() || this.settings.isOwnerGone?.(holder.owner)) {
          // Deleting by its token removes that lock only: of two processes breaking it, one succeeds.
          const removed = await this.writes.run(() => this.locks.deleteOne({ _id: holder._id }), 'finish');
          if (removed.deletedCount === 1) abandoned = true;
          break;
        }
        if (!wait) throw new DocumentBusyError(key);
        if (Date.now() > giveUpAt)
          throw new StoreUnavailableError(`lock ${key}`, new Error(`still held by ${holder.owner}`));
        await new Promise((resolve) => setTimeout(resolve, pauseMs + Math.random() * pauseMs));
        // Holders let go within milliseconds; a waiter that looks too eagerly only loads the server further.
        pauseMs = Math.min(pauseMs * 2, 250);
      }
    }
  }

  /**
   * Locks left by processes that died are taken (repairing what they guarded) without waiting for a
   * writer: expired ones, and at once those of a process known to be gone. Few locks exist at a time.
   */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const held = await this.locks.find({}, { limit: 1_000 }).toArray();
    const left = held.filter((lock) => lock.expiresAt < now || this.settings.isOwnerGone?.(lock.owner));
    for (const lock of left) {
      const slash = lock.key.indexOf('/');
      await this.locked(lock.key.slice(0, slash), lock.key.slice(slash + 1), async () => undefined);
    }
  }
}
